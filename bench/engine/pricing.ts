// AI spend figures: a priced decision (model lookup, token arithmetic) against a plain budget decision, and price lookups with 1,000
// entries beside 10.
import { pathToFileURL } from "node:url";
import { createGuardian, type GuardContext } from "../../src/index.js";
import { PriceTable } from "../../src/engine/pricing/price-table.js";

const DECISIONS = Number(process.env["BENCH_PRICED_DECISIONS"] ?? 200_000);
const LOOKUPS = Number(process.env["BENCH_LOOKUPS"] ?? 1_000_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const CLIENTS = Array.from({ length: 1_000 }, (_, i) => `198.51.100.${i % 250}:${i}`);

const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 }
  "claude-3-5-haiku*": { input_per_mtok: 0.8, output_per_mtok: 4 }
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 1000000000
        key: client
        action: "warn_at_80%"
`;

function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

/** CPU ns per settled decision, awaited one by one, for one fresh guardian. */
async function decisionNs(context: (i: number) => GuardContext): Promise<number> {
  const guardian = createGuardian({ policyText: POLICY, env: {} });
  const began = cpuNs();
  for (let i = 0; i < DECISIONS; i++) {
    const decision = await guardian.check("spend", context(i));
    if (!decision.isAllowed()) throw new Error(`expected every call admitted, got ${decision.outcome}`);
  }
  return (cpuNs() - began) / DECISIONS;
}

/** ns per lookup of `model` in `table`, with (`lookup`) or without (`scan`) the memory of models already seen. */
function lookupNs(table: PriceTable, model: string, remembered: boolean): number {
  for (let i = 0; i < LOOKUPS / 10; i++) void (remembered ? table.lookup(model) : table.scan(model));
  let found = 0;
  const began = cpuNs();
  for (let i = 0; i < LOOKUPS; i++) if ((remembered ? table.lookup(model) : table.scan(model)) !== undefined) found++;
  const ns = (cpuNs() - began) / LOOKUPS;
  if (found !== 0 && found !== LOOKUPS) throw new Error("a lookup changed its answer");
  return ns;
}

/**
 * A table of `count` glob entries of which only the least specific matches the model: `prefix` spells the others
 * (`vendor-` files them apart from the model's first letter; `claude-x` makes every one a candidate to test).
 */
function globTable(count: number, prefix: string): PriceTable {
  const spec: Record<string, { input_per_mtok: number; output_per_mtok: number }> = {};
  for (let i = 0; i < count - 1; i++) spec[`${prefix}${i}-model*`] = { input_per_mtok: 1, output_per_mtok: 2 };
  spec["claude*"] = { input_per_mtok: 0.8, output_per_mtok: 4 };
  return new PriceTable(spec);
}

/** Prints the AI spend figures; rounds rotate the order of the decisions so drift on a loaded machine hits all alike. */
export async function pricingFigures(): Promise<void> {
  const plain = (i: number): GuardContext => ({ resource: "openai", client: CLIENTS[i % CLIENTS.length] as string, cost: 0.0125 });
  const priced = (i: number): GuardContext => ({
    resource: "openai",
    client: CLIENTS[i % CLIENTS.length] as string,
    model: "gpt-4o",
    inputTokens: 1000,
    maxOutputTokens: 1000,
  });
  const globbed = (i: number): GuardContext => ({
    resource: "openai",
    client: CLIENTS[i % CLIENTS.length] as string,
    model: "claude-3-5-haiku-20241022",
    inputTokens: 1000,
    maxOutputTokens: 1000,
  });
  const samples = { plain: [] as number[], priced: [] as number[], globbed: [] as number[] };
  for (let r = 0; r <= ROUNDS; r++) {
    // Each round measures the three in another order, so what runs first (after the last round's garbage) changes.
    const order = (["plain", "priced", "globbed"] as const).map(
      (_, k, names) => names[(k + r) % names.length] as "plain" | "priced" | "globbed",
    );
    const contexts = { plain, priced, globbed };
    const round = { plain: 0, priced: 0, globbed: 0 };
    for (const name of order) round[name] = await decisionNs(contexts[name]);
    if (r === 0) continue;
    samples.plain.push(round.plain);
    samples.priced.push(round.priced);
    samples.globbed.push(round.globbed);
  }
  const base = median(samples.plain);
  console.log(
    `\nAI spend: check("spend") on a monthly budget, memory store, ${DECISIONS} decisions per round, median of ${ROUNDS} rounds (CPU ns per decision)`,
  );
  console.log(`  plain budget decision (cost: 0.0125)                 ${base.toFixed(0).padStart(6)} ns   1.00x`);
  for (const [name, key] of [
    ["priced decision (gpt-4o, exact name)", "priced"],
    ["priced decision (claude-3-5-haiku-…, by glob)", "globbed"],
  ] as const) {
    const ns = median(samples[key]);
    console.log(`  ${name.padEnd(52)} ${ns.toFixed(0).padStart(6)} ns   ${(ns / base).toFixed(2)}x the plain decision`);
  }
  console.log(
    `\nprice lookup of claude-3-5-haiku-20241022 among glob entries, ${LOOKUPS} lookups (CPU ns per lookup; first time = no memory of the model)`,
  );
  for (const [label, prefix] of [
    ["other vendors' globs", "vendor-"],
    ["globs sharing its first letter (worst case)", "claude-x"],
  ] as const) {
    const tables = [10, 1_000].map((count) => ({ count, table: globTable(count, prefix) }));
    const scans = tables.map(({ table }) => lookupNs(table, "claude-3-5-haiku-20241022", false));
    for (const [t, { count, table }] of tables.entries()) {
      const remembered = lookupNs(table, "claude-3-5-haiku-20241022", true);
      const scan = scans[t] ?? 0;
      console.log(
        `  ${String(count).padStart(5)} ${label.padEnd(44)} first time ${scan.toFixed(1).padStart(8)} ns (${(scan / (scans[0] ?? 1)).toFixed(1)}x 10 entries)   remembered ${remembered.toFixed(1).padStart(5)} ns`,
      );
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await pricingFigures();
