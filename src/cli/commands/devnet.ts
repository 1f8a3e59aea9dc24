import { Command } from "commander";
import { NODE_ENV_DEFAULTS, NODE_HEAP_FLAGS } from "../../node/options.js";
import { devKeyWarning } from "../devKeyWarning.js";
import { checkPortsFree, prepareDevnet, writeManifest } from "../devnetFiles.js";
import { linePrefix, useColour } from "../devnetLogs.js";
import { DEVNET_DEFAULTS, MAX_DEVNET_VALIDATORS, devnetManifest, planDevnet, resolveDevnetOptions, type DevnetFlags } from "../devnetPlan.js";
import { signalNode, spawnNode, stopNodes, STOP_GRACE_MS, superviseNodes, type NodeProcess } from "../devnetProcesses.js";
import { action } from "../output.js";

const say = (line: string): void => void process.stderr.write(`devnet | ${line}\n`);

export function devnetCommand(): Command {
  const d = DEVNET_DEFAULTS;
  return new Command("devnet")
    .description("run a local network of validators on 127.0.0.1, one process each, until Ctrl-C or SIGTERM")
    .option("--validators <n>", `number of validator nodes, 1 to ${MAX_DEVNET_VALIDATORS} (default ${d.validators})`)
    .option("--dir <dir>", `keys, genesis, devnet.json and node-<i>/ data directories (default ${d.dir})`)
    .option("--base-port <port>", `node i serves its API on port base+2i and listens for peers on base+2i+1 (default ${d.basePort})`)
    .option("--log-level <level>", `the nodes' log level: fatal|error|warn|info|debug|trace|silent (default ${d.logLevel})`)
    .option("--node-arg <flag>", "a Node.js flag for every node process, repeatable (e.g. --node-arg=--cpu-prof)", (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .addHelpText("after", "\nA second run with the same --dir restarts the same chain. See docs/devnet.md.")
    .action(
      action(async (flags: DevnetFlags & { readonly nodeArg?: string[] }) => {
        const opts = resolveDevnetOptions(flags, process.cwd());
        const chain = await prepareDevnet(opts.dir, opts.validators);
        // The same `attesta` that runs now: node, its flags (tsx's loader, if any), the --node-arg
        // flags, the script; with heap limits unless a cap is given, so each node keeps to a
        // Raspberry Pi's budget.
        const nodeArgs = [...process.execArgv, ...(flags.nodeArg ?? [])];
        const heap = nodeArgs.some((a) => a.startsWith("--max-old-space-size")) ? [] : NODE_HEAP_FLAGS;
        const cli = [process.execPath, ...heap, ...nodeArgs, process.argv[1] ?? ""];
        const plans = planDevnet(opts, cli, chain.peerIds);
        await checkPortsFree(plans.flatMap((p) => [p.apiPort, p.p2pPort]));

        if (chain.created) process.stderr.write(devKeyWarning(chain.devKey));
        say(
          chain.created
            ? `new chain ${chain.chainId}: ${opts.validators} validator(s) in ${opts.dir}`
            : `restarting chain ${chain.chainId} from ${opts.dir} (its keys, genesis and databases are kept; delete the directory for a fresh chain)`,
        );

        const nodes: NodeProcess[] = [];
        // Whatever ends this process short of SIGKILL ends its nodes too.
        const stopOnExit = (): void => nodes.forEach((p) => signalNode(p, "SIGTERM"));
        process.on("exit", stopOnExit);
        let manifest: string;
        try {
          const colour = useColour(process.stdout, process.env);
          const width = Math.max(...plans.map((p) => p.name.length));
          const write = (text: string): void => void process.stdout.write(text);
          const env = { ...NODE_ENV_DEFAULTS, ...process.env };
          plans.forEach((plan, i) => nodes.push(spawnNode(plan, linePrefix(plan.name, i, width, colour), write, env)));
          manifest = await writeManifest(opts.dir, devnetManifest(chain, plans, nodes.map((p) => p.pid)));
        } catch (err) {
          await stopNodes(nodes, STOP_GRACE_MS);
          process.off("exit", stopOnExit);
          throw err;
        }

        for (const [i, plan] of plans.entries()) say(`${plan.name}  pid ${nodes[i]!.pid}  api ${plan.apiUrl}  p2p ${plan.p2pAddress}`);
        say(`dev key (funded, every role): ${chain.devKey}`);
        say(`nodes, pids and restart commands: ${manifest}`);
        say(`Ctrl-C, or kill -TERM ${process.pid}, stops every node`);

        const status = await superviseNodes(nodes, say);
        process.off("exit", stopOnExit);
        process.exitCode = status;
      }),
    );
}
