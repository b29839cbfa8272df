// Reading V8 CPU profiles (`node --cpu-prof`) of bench servers: which thread worked, and what its samples say
// about a span of time measured from the bench process.
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
  readonly callFrame: { readonly functionName: string };
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
export const GC = "(garbage collector)";

/** V8 stamps samples with the monotonic clock in microseconds; this reads the same clock in the bench process. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function busySamples(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id));
  return profile.samples.filter((s) => !idle.has(s)).length;
}

/** The profile in `dir` of the thread that did the work (tsx and Next add threads of their own). */
export function busiestProfile(dir: string): CpuProfile {
  const profiles = readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
  return profiles.reduce((a, b) => (busySamples(a) >= busySamples(b) ? a : b));
}

/** A sample's function and how its stack reaches the root, for sorting samples. */
export interface SampleFrames {
  /** The function running when the sample was taken. */
  readonly name: string;
  /** Whether `name` or a caller of it, with none of `stop` in between, is `wanted`. */
  within(wanted: string, stop: string): boolean;
}

/**
 * Calls `visit` with each busy (not idle) sample taken between `from` and `to` (monotonic µs) and the microseconds
 * it stands for.
 * @example samplesBetween(profile, from, to, (frames, us) => (busy += us));
 */
export function samplesBetween(profile: CpuProfile, from: number, to: number, visit: (frames: SampleFrames, spentUs: number) => void): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const nameOf = (id: number): string => byId.get(id)?.callFrame.functionName ?? "";
  const within = (id: number | undefined, wanted: string, stop: string): boolean => {
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const name = nameOf(at);
      if (name === wanted) return true;
      if (name === stop) return false;
    }
    return false;
  };
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const spent = profile.timeDeltas[i] as number;
    at += spent;
    if (at < from || at > to) continue;
    const id = profile.samples[i] as number;
    const name = nameOf(id);
    if (name === IDLE) continue;
    visit({ name, within: (wanted, stop) => within(id, wanted, stop) }, spent);
  }
}
