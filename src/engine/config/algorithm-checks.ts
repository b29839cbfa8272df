// Load-time checks of a rule's rate algorithm: burst only on a token bucket, sliding-window limits it can hold.
import { MAX_SLIDING_LIMIT, type RateAlgorithm } from "../../stores/store.js";
import type { ProblemReport } from "./problem-report.js";
import { RATE_LIMIT_FIELDS } from "./rate-windows.js";
import type { RuleSpec } from "./schema.js";

type RulePath = readonly (string | number)[];

/**
 * Adds the algorithm problems of one schema-valid rule: `algorithm` or `burst` without a rate limit, `burst` on an
 * algorithm without a bucket, and a `sliding_window` limit above MAX_SLIDING_LIMIT (the fix names token_bucket).
 * `fileAlgorithm` is the file's top-level `algorithm`, which rules without their own follow.
 * @example checkAlgorithm({ requests_per_day: 50_000, algorithm: "sliding_window" }, ["policies", 0, "rules", 0], report, undefined)
 */
export function checkAlgorithm(rule: RuleSpec, path: RulePath, report: ProblemReport, fileAlgorithm: RateAlgorithm | undefined): void {
  const rates = RATE_LIMIT_FIELDS.filter((field) => rule[field] !== undefined);
  const algorithm = rule.algorithm ?? fileAlgorithm ?? "fixed_window";
  if (rates.length === 0) {
    if (rule.algorithm !== undefined)
      report.add([...path, "algorithm"], {
        message: "algorithm only applies to a rate limit",
        fix: "add requests_per_minute: (or another requests_per_ key), or remove algorithm:",
      });
    if (rule.burst !== undefined)
      report.add([...path, "burst"], {
        message: "burst only applies to a rate limit",
        fix: "add requests_per_minute: with algorithm: token_bucket, or remove burst:",
      });
    return;
  }
  if (rule.burst !== undefined && algorithm !== "token_bucket") {
    report.add([...path, "burst"], {
      message: `burst only applies to a token bucket, and this rule's algorithm is ${algorithm}`,
      fix: "add algorithm: token_bucket to this rule, or remove burst:",
    });
  }
  if (algorithm !== "sliding_window") return;
  for (const field of rates) {
    const limit = rule[field] as number;
    if (limit <= MAX_SLIDING_LIMIT) continue;
    report.add([...path, field], {
      message: `${field}: ${limit} is more than a sliding window holds (${MAX_SLIDING_LIMIT} calls per window: it keeps the instant of every call admitted in the last window, 8 bytes each, per key)`,
      fix: `use algorithm: token_bucket for this rule (O(1) state per key; burst: bounds a spike), or a limit of at most ${MAX_SLIDING_LIMIT} over a shorter window`,
    });
  }
}
