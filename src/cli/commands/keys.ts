// `hexarch keys create|list|revoke`: API keys for `hexarch serve`, kept hashed in hexarch.keys.json beside the policy file.
import type { Command } from "commander";
import { discoverPolicyFile } from "../../engine/config/discover.js";
import { createKey, keysFileFor, readKeys, revokeKey, SCOPES, type Scope } from "../../server/api-keys.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { displayPath } from "../policy-source.js";
import type { Act } from "../program.js";
import { renderTable } from "../table.js";
import type { Terminal } from "../terminal.js";

interface KeysFlags {
  readonly config?: string;
}

function keysPath(terminal: Terminal, flags: KeysFlags): string {
  return keysFileFor(
    discoverPolicyFile({
      cwd: terminal.cwd,
      env: { ...terminal.env },
      ...(flags.config === undefined ? {} : { policyFile: flags.config, givenBy: "--config" }),
    }),
  );
}

function create(terminal: Terminal, flags: KeysFlags & { readonly scope: string[]; readonly name: string }): ExitCode {
  const unknown = flags.scope.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) throw new UsageError(`unknown scope ${unknown.join(", ")}: use decide, view or admin`);
  const path = keysPath(terminal, flags);
  const { key, stored } = createKey(path, flags.name, flags.scope as Scope[]);
  terminal.out(key);
  terminal.err(
    `created key ${stored.id} "${stored.name}" (${stored.scopes.join(", ")}) in ${displayPath(path, terminal.cwd)}; it is shown only now, store it as a secret`,
  );
  return EXIT.OK;
}

function list(terminal: Terminal, flags: KeysFlags & { readonly json?: boolean }): ExitCode {
  const keys = readKeys(keysPath(terminal, flags));
  if (flags.json === true) {
    terminal.out(
      JSON.stringify(
        keys.map(({ hash: _hash, ...shown }) => shown),
        null,
        2,
      ),
    );
    return EXIT.OK;
  }
  if (keys.length === 0) {
    terminal.out("no keys: create one with hexarch keys create --scope decide --name app");
    return EXIT.OK;
  }
  const rows = keys.map((k) => [
    k.id,
    k.name,
    k.scopes.join(","),
    k.created_at,
    k.last_used_at ?? "never",
    k.revoked_at === null ? "active" : `revoked ${k.revoked_at}`,
  ]);
  for (const line of renderTable(["ID", "NAME", "SCOPES", "CREATED", "LAST USED", "STATUS"], rows, terminal.paint)) terminal.out(line);
  return EXIT.OK;
}

function revoke(terminal: Terminal, idOrName: string, flags: KeysFlags): ExitCode {
  if (!revokeKey(keysPath(terminal, flags), idOrName)) {
    terminal.err(`no active key with id or name "${idOrName}" (see hexarch keys list)`);
    return EXIT.FAILED;
  }
  terminal.out(`revoked ${idOrName}; running servers stop accepting it within a second`);
  return EXIT.OK;
}

/**
 * Adds `hexarch keys create|list|revoke` to the program.
 * @example registerKeys(program, terminal, act)
 */
export function registerKeys(program: Command, terminal: Terminal, act: Act): void {
  const keys = program.command("keys").description("manage the API keys hexarch serve accepts (stored hashed beside the policy file)");
  const config = (command: Command): Command =>
    command.option("--config <file>", "policy file whose folder holds hexarch.keys.json (default: discovered)");
  config(keys.command("create"))
    .description("create a key and print it once")
    .requiredOption("--name <name>", "what the key is for, e.g. ci")
    .option(
      "--scope <scope>",
      "decide (decisions, settle, events), view (the budgets page only) or admin (all, also the log and metrics); repeat for more",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addHelpText("after", "\nExample:\n  $ hexarch keys create --scope decide --name ci\n")
    .action(
      act((flags: KeysFlags & { scope?: string[]; name: string }) => create(terminal, { ...flags, scope: flags.scope ?? ["decide"] })),
    );
  config(keys.command("list"))
    .description("list keys: id, name, scopes, created, last used, revoked")
    .option("--json", "print the keys as JSON (never their hashes)")
    .action(act((flags: KeysFlags & { json?: boolean }) => list(terminal, flags)));
  config(keys.command("revoke"))
    .description("revoke a key by id or name")
    .argument("<id-or-name>")
    .action(act((idOrName: string, flags: KeysFlags) => revoke(terminal, idOrName, flags)));
}
