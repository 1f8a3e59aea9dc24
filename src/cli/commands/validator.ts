import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import { voteArgs } from "../../client/governanceArgs.js";
import { TxKind } from "../../client/txKinds.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { action, apiOption, jsonOption, printResult, type JsonFlag } from "../output.js";
import { sendTx, withTxOptions, type TxFlags } from "../sendTx.js";

interface VoteFlags extends TxFlags {
  readonly target: string;
  readonly add?: boolean;
  readonly remove?: boolean;
  readonly publicKey?: string;
}

export function validatorCommand(): Command {
  const validator = new Command("validator").description("govern the validator set (Clique-style votes)");

  withTxOptions(validator.command("vote"), "key file of a current validator")
    .description("vote to add or remove a validator; a majority of the set decides, effective two heights later")
    .requiredOption("--target <address>", "0x address of the validator to add or remove")
    .option("--add", "vote to add it (needs --public-key)")
    .option("--remove", "vote to remove it")
    .option("--public-key <hex>", "its secp256k1 public key, 0x hex (to add)")
    .action(
      action(async (flags: VoteFlags) => {
        if ((flags.add === true) === (flags.remove === true)) throw cliError(CliErrorCode.BAD_ARGUMENT, "give either --add or --remove", { name: "--add" });
        if (flags.add === true && flags.publicKey === undefined) {
          throw cliError(CliErrorCode.BAD_ARGUMENT, "--add needs --public-key (the new validator's key)", { name: "--public-key" });
        }
        if (flags.remove === true && flags.publicKey !== undefined) {
          throw cliError(CliErrorCode.BAD_ARGUMENT, "--public-key goes with --add only", { name: "--public-key" });
        }
        await sendTx(flags, TxKind.VOTE, () => voteArgs({ target: flags.target, add: flags.add === true, publicKey: flags.publicKey ?? null }));
      }),
    );

  validator
    .command("list")
    .description("show the validator set and the open votes")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (flags: JsonFlag & { api: string }) => {
        const info = await new AttestaClient({ url: flags.api }).validators();
        printResult(flags, info, () => [
          ...info.validators.map((v) => `validator: ${v.address}`),
          ...info.votes.map((v) => `vote:      ${v.add ? "add" : "remove"} ${v.target} (${v.voters.length} of ${info.validators.length})`),
        ]);
      }),
    );

  return validator;
}
