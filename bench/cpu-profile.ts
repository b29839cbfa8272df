// Reading V8 CPU profiles (`node --cpu-prof`) of bench servers: which thread worked, and what its samples say
// about a span of time measured from the bench process.
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Microseconds between samples: fine enough for a few seconds of load to give thousands of samples. */
export const PROFILE_INTERVAL_US = 100;

/** Node flags that make a server write its CPU profile into `dir` when it exits. */
export function profileFlags(dir: string): string[] {
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url?: string };
  readonly children?: readonly number[];
}

/** The parts of a `.cpuprofile` file the benches read. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const IDLE = "(idle)";
/** The node V8 charges garbage collection to. */
const GC = "(garbage collector)";

/** V8 stamps samples with the monotonic clock in microseconds; this reads the same clock in the bench process. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function busySamples(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id));
  return profile.samples.filter((s) => !idle.has(s)).length;
}

/** The profile in `dir` of the thread that did the work (tsx and Next add threads of their own). */
function busiestProfile(dir: string): CpuProfile {
  const profiles = readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
  return profiles.reduce((a, b) => (busySamples(a) >= busySamples(b) ? a : b));
}

/** Server time spent in a span, in microseconds. */
export interface SpanTime {
  /** Not idle. */
  readonly busy: number;
  /** Of `busy`, garbage collection. */
  readonly gc: number;
  /** Of `busy`, in the function `inside.name` or what it calls, leaving out what it calls through `inside.stop`. */
  readonly inside: number;
}

/**
 * Sorts the samples taken between `from` and `to` (monotonic µs) into busy time, garbage collection and, when
 * `inside` is given, the time within one function.
 * @example timeBetween(profile, from, to, { name: "floorMiddleware", stop: "dispatch" }).inside
 */
export function timeBetween(profile: CpuProfile, from: number, to: number, inside?: { name: string; stop: string }): SpanTime {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const nameOf = (id: number): string => byId.get(id)?.callFrame.functionName ?? "";
  const isInside = (id: number): boolean => {
    if (inside === undefined) return false;
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const name = nameOf(at);
      if (name === inside.name) return true;
      if (name === inside.stop) return false;
    }
    return false;
  };
  const time = { busy: 0, gc: 0, inside: 0 };
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const spent = profile.timeDeltas[i] as number;
    at += spent;
    if (at < from || at > to) continue;
    const id = profile.samples[i] as number;
    const name = nameOf(id);
    if (name === IDLE) continue;
    time.busy += spent;
    if (name === GC) time.gc += spent;
    else if (isInside(id)) time.inside += spent;
  }
  return time;
}

/** Stops a profiled server with SIGINT, waits for it to write its profile on the way out, and reads it. */
export async function stopAndReadProfile(child: ChildProcess, dir: string): Promise<CpuProfile> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  await exited;
  return busiestProfile(dir);
}
