// What OpenTelemetry costs an allowed decision: without it, with the API and its no-op meter, with an SDK in-memory reader.
import { metrics } from "@opentelemetry/api";
import { createGuardian, type Guardian } from "../../src/index.js";
import { CLIENTS, POLICY, registerInMemoryReader } from "./setup.js";

/** Allowed decisions per measured run. */
const CALLS = Number(process.env["BENCH_CALLS"] ?? 200_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
type Variant = "without" | "noop" | "reader";
const VARIANTS: readonly Variant[] = ["without", "noop", "reader"];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * A guardian for the variant: telemetry off (what a process without the package runs: the decider is not wrapped),
 * the API's global no-op meter, or a MeterProvider with an in-memory reader registered before the guardian is made.
 */
function guardianFor(variant: Variant): { guardian: Guardian; done: () => Promise<void> } {
  metrics.disable();
  if (variant === "without") return { guardian: createGuardian({ policyText: POLICY, env: {}, telemetry: false }), done: async () => {} };
  if (variant === "noop") return { guardian: createGuardian({ policyText: POLICY, env: {} }), done: async () => {} };
  const provider = registerInMemoryReader();
  return { guardian: createGuardian({ policyText: POLICY, env: {} }), done: () => provider.shutdown() };
}

/** CPU milliseconds for CALLS allowed decisions, awaited one by one (the memory store decides without a promise). */
async function run(variant: Variant): Promise<number> {
  const { guardian, done } = guardianFor(variant);
  for (let i = 0; i < 20_000; i++) await guardian.check("api", { client: CLIENTS[i % CLIENTS.length] as string });
  const began = cpuMs();
  for (let i = 0; i < CALLS; i++) {
    const decision = await guardian.check("api", { client: CLIENTS[i % CLIENTS.length] as string });
    if (decision.outcome !== "allow") throw new Error(`expected allow, got ${decision.outcome}`);
  }
  const spent = cpuMs() - began;
  await done();
  return spent;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const ratios: Record<"noop" | "reader", number[]> = { noop: [], reader: [] };
const times: Record<Variant, number[]> = { without: [], noop: [], reader: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Rotated, so no variant always runs first (or last) in a round.
  const order = VARIANTS.map((_, k) => VARIANTS[(k + round) % VARIANTS.length] as Variant);
  const ms: Partial<Record<Variant, number>> = {};
  for (const variant of order) ms[variant] = await run(variant);
  for (const variant of VARIANTS) times[variant].push(ms[variant] as number);
  ratios.noop.push((ms.noop as number) / (ms.without as number));
  ratios.reader.push((ms.reader as number) / (ms.without as number));
}
console.log(`allowed check("api"), ${CALLS} decisions per run, ${ROUNDS} rounds (CPU time, variants rotated)`);
for (const variant of VARIANTS)
  console.log(`  ${variant.padEnd(8)} ${((median(times[variant]) * 1e6) / CALLS).toFixed(0)} ns a decision (median)`);
console.log(`  no-op meter / without:     ${median(ratios.noop).toFixed(3)} (median of per-round ratios)`);
console.log(`  in-memory reader / without: ${median(ratios.reader).toFixed(3)} (median of per-round ratios)`);
