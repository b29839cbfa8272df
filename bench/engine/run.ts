// Engine benchmark: decisions per second for the Quick Start policies on the memory store, and decision time as policies grow.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { createGuardian, type Decision, type GuardContext, type Guardian } from "../../src/index.js";
import { pricingFigures } from "./pricing.js";

const QUICKSTART = readFileSync(join(import.meta.dirname, "../../tests/fixtures/seed/quickstart.yaml"), "utf8");
/** Decisions per measured round; each round starts on a fresh guardian so every counter starts empty. */
const ROUND = Number(process.env["BENCH_ROUND"] ?? 500_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
/** Calls in flight together in batched mode, as a busy server issues them within one turn of the event loop. */
const BATCH = 1_000;
/** Clients, so each gets exactly 100 calls per round: the Quick Start limit (100 a minute) is reached, never passed. */
const CLIENTS = Array.from({ length: ROUND / 100 }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}`);
/** A wide crowd: 100,000 clients, 5 calls each per round, so counters rarely sit in the processor's caches. */
const CROWD = Array.from({ length: 100_000 }, (_, i) => `203.0.${(i >> 8) & 255}.${i & 255}:${i >> 16}`);
const TARGET = 1_000_000;

type Call = (i: number) => Promise<unknown>;
type Style = "sequential" | "batched";

/** CPU time this process has used, in milliseconds: what "on one core" costs, whatever else the machine runs. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Decisions per second of CPU time for one round of ROUND calls, awaited one by one or BATCH at a time. CPU time
 * includes V8's helper threads (GC), so it never flatters the single-core figure.
 */
async function round(call: Call, style: Style): Promise<number> {
  const pending = new Array<Promise<unknown>>(BATCH);
  const began = cpuMs();
  for (let done = 0; done < ROUND; done += BATCH) {
    if (style === "sequential") {
      for (let k = 0; k < BATCH; k++) await call(done + k);
    } else {
      for (let k = 0; k < BATCH; k++) pending[k] = call(done + k);
      await Promise.all(pending);
    }
  }
  return (ROUND * 1000) / (cpuMs() - began);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median decisions per second over ROUNDS rounds after one warm-up round, each round on a fresh setup. */
async function perSecond(setup: () => Call, style: Style): Promise<number> {
  await round(setup(), style);
  const results: number[] = [];
  for (let r = 0; r < ROUNDS; r++) results.push(await round(setup(), style));
  return median(results);
}

function quickstart(): Guardian {
  return createGuardian({ policyText: QUICKSTART, policyFile: "quickstart.yaml", env: {} });
}

function client(i: number): string {
  return CLIENTS[i % CLIENTS.length] as string;
}

/** What share of one round's decisions had each outcome. */
async function outcomeMix(call: Call): Promise<string> {
  const counts = new Map<string, number>();
  for (let i = 0; i < ROUND; i++) {
    const outcome = ((await call(i)) as Decision).outcome;
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return [...counts].map(([outcome, n]) => `${outcome} ${((n / ROUND) * 100).toFixed(2).replace(/\.?0+$/, "")}%`).join(", ");
}

const CONFIRMED_DELETE: GuardContext = { operation: "delete", confirm: true };

const scenarios: [string, () => Call][] = [
  [
    'check("rate_limit", { client })',
    () => {
      const g = quickstart();
      return (i) => g.check("rate_limit", { client: client(i) });
    },
  ],
  [
    'check("rate_limit") across 100,000 clients',
    () => {
      const g = quickstart();
      return (i) => g.check("rate_limit", { client: CROWD[i % CROWD.length] as string });
    },
  ],
  [
    "evaluate(GET /users/7 request)",
    () => {
      const g = quickstart();
      // One object literal per request, as an adapter builds it (an object spread here would cost more than the decision).
      return (i) => g.evaluate({ route: "/users/7", method: "GET", operation: "read", client: client(i) });
    },
  ],
  [
    "evaluate(openai call: budget + rate)",
    () => {
      const g = quickstart();
      return (i) => g.evaluate({ client: client(i), resource: "openai", cost: 0.000001 });
    },
  ],
  [
    'protect("rate_limit", fn)()',
    () => {
      const g = quickstart();
      let i = 0;
      const send = g.protect("rate_limit", (n: number) => n + 1, { context: () => ({ client: client(i++) }) });
      return (n) => send(n);
    },
  ],
  [
    'check("safe_delete", confirmed delete)',
    () => {
      const g = quickstart();
      return () => g.check("safe_delete", CONFIRMED_DELETE);
    },
  ],
  [
    'check("rate_limit"), one client past its limit',
    () => {
      const g = quickstart();
      return () => g.check("rate_limit", { client: "203.0.113.9" });
    },
  ],
];

/** The counter library alone on the same clients: one RateLimiterMemory.consume per call, the floor under any decision. */
function bareLimiter(): Call {
  const limiter = new RateLimiterMemory({ points: Number.MAX_SAFE_INTEGER, duration: 60 });
  return (i) => limiter.consume(client(i), 1);
}

/** A file of `count` policies, each scoped to its own resource (or route); a call names exactly one of them. */
function manyPolicies(count: number, scope: "resource" | "route"): string {
  const lines = ["policies:"];
  for (let i = 0; i < count; i++) {
    const where = scope === "resource" ? `resource: "svc-${i}"` : `route: "/svc-${i}/*"`;
    lines.push(`  - id: p${i}`, "    rules:", `      - ${where}`, "        requests_per_minute: 1000000000");
  }
  return lines.join("\n");
}

/** CPU ns per sequential evaluate() with 10, 1,000 and 10,000 policies; sizes measured in turn each round, so drift hits all alike. */
async function scaling(scope: "resource" | "route"): Promise<void> {
  const sizes = [10, 1_000, 10_000];
  const calls = sizes.map((count) => {
    const guardian = createGuardian({ policyText: manyPolicies(count, scope), env: {} });
    const target = count - 1 - Math.floor(count / 3);
    const ctx = (i: number): GuardContext =>
      scope === "resource" ? { resource: `svc-${target}`, client: client(i) } : { route: `/svc-${target}/items/7`, client: client(i) };
    return { guardian, call: (i: number) => guardian.evaluate(ctx(i)), first: ctx(0) };
  });
  for (const { guardian, first } of calls) {
    const counted = (await guardian.evaluate(first)).counters.length;
    if (counted !== 1) throw new Error(`expected exactly one matching policy, got ${counted}`);
  }
  const samples = sizes.map((): number[] => []);
  for (let r = 0; r <= ROUNDS; r++) {
    for (const [s, { call }] of calls.entries()) {
      const rate = await round(call, "sequential");
      if (r > 0) samples[s]?.push(1e9 / rate);
    }
  }
  const base = median(samples[0] ?? []);
  sizes.forEach((count, s) => {
    const ns = median(samples[s] ?? []);
    console.log(
      `  ${String(count).padStart(6)} policies, one matching by ${scope.padEnd(8)} ${ns.toFixed(0).padStart(6)} ns/decision   ${(ns / base).toFixed(2)}x the 10-policy time`,
    );
  });
}

/** The Quick Start rate limit (100 a minute per client) under each algorithm, every client reaching its limit. */
function algorithmPolicy(algorithm: string): string {
  return `policies:\n  - id: rate_limit\n    rules:\n      - requests_per_minute: 100\n        algorithm: ${algorithm}\n`;
}

/**
 * CPU ns per sequential check("rate_limit") under each algorithm, measured in turn each round so machine drift hits all
 * alike, and each as a ratio of fixed_window's time in the same run (issue 18: sliding ≤ 1.5×, token ≤ 1.1×).
 */
async function algorithms(): Promise<void> {
  const names = ["fixed_window", "sliding_window", "token_bucket"];
  const setups = names.map((algorithm) => (): Call => {
    const g = createGuardian({ policyText: algorithmPolicy(algorithm), env: {} });
    return (i) => g.check("rate_limit", { client: client(i) });
  });
  const samples = names.map((): number[] => []);
  for (let r = 0; r <= ROUNDS; r++) {
    for (const [a, setup] of setups.entries()) {
      const rate = await round(setup(), "sequential");
      if (r > 0) samples[a]?.push(1e9 / rate);
    }
  }
  const base = median(samples[0] ?? []);
  names.forEach((name, a) => {
    const ns = median(samples[a] ?? []);
    console.log(`  ${name.padEnd(15)} ${ns.toFixed(0).padStart(6)} ns/decision   ${(ns / base).toFixed(2)}x fixed_window`);
  });
}

function fmt(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(2)}M` : `${(rate / 1e3).toFixed(0)}k`;
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}; ${ROUND} decisions per round, median of ${ROUNDS} rounds; ${CLIENTS.length} clients unless said; batches of ${BATCH}`,
  );
  console.log('\nrate algorithms: check("rate_limit"), 100 a minute per client, every client at its limit (sequential)');
  await algorithms();
  if (process.env["BENCH_ONLY"] === "algorithms") return;
  const floor = { sequential: await perSecond(bareLimiter, "sequential"), batched: await perSecond(bareLimiter, "batched") };
  console.log(
    `\nbaseline: RateLimiterMemory.consume alone          sequential ${fmt(floor.sequential).padStart(6)}/s   batched ${fmt(floor.batched).padStart(6)}/s`,
  );
  console.log("\nQuick Start policies on the memory store (decisions per CPU second; ratios: × baseline, × the 1M/s target)");
  for (const [name, setup] of scenarios) {
    const sequential = await perSecond(setup, "sequential");
    const batched = await perSecond(setup, "batched");
    const mix = name.startsWith("protect") ? "every call ran fn" : await outcomeMix(setup());
    console.log(
      `  ${name.padEnd(46)} sequential ${fmt(sequential).padStart(6)}/s (${(sequential / floor.sequential).toFixed(2)}x, ${(sequential / TARGET).toFixed(2)}x)` +
        `   batched ${fmt(batched).padStart(6)}/s (${(batched / floor.batched).toFixed(2)}x, ${(batched / TARGET).toFixed(2)}x)   [${mix}]`,
    );
  }
  console.log("\ndecision time as the policy count grows (sequential evaluate(), exactly one policy matches)");
  await scaling("resource");
  await scaling("route");
  await pricingFigures();
}

await main();
