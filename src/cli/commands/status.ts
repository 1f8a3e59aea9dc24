import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import { action, apiOption, jsonOption, printResult, type JsonFlag } from "../output.js";

export function statusCommand(): Command {
  return new Command("status")
    .description("show a node's chain, height, finality and mempool")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (flags: JsonFlag & { api: string }) => {
        const s = await new AttestaClient({ url: flags.api }).status();
        printResult(flags, s, () => [
          `chain:      ${s.chainId} (${s.mode}, v${s.version})`,
          `height:     ${s.height} (finalized ${s.finalizedHeight})`,
          `head:       ${s.headHash} at ${new Date(s.headTimestamp).toISOString()}`,
          `validators: ${s.validators.length}`,
          `mempool:    ${s.mempool.count} txs, ${s.mempool.bytes} bytes`,
          `fee:        ${s.params.feePerByte} per byte`,
        ]);
      }),
    );
}
