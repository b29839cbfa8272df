// Instructions of one Node run as callgrind totals them: what the instruction benches compare, repeatable where time is not.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const TSX = fileURLToPath(new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url));

/**
 * Instructions of `node <script> ...args` under tsx. `--single-threaded` compiles on the main thread; the hash and
 * random seeds are fixed and garbage collection follows a schedule of its own, not the heap's growth, so what varies
 * between runs of one tree is little more than timers. Needs valgrind.
 * @example const perCall = (callgrindInstructions(loop, ["x", "50000"]) - callgrindInstructions(loop, ["x", "10000"])) / 40_000;
 */
export function callgrindInstructions(script: string, args: readonly string[]): number {
  const run = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      "--single-threaded",
      "--hash-seed=1",
      "--random-seed=1",
      "--predictable-gc-schedule",
      "--import",
      TSX,
      script,
      ...args,
    ],
    { encoding: "utf8" },
  );
  const collected = /Collected : (\d+)/.exec(run.stderr ?? "");
  if (run.status !== 0 || collected === null)
    throw new Error(`callgrind on ${args.join(" ")} failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr?.slice(-500)}`);
  return Number(collected[1]);
}
