import { Command, Option } from "commander";
import { toHex } from "../../crypto/bytes.js";
import { writeKeyFile } from "../../crypto/keyFile.js";
import { generateKeyPair, type KeyPair } from "../../crypto/keys.js";
import { KEY_TYPES, type KeyType } from "../../crypto/keyTypes.js";
import { loadKey } from "../keyFileInput.js";
import { action, jsonOption, printResult, type JsonFlag } from "../output.js";

/** What `keys` prints about a key: never the secret. */
function publicView(key: KeyPair) {
  return { type: key.type, address: toHex(key.address), publicKey: toHex(key.publicKey) };
}

function printKey(flags: JsonFlag, key: KeyPair, extra: readonly string[] = []): void {
  const view = publicView(key);
  printResult(flags, view, () => [`type:      ${view.type}`, `address:   ${view.address}`, `publicKey: ${view.publicKey}`, ...extra]);
}

export function keysCommand(): Command {
  const keys = new Command("keys").description("create and inspect key files");

  keys
    .command("new")
    .description("generate a key pair and write it to a new key file (mode 0600)")
    .addOption(new Option("--type <type>", "signature scheme").choices(KEY_TYPES).default("secp256k1"))
    .requiredOption("--out <file>", "key file to create (refuses to overwrite)")
    .addOption(jsonOption())
    .action(
      action(async (flags: JsonFlag & { type: KeyType; out: string }) => {
        const key = generateKeyPair(flags.type);
        await writeKeyFile(flags.out, key);
        printKey(flags, key, [`written to ${flags.out}`]);
      }),
    );

  keys
    .command("show")
    .description("print the type, address and public key of a key file")
    .argument("<file>", "key file")
    .addOption(jsonOption())
    .action(
      action(async (file: string, flags: JsonFlag) => {
        printKey(flags, await loadKey(file));
      }),
    );

  return keys;
}
