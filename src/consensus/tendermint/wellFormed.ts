import type { ConsensusMessage } from "./types.js";

function isRound(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/**
 * Whether a message from the network has the shape its type promises: the engine decodes and
 * authenticates messages, but their fields are the sender's choice. Heights and rounds are
 * non-negative safe integers, a proposal carries a value and a validRound in [-1, round), a vote a
 * value or nil. The sender's range and role are checked against the height by the machine.
 */
export function wellFormed(message: ConsensusMessage): boolean {
  if (typeof message !== "object" || message === null) return false;
  if (!isRound(message.height) || !isRound(message.round) || !Number.isSafeInteger(message.from)) return false;
  switch (message.kind) {
    case "proposal":
      return typeof message.value === "string" && message.value !== "" && Number.isSafeInteger(message.validRound) && message.validRound >= -1 && message.validRound < message.round;
    case "prevote":
    case "precommit":
      return message.value === null || (typeof message.value === "string" && message.value !== "");
    default:
      return false;
  }
}
