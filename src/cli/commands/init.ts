import { Command } from "commander";
import { initDataDir } from "../../node/dataDir.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { devKeyWarning } from "../devKeyWarning.js";
import { action, jsonOption, parseCount, printResult, type JsonFlag } from "../output.js";
import { resolveDataDir } from "../startOptions.js";

/** initDataDir takes 1 to 256 validators. */
function validatorCount(value: string): number {
  const n = parseCount(value, "--validators");
  if (n < 1 || n > 256) throw cliError(CliErrorCode.BAD_ARGUMENT, "--validators: expected 1 to 256", { name: "--validators" });
  return n;
}

interface InitFlags extends JsonFlag {
  readonly dataDir?: string;
  readonly validators?: string;
  readonly chainId?: string;
  readonly dev?: boolean;
}

export function initCommand(): Command {
  return new Command("init")
    .description("create a data directory: genesis and node keys (with --dev, a funded dev key too)")
    .option("--data-dir <dir>", "data directory (env ATTESTA_DATA_DIR; default .attesta)")
    .option("--validators <n>", "number of validators; with more than one, writes node-<i>/ for each")
    .option("--chain-id <id>", "chain id written into the genesis")
    .option("--dev", "dev genesis: one dev key holding every role")
    .addOption(jsonOption())
    .action(
      action(async (flags: InitFlags) => {
        const dataDir = resolveDataDir(flags, process.env);
        const result = await initDataDir({
          dataDir,
          ...(flags.validators !== undefined ? { validators: validatorCount(flags.validators) } : {}),
          ...(flags.chainId !== undefined ? { chainId: flags.chainId } : {}),
          ...(flags.dev === true ? { dev: true } : {}),
        });
        printResult(flags, { dataDir, ...result }, () =>
          result.created
            ? [
                `initialised ${dataDir}`,
                `genesis: ${result.genesisPath}`,
                ...result.nodeKeyPaths.map((p) => `node key: ${p}`),
                ...(result.devKeyPath !== undefined ? [`dev key: ${result.devKeyPath}`] : []),
              ]
            : [`${dataDir} is already initialised (genesis: ${result.genesisPath}); nothing written`],
        );
        if (result.created && result.devKeyPath !== undefined) process.stderr.write(devKeyWarning(result.devKeyPath));
      }),
    );
}
