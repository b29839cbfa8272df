// MCP tool calls per second over the in-memory transport, guarded by guardTools() against unguarded, in one run.
// Each server runs in a process of its own (so neither JIT-compiles the other's paths), both alive for the whole run and
// measured in turn, the parent alternating who goes first.
import { fork, type ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { guardTools } from "../../src/adapters/mcp.js";
import { createGuardian } from "../../src/index.js";

/** Rounds, each measuring both servers in turn (who goes first alternates); the median of the per-round ratios decides. */
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 15);
const ROUND_MS = Number(process.env["BENCH_ROUND_MS"] ?? 1_000);
/** Calls in flight at once from the one client, as an agent running tools in parallel. */
const IN_FLIGHT = Number(process.env["BENCH_IN_FLIGHT"] ?? 8);
const TARGET = 0.9;

/** A per-session rate limit every call counts against (never reached), and confirmation before deletes (never asked). */
const POLICY = `
policies:
  - id: tool_rate
    rules:
      - resource_types: [mcp_tool]
        requests_per_minute: 100000000
  - id: confirm_deletes
    rules:
      - resource_types: [mcp_tool]
        operation: delete
        action: require_confirmation
`;

type Variant = "unguarded" | "guarded";

async function connectedClient(variant: Variant): Promise<Client> {
  const server = new McpServer({ name: `bench-${variant}`, version: "1.0.0" });
  if (variant === "guarded") guardTools(server, { guardian: createGuardian({ policyText: POLICY, env: {} }) });
  server.registerTool(
    "lookup",
    { description: "Looks a key up", inputSchema: { key: z.string() }, annotations: { readOnlyHint: true } },
    ({ key }) => ({ content: [{ type: "text", text: `value of ${key}` }] }),
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "bench", version: "1.0.0" });
  await server.connect(serverSide);
  await client.connect(clientSide);
  return client;
}

/** Calls per second of wall time, and per second of this process's CPU time (what a loaded machine disturbs less). */
interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

/** Tool calls per second for `ms`, IN_FLIGHT at a time; throws if any call fails or is refused. */
async function callsPerSecond(client: Client, ms: number): Promise<Rate> {
  // Each slice starts on a collected heap, so neither server pays for the garbage the other one left.
  (globalThis as { gc?: () => void }).gc?.();
  let calls = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const until = start + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const result = await client.callTool({ name: "lookup", arguments: { key: `k${calls}` } });
      if (result.isError === true) throw new Error(`a bench call failed: ${JSON.stringify(result)}`);
      calls += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (calls * 1000) / wallMs, cpu: (calls * 1_000_000) / (cpu.user + cpu.system) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const VARIANT = process.env["BENCH_MCP_VARIANT"] as Variant | undefined;

/** In a child: one server and its client; measures a slice of `ms` whenever the parent asks, and answers with the rate. */
async function serveMeasurements(variant: Variant): Promise<void> {
  const client = await connectedClient(variant);
  process.on("message", (ms: number) => {
    if (ms === 0) {
      void client.close().then(() => process.exit(0));
      return;
    }
    void callsPerSecond(client, ms).then((rate) => process.send?.(rate));
  });
  process.send?.("ready");
}

function child(variant: Variant): ChildProcess {
  return fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, BENCH_MCP_VARIANT: variant },
    execArgv: ["--expose-gc", "--import", "tsx"],
  });
}

function next<T>(process: ChildProcess): Promise<T> {
  return new Promise((resolve) => process.once("message", (message) => resolve(message as T)));
}

async function slice(process: ChildProcess, ms: number): Promise<Rate> {
  const answer = next<Rate>(process);
  process.send(ms);
  return answer;
}

async function compare(): Promise<void> {
  const children: Record<Variant, ChildProcess> = { unguarded: child("unguarded"), guarded: child("guarded") };
  await Promise.all(Object.values(children).map((process) => next<string>(process)));
  console.log(
    `MCP tools/call over the in-memory transport: ${IN_FLIGHT} in flight, ${ROUNDS} rounds of ${ROUND_MS} ms per server, ` +
      "one process per server, order alternating",
  );
  for (const variant of ["unguarded", "guarded"] as const) await slice(children[variant], 2_000); // warm-up: JIT both paths
  const ratios: Record<keyof Rate, number[]> = { wall: [], cpu: [] };
  const rates: Record<Variant, Rate[]> = { unguarded: [], guarded: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const order: Variant[] = round % 2 === 0 ? ["unguarded", "guarded"] : ["guarded", "unguarded"];
    const measured: Partial<Record<Variant, Rate>> = {};
    for (const variant of order) measured[variant] = await slice(children[variant], ROUND_MS);
    const { unguarded, guarded } = measured as Record<Variant, Rate>;
    rates.unguarded.push(unguarded);
    rates.guarded.push(guarded);
    ratios.wall.push(guarded.wall / unguarded.wall);
    ratios.cpu.push(guarded.cpu / unguarded.cpu);
    console.log(
      `round ${round + 1} (${order[0]} first): unguarded ${unguarded.wall.toFixed(0)}/s, guarded ${guarded.wall.toFixed(0)}/s, ` +
        `ratio ${(guarded.wall / unguarded.wall).toFixed(3)}; per CPU second ${unguarded.cpu.toFixed(0)} vs ${guarded.cpu.toFixed(0)}, ` +
        `ratio ${(guarded.cpu / unguarded.cpu).toFixed(3)}`,
    );
  }
  for (const process of Object.values(children)) process.send(0);
  const ratio = median(ratios.wall);
  const of = (variant: Variant, pick: keyof Rate): string => median(rates[variant].map((rate) => rate[pick])).toFixed(0);
  console.log(
    `\nmedians: unguarded ${of("unguarded", "wall")} calls/s (${of("unguarded", "cpu")} per CPU second), ` +
      `guarded ${of("guarded", "wall")} calls/s (${of("guarded", "cpu")} per CPU second)`,
  );
  console.log(
    `guarded / unguarded, median of the per-round ratios: ${ratio.toFixed(3)} (target ≥ ${TARGET}: ${ratio >= TARGET ? "met" : "missed"}); ` +
      `per CPU second ${median(ratios.cpu).toFixed(3)}`,
  );
  if (ratio < TARGET) process.exitCode = 1;
}

if (VARIANT === undefined) await compare();
else await serveMeasurements(VARIANT);
