// Checks on a schema-valid `logging:` section: combinations of keys the schema alone cannot catch.
import { LoggingSchema } from "./schema.js";
import type { ProblemReport } from "./problem-report.js";
import { urlSchemeProblem } from "./url-scheme.js";

/** Why `url` cannot name a PostgreSQL server, or undefined when it can. */
export function postgresUrlProblem(url: string): string | undefined {
  return urlSchemeProblem(url, ["postgres", "postgresql"]);
}

/** URL schemes a log witness may use: a PostgreSQL table, a Redis hash, or an endpoint that receives each head as a POST. */
export const WITNESS_SCHEMES = ["postgres", "postgresql", "redis", "rediss", "http", "https"] as const;

/** The fix shown for a witness URL that is not one. */
export const WITNESS_URL_FIX = "use postgres://…, redis://… or https://… (an endpoint that receives each head as a POST)";

/** Why `url` cannot name a log witness, or undefined when it can. */
export function witnessUrlProblem(url: string): string | undefined {
  return urlSchemeProblem(url, WITNESS_SCHEMES);
}

/** The fix shown for a Postgres URL that is not one. */
export const POSTGRES_URL_FIX = "use postgres://user:password@host:5432/database";

/** Adds the problems of the `logging:` section in parsed policy-file data to `report` (nothing when it is absent or fails the schema). */
export function checkLogging(section: unknown, report: ProblemReport): void {
  const parsed = LoggingSchema.safeParse(section);
  if (section === undefined || !parsed.success) return;
  const logging = parsed.data;
  if (logging.keep !== undefined && logging.max_bytes === undefined) {
    report.add(["logging", "keep"], {
      message: "keep counts rotated files, but nothing rotates without max_bytes",
      fix: "add max_bytes: (e.g. max_bytes: 10485760 for 10 MiB), or remove keep:",
    });
  }
  if (logging.witness !== undefined) {
    const problem = witnessUrlProblem(logging.witness);
    if (problem !== undefined) report.add(["logging", "witness"], { message: problem, fix: WITNESS_URL_FIX });
  }
  if (logging.name !== undefined && logging.witness === undefined) {
    report.add(["logging", "name"], {
      message: "name is the log's name at its witness, but no witness is set",
      fix: "add witness: (postgres://…, redis://… or https://…), or remove name:",
    });
  }
  if (logging.postgres_url !== undefined) {
    const problem = postgresUrlProblem(logging.postgres_url);
    if (problem !== undefined) report.add(["logging", "postgres_url"], { message: problem, fix: POSTGRES_URL_FIX });
    if (logging.max_bytes !== undefined) {
      report.add(["logging", "max_bytes"], {
        message: "max_bytes rotates the log file, but postgres_url sends the log to PostgreSQL",
        fix: "remove max_bytes: (and keep:), or remove postgres_url: to log to the file",
      });
    }
  }
}
