// The policies every HTTP bench guards with: the Quick Start file, its rate limit raised out of reach.
import { readFileSync } from "node:fs";

const QUICK_START = readFileSync(new URL("../tests/fixtures/seed/quickstart.yaml", import.meta.url), "utf8");

/** The Quick Start policies with a rate limit no benchmark reaches, so every request takes the full allow path. */
export const BENCH_POLICIES = QUICK_START.replace("requests_per_minute: 100\n", "requests_per_minute: 1000000000\n");
if (BENCH_POLICIES === QUICK_START) throw new Error("quickstart.yaml no longer has requests_per_minute: 100");

/** The confirmation secret of the benches' guards (fixed, so no run warns about a per-process secret). */
export const BENCH_SECRET = "bench-secret-0123456789abcdef";
