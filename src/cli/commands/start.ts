import { existsSync } from "node:fs";
import { Command } from "commander";
import { startApiServer, type ApiServer } from "../../api/server.js";
import { initDataDir } from "../../node/dataDir.js";
import { startNode } from "../../node/node.js";
import { dataDirLayout } from "../../node/options.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { devKeyWarning } from "../devKeyWarning.js";
import { rootLogger } from "../logger.js";
import { action } from "../output.js";
import { syncProgressBar } from "../syncBar.js";
import { readConfigFile, resolveDataDir, resolveStartOptions, type StartFlags } from "../startOptions.js";

interface StartCommandFlags {
  readonly dataDir?: string;
  readonly dev?: boolean;
  readonly apiHost?: string;
  readonly apiPort?: string;
  readonly logLevel?: string;
  readonly p2p?: boolean;
  readonly p2pListen?: string[];
  readonly p2pAnnounce?: string[];
  readonly bootstrap?: string[];
  readonly mdns?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function startCommand(): Command {
  return new Command("start")
    .description("run a node and its HTTP API until SIGINT or SIGTERM")
    .option("--data-dir <dir>", "data directory (env ATTESTA_DATA_DIR; default .attesta)")
    .option("--dev", "on first start, create a dev chain with this node as its only validator (env ATTESTA_DEV)")
    .option("--api-host <host>", "API interface (env ATTESTA_API_HOST; default 127.0.0.1)")
    .option("--api-port <port>", "API port, 0 for any free one (env ATTESTA_API_PORT; default 7545)")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (env ATTESTA_LOG_LEVEL; default info)")
    .option("--validator", "take part in consensus: refuse to start unless the node key is in the validator set")
    .option("--no-validator", "follow the chain without taking part in consensus, even with a validator key")
    .option("--p2p-listen <multiaddr>", "peer-to-peer listen address, repeatable (env ATTESTA_P2P_LISTEN, comma-separated; default /ip4/0.0.0.0/tcp/7546)", collect)
    .option("--p2p-announce <multiaddr>", "address to announce to peers instead of the listen addresses, repeatable", collect)
    .option("--bootstrap <multiaddr>", "peer to dial, /ip4/<ip>/tcp/<port>/p2p/<peer id>, repeatable (env ATTESTA_BOOTSTRAP, comma-separated)", collect)
    .option("--no-mdns", "do not look for peers on the local network (multicast DNS)")
    .option("--no-p2p", "no peer-to-peer network at all (a lone validator)")
    .addHelpText("after", "\nPrecedence: flags > ATTESTA_* environment variables > <data-dir>/config.json > defaults.")
    .action(
      action(async (flags: StartCommandFlags, cmd: Command) => {
        // `--no-x` options default x to true: only an explicit flag counts.
        const given = (name: string): boolean => cmd.getOptionValueSource(name) === "cli";
        const validator = given("validator") ? (cmd.getOptionValue("validator") as boolean) : undefined;
        const startFlags: StartFlags = {
          ...flags,
          validator,
          requireValidator: validator === true,
          p2p: given("p2p") ? flags.p2p : undefined,
          mdns: given("mdns") ? flags.mdns : undefined,
        };
        const dataDir = resolveDataDir(startFlags, process.env);
        const layout = dataDirLayout(dataDir);
        const config = await readConfigFile(layout.config);
        const opts = resolveStartOptions({ flags: startFlags, env: process.env, config });
        const logger = rootLogger(opts.node.logLevel);
        const log = logger.child({ module: "cli" });

        if (opts.node.dev) {
          const init = await initDataDir({ dataDir, dev: true });
          if (init.created && init.devKeyPath !== undefined) process.stderr.write(devKeyWarning(init.devKeyPath));
        } else if (!existsSync(layout.genesis)) {
          throw cliError(CliErrorCode.NOT_INITIALISED, `${dataDir} has no genesis: run \`attesta init\` first, or start with --dev`, {
            dataDir,
          });
        }

        // startNode and startApiServer name their own child loggers ({ module }).
        const onSyncProgress = syncProgressBar();
        const node = await startNode(opts.node, { logger, ...(onSyncProgress !== undefined ? { onSyncProgress } : {}) });
        let api: ApiServer;
        try {
          api = await startApiServer(opts.api, { node, logger });
        } catch (err) {
          await node.stop();
          throw err;
        }
        log.info({ url: api.url, dataDir, dev: opts.node.dev, validator: opts.node.validator }, "attesta node running");

        let stopping = false;
        const shutdown = (signal: NodeJS.Signals): void => {
          if (stopping) {
            log.warn({ signal }, "second signal: exiting without a clean stop");
            process.exit(1);
          }
          stopping = true;
          log.info({ signal }, "stopping");
          api
            .stop()
            .then(() => node.stop())
            .then(
              () => {
                log.info("stopped");
                process.exit(0);
              },
              (err: unknown) => {
                log.error({ err }, "clean stop failed");
                process.exit(1);
              },
            );
        };
        process.on("SIGINT", shutdown);
        process.on("SIGTERM", shutdown);
      }),
    );
}
