// The e2e project's globalSetup: starts the smoke tests' pack-and-install in vitest's main process and does not wait
// for it, so the workers run other files meanwhile instead of both sitting in a smoke test's beforeAll.
import { installOnce } from "./packed-app.js";

let installing: Promise<void> | undefined;

export function setup(): void {
  installing = installOnce(process.pid);
}

/** Lets a run end only after the install it started has finished (or failed), so no half-written folder is left. */
export async function teardown(): Promise<void> {
  await installing;
}
