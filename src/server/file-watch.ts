// Notices when a file changes, by polling its size and modification time against what was seen before it was read.
import { statSync } from "node:fs";

/**
 * What identifies one version of a file: size and modification time, or "missing".
 * @example
 * const before = fileVersion("hexarch.yaml");
 * const text = readFileSync("hexarch.yaml");
 * watchPath("hexarch.yaml", 250, reload, before);
 */
export function fileVersion(path: string): string {
  try {
    const stats = statSync(path);
    return `${stats.size}:${stats.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * Calls `changed` whenever `path` differs from `seen`, the fileVersion() taken before the file was read (so an edit
 * made while it was read is still noticed; Node's watchFile takes its first look later, asynchronously, and would
 * miss it). Returns the function that stops watching.
 * @example const seen = fileVersion(path); const policies = load(path); const stop = watchPath(path, 250, reload, seen);
 */
export function watchPath(path: string, intervalMs: number, changed: () => void, seen: string): () => void {
  let last = seen;
  const timer = setInterval(() => {
    const now = fileVersion(path);
    if (now === last) return;
    last = now;
    changed();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
