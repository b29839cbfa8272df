// The package's main entry: the engine, its value types and errors, and the counter stores.
export { createGuardian } from "./engine/guardian.js";
export type { Guardian, GuardianOptions, ProtectOptions } from "./engine/guardian.js";
export type { CodePolicy, CodeRule, LimitFunction } from "./engine/config/code-policies.js";
export type { GuardContext } from "./engine/context.js";
export { operationForMethod } from "./engine/context.js";
export { Decision } from "./engine/decision.js";
export type { Outcome, FindingKind, RuleRef, CounterReport, DecisionWarning, ExplanationEntry } from "./engine/decision.js";
export { PolicyConfigError, PolicyViolation, formatProblem } from "./engine/errors.js";
export type { ConfigProblem } from "./engine/errors.js";
export type { Logger } from "./engine/logger.js";
export type { KeyFunction, CounterSlot } from "./engine/evaluate.js";
export { MemoryStore } from "./stores/memory.js";
export { RedisStore, RedisStoreError } from "./stores/redis.js";
export type { RedisStoreOptions, RedisStoreErrorCode, RedisClientLike } from "./stores/redis.js";
export type { CounterStore, CounterOp, CounterReading } from "./stores/store.js";
export type { TokenUsage } from "./engine/pricing/usage.js";
export type { PriceEntry } from "./engine/pricing/price-table.js";
