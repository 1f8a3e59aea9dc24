import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import { addressBytes } from "../../client/buildTransaction.js";
import { AttestaError } from "../../errors.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { loadKey } from "../keyFileInput.js";
import { action, apiOption, jsonOption, parseAmount, printResult, type JsonFlag } from "../output.js";

interface TransferFlags extends JsonFlag {
  readonly key: string;
  readonly to: string;
  readonly amount: string;
  readonly fee?: string;
  readonly wait?: boolean;
  readonly api: string;
}

function recipient(to: string): Uint8Array {
  try {
    return addressBytes(to);
  } catch {
    throw cliError(CliErrorCode.BAD_ARGUMENT, "--to: expected a 0x address of 20 bytes", { name: "--to" });
  }
}

export function txCommand(): Command {
  const tx = new Command("tx").description("build, sign and submit transactions");

  tx.command("transfer")
    .description("transfer an amount from the key's account to an address")
    .requiredOption("--key <file>", "key file of the sender")
    .requiredOption("--to <address>", "0x address of the recipient")
    .requiredOption("--amount <n>", "amount, a whole number")
    .option("--fee <n>", "fee (default: the minimum for the transaction's size)")
    .option("--wait", "wait until the transaction is included; fail with its code if it failed")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (flags: TransferFlags) => {
        const to = recipient(flags.to);
        const amount = parseAmount(flags.amount, "--amount");
        const fee = flags.fee !== undefined ? parseAmount(flags.fee, "--fee") : undefined;
        const key = await loadKey(flags.key);
        const client = new AttestaClient({ url: flags.api });
        const result = await client.transfer(key, to, amount, { fee, wait: flags.wait === true });
        const { status } = result;
        if (status?.receipt?.status === "failed") {
          const code = status.receipt.code || "TX_FAILED";
          throw new AttestaError(code, `transaction ${result.hash} failed: ${code}`, {
            hash: result.hash,
            height: status.height,
            index: status.index,
          });
        }
        const view = { hash: result.hash, nonce: result.tx.nonce, fee: result.tx.fee, ...(status !== undefined ? { status } : {}) };
        printResult(flags, view, () => [
          `submitted ${result.hash} (nonce ${result.tx.nonce}, fee ${result.tx.fee})`,
          ...(status !== undefined ? [`${status.status} at height ${status.height} (index ${status.index})`] : []),
        ]);
      }),
    );

  return tx;
}
