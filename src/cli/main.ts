#!/usr/bin/env node
import "../polyfill.js";
import { Command } from "commander";
import { devnetCommand } from "./commands/devnet.js";
import { deviceCommand } from "./commands/device.js";
import { initCommand } from "./commands/init.js";
import { inspectCommand } from "./commands/inspect.js";
import { keysCommand } from "./commands/keys.js";
import { marketCommand } from "./commands/market.js";
import { profileCommand } from "./commands/profile.js";
import { readingCommand } from "./commands/reading.js";
import { roleCommand } from "./commands/role.js";
import { startCommand } from "./commands/start.js";
import { statusCommand } from "./commands/status.js";
import { txCommand } from "./commands/tx.js";
import { validatorCommand } from "./commands/validator.js";
import { VERSION } from "../node/version.js";

const program = new Command("attesta")
  .description("Attesta: a lightweight proof-of-authority ledger that attests IoT devices")
  .version(VERSION)
  // Root options (--version) only before a subcommand, so `profile show ID --version N` is the subcommand's.
  .enablePositionalOptions()
  .showHelpAfterError()
  .addCommand(initCommand())
  .addCommand(startCommand())
  .addCommand(devnetCommand())
  .addCommand(keysCommand())
  .addCommand(txCommand())
  .addCommand(deviceCommand())
  .addCommand(profileCommand())
  .addCommand(readingCommand())
  .addCommand(inspectCommand())
  .addCommand(roleCommand())
  .addCommand(validatorCommand())
  .addCommand(marketCommand())
  .addCommand(statusCommand());

await program.parseAsync(process.argv);
