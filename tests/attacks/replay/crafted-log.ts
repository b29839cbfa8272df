// Writes decision logs with chosen records, sealed by the real chain, so a replay attack can verify or be tampered with.
import { writeFileSync } from "node:fs";
import { Chain } from "../../../src/log/chain.js";
import type { JsonValue } from "../../../src/log/canonical.js";
import { logMac } from "../../../src/log/mac.js";
import type { RecordBody } from "../../../src/log/records.js";

/** A rate limit of `limit` a minute per client on /api, and a confirmation for deletes. */
export const apiPolicy = (limit: number, extra = ""): string =>
  `policies:\n  - id: api_rate\n    rules:\n      - route: "/api/*"\n        requests_per_minute: ${limit}\n${extra}`;

/** Epoch ms of 2026-12-01T10:00:00Z plus `seconds`. */
export const at = (seconds: number): number => Date.parse("2026-12-01T10:00:00Z") + seconds * 1000;

/** A decision record body as the log writes it, for a GET /api call from `client` at `seconds`; `extra` adds or replaces fields. */
export function decision(id: string, seconds: number, client: string, extra: Record<string, JsonValue | undefined> = {}): RecordBody {
  return {
    context: { client, environment: "development", method: "GET", route: "/api/items" },
    counters: [],
    id,
    outcome: "allow",
    policy_ids: "*",
    reason: "no policy refused this call",
    time: new Date(at(seconds)).toISOString(),
    type: "decision",
    warnings: [],
    ...extra,
  };
}

/** The lines of one chain holding `bodies`, sealed with SHA-256 (no key), its header at `level` (null: a header of before levels). */
export function chainLines(bodies: readonly RecordBody[], level: string | null = "info"): string[] {
  const chain = new Chain(logMac(undefined), {
    instance: "attack",
    policyFile: "hexarch.yaml",
    policyDigest: "0".repeat(64),
    ...(level === null ? {} : { level }),
  });
  const batch = chain.seal(bodies, false);
  chain.commit(batch);
  return [...batch.lines];
}

/** Writes `lines` as a log file (newline-terminated). */
export function writeLog(path: string, lines: readonly string[]): void {
  writeFileSync(path, `${lines.join("\n")}\n`);
}
