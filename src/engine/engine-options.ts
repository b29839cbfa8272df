// What an Engine is built with: its store, clock, mode, environment, key functions and counter namespace.
import type { CounterStore } from "../stores/store.js";
import type { Mode } from "./compile/policy-set.js";
import type { KeyFunction } from "./counters.js";

/** How an Engine decides and counts; resolved once by the guardian that builds it. */
export interface EngineOptions {
  readonly store: CounterStore;
  /** Overrides every policy's mode; `off` skips evaluation entirely. */
  readonly mode: Mode | "off" | undefined;
  readonly environment: string;
  readonly clock: () => number;
  readonly keys: Readonly<Record<string, KeyFunction>>;
  /** Namespace for counter keys, so apps and environments sharing a store stay apart. */
  readonly prefix: string;
  /** Seconds a client is told to wait after a store failure under a fail-closed policy. */
  readonly storeRetryAfter: number;
  readonly onStoreError: (error: unknown) => void;
}
