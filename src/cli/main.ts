#!/usr/bin/env node
import "../polyfill.js";
import { Command } from "commander";
import { initCommand } from "./commands/init.js";
import { keysCommand } from "./commands/keys.js";
import { startCommand } from "./commands/start.js";
import { statusCommand } from "./commands/status.js";
import { txCommand } from "./commands/tx.js";
import { VERSION } from "../node/version.js";

const program = new Command("attesta")
  .description("Attesta: a lightweight proof-of-authority ledger that attests IoT devices")
  .version(VERSION)
  .showHelpAfterError()
  .addCommand(initCommand())
  .addCommand(startCommand())
  .addCommand(keysCommand())
  .addCommand(txCommand())
  .addCommand(statusCommand());

await program.parseAsync(process.argv);
