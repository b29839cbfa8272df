// `hexarch diff <old> <new>`: what changed in meaning between two policy files, not in text.
import type { Command } from "commander";
import type { Change, Effect } from "../diff/change.js";
import { diffPolicySets } from "../diff/compare.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import type { Palette, Terminal } from "../terminal.js";
import { counted } from "../wording.js";

interface DiffOptions {
  readonly json?: boolean;
}

const EFFECTS: readonly Effect[] = ["tightened", "loosened", "changed"];

function effectColour(effect: Effect, paint: Palette): (text: string) => string {
  return effect === "tightened" ? paint.red : effect === "loosened" ? paint.green : paint.cyan;
}

function where(change: Change): string {
  return change.rule === undefined ? change.policy : `${change.policy}#${change.rule}`;
}

function diff(terminal: Terminal, oldFile: string, newFile: string, options: DiffOptions): ExitCode {
  const before = loadPolicySource(terminal, oldFile);
  const after = loadPolicySource(terminal, newFile);
  const changes = diffPolicySets(before.set, after.set);
  const totals = Object.fromEntries(EFFECTS.map((effect) => [effect, changes.filter((c) => c.effect === effect).length])) as Record<
    Effect,
    number
  >;
  if (options.json === true) {
    terminal.out(JSON.stringify({ old: before.file, new: after.file, changes, totals }, null, 2));
    return EXIT.OK;
  }
  const { paint } = terminal;
  if (changes.length === 0) {
    terminal.out(`${before.file} → ${after.file}: no change in meaning`);
    return EXIT.OK;
  }
  const breakdown = EFFECTS.filter((effect) => totals[effect] > 0).map((effect) => `${totals[effect]} ${effect}`);
  terminal.out(`${before.file} → ${after.file}: ${counted(changes.length, "change")} (${breakdown.join(", ")})`);
  const width = Math.max(...changes.map((change) => where(change).length));
  for (const change of changes) {
    terminal.out(
      `  ${effectColour(change.effect, paint)(change.effect.padEnd(9))}  ${paint.bold(where(change).padEnd(width))}  ${change.change}`,
    );
  }
  return EXIT.OK;
}

/**
 * Adds `hexarch diff <old> <new> [--json]` to the program.
 * @example registerDiff(program, terminal, act)
 */
export function registerDiff(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("diff")
    .description("compare two policy files by meaning: policies and rules added or removed, limits tightened or loosened, modes changed")
    .argument("<old>", "the policy file before")
    .argument("<new>", "the policy file after")
    .option("--json", "print { old, new, changes, totals } as JSON")
    .addHelpText(
      "after",
      [
        "",
        "tightened: more calls refused than before; loosened: fewer; changed: neither clearly (a new counter key, a moved window).",
        "Exit code 0 whether or not there are changes; 1 when either file is invalid.",
        "",
        "Examples:",
        "  $ hexarch diff hexarch.yaml hexarch.next.yaml",
        "  $ git show main:hexarch.yaml > /tmp/old.yaml && hexarch diff /tmp/old.yaml hexarch.yaml --json",
        "",
      ].join("\n"),
    )
    .action(act((oldFile: string, newFile: string, options: DiffOptions) => diff(terminal, oldFile, newFile, options)));
}
