// `hexarch budgets`: each budget's period, spent, reserved, remaining, burn rate and projection, per key, from Redis.
import type { Command } from "commander";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { budgetRows, type BudgetRow } from "../../engine/budget-rows.js";
import { guardianFor, loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import { parseInstant } from "../request.js";
import { renderTable } from "../table.js";
import type { Terminal } from "../terminal.js";

interface BudgetsOptions {
  readonly redisUrl?: string;
  readonly prefix: string;
  readonly at?: string;
  readonly json?: boolean;
}

/** An amount as budgets show it: up to six decimals, no trailing zeros. */
function amount(value: number): string {
  return String(Number(value.toFixed(6)));
}

async function budgets(terminal: Terminal, file: string | undefined, options: BudgetsOptions): Promise<ExitCode> {
  const now = options.at === undefined ? Date.now() : parseInstant(options.at);
  const source = loadPolicySource(terminal, file);
  const env = options.redisUrl === undefined ? terminal.env : { ...terminal.env, HEXARCH_REDIS_URL: options.redisUrl };
  const guardian = guardianFor(source, { env, cwd: terminal.cwd, clock: () => now });
  let rows: BudgetRow[];
  try {
    if (guardian.store.name !== "redis") {
      throw new UsageError(
        "hexarch budgets reads the counters from Redis, and no Redis is configured. Counters in memory live inside the running app and cannot be read from outside it; " +
          "set store.redis_url in the policy file or HEXARCH_REDIS_URL, or pass --redis-url",
      );
    }
    rows = await budgetRows(source.set, guardian.store, options.prefix, now);
  } finally {
    await guardian.close();
  }
  if (options.json === true) {
    terminal.out(JSON.stringify({ file: source.file, at: new Date(now).toISOString(), budgets: rows }, null, 2));
    return EXIT.OK;
  }
  if (rows.length === 0) {
    terminal.out(`${source.file}: nothing spent or reserved on any budget this period`);
    return EXIT.OK;
  }
  const table = rows.map((r) => [
    `${r.policy}#${r.rule}`,
    `${r.window} ${r.period}`,
    r.key,
    amount(r.spent),
    amount(r.reserved),
    amount(r.remaining),
    amount(r.limit),
    `${amount(r.burnPerDay)}/day`,
    amount(r.projected),
  ]);
  terminal.out(`${source.file}: budgets at ${new Date(now).toISOString()}`);
  for (const line of renderTable(
    ["BUDGET", "PERIOD", "KEY", "SPENT", "RESERVED", "REMAINING", "LIMIT", "BURN", "PROJECTED"],
    table,
    terminal.paint,
  ))
    terminal.out(line);
  return EXIT.OK;
}

/**
 * Adds `hexarch budgets [file] [--redis-url url] [--prefix p] [--at time] [--json]` to the program.
 * @example registerBudgets(program, terminal, act)
 */
export function registerBudgets(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("budgets")
    .description("show each budget's period, spent, reserved, remaining, burn rate and projected spend, per key, read from Redis")
    .argument("[file]", "policy file (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .option("--redis-url <url>", "the Redis the app counts in (default: HEXARCH_REDIS_URL, else the file's store.redis_url)")
    .option("--prefix <prefix>", "the app's counter key prefix (createGuardian's prefix option)", "hexarch:")
    .option("--at <time>", "the instant to report at, with an offset (default: now)")
    .option("--json", "print the budgets as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Spent is what settled calls cost; reserved is the estimate of calls admitted and not settled yet; the burn",
        "rate counts both since the period began, and the projection assumes it holds until the period ends.",
        "Counters kept in memory live inside the running app: this command reads Redis only.",
        "",
        "Examples:",
        "  $ hexarch budgets --redis-url redis://127.0.0.1:6379",
        "  $ hexarch budgets --json | jq '.budgets[] | select(.remaining < 5)'",
        "",
      ].join("\n"),
    )
    .action(act((file: string | undefined, options: BudgetsOptions) => budgets(terminal, file, options)));
}
