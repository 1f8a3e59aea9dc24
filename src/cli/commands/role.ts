import { Command } from "commander";
import { grantRoleArgs, revokeRoleArgs, ROLES, type Role } from "../../client/governanceArgs.js";
import { TxKind } from "../../client/txKinds.js";
import { action } from "../output.js";
import { choiceOption, sendTx, withTxOptions, type TxFlags } from "../sendTx.js";

interface RoleFlags extends TxFlags {
  readonly account: string;
  readonly role: Role;
}

export function roleCommand(): Command {
  const role = new Command("role").description("grant and revoke roles (admin, operator, consumer)");

  for (const [name, kind, build, what] of [
    ["grant", TxKind.GRANT_ROLE, grantRoleArgs, "grant a role to an account"],
    ["revoke", TxKind.REVOKE_ROLE, revokeRoleArgs, "revoke a role from an account"],
  ] as const) {
    withTxOptions(role.command(name), "key file of an admin")
      .description(what)
      .requiredOption("--account <address>", "0x address of the account")
      .addOption(choiceOption("--role <role>", "the role", ROLES).makeOptionMandatory())
      .action(action(async (flags: RoleFlags) => sendTx(flags, kind, () => build(flags.account, flags.role))));
  }

  return role;
}
