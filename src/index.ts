// The package's main entry: the engine, its value types and errors, and the counter stores.
export { createGuardian } from "./guardian/create-guardian.js";
export type { Guardian, GuardianOptions, ProtectOptions } from "./guardian/create-guardian.js";
export { processGuardian } from "./guardian/process-guardian.js";
export type { ProcessGuardian } from "./guardian/process-guardian.js";
export type { CodePolicy, CodeRule, LimitFunction } from "./engine/config/code-policies.js";
export type { GuardContext } from "./engine/context.js";
export { operationForMethod } from "./engine/context.js";
export { Decision } from "./engine/decision.js";
export type {
  Outcome,
  FindingKind,
  RuleRef,
  CounterReport,
  DecisionWarning,
  ExplanationEntry,
  ReservedCounter,
  DecisionApproval,
  ApprovalStatus,
  ApprovalRejection,
} from "./engine/decision.js";
export { ApprovalDecisionError } from "./guardian/approvals/guardian-approvals.js";
export type {
  GuardianApprovals,
  ApprovalDetails,
  ApprovalCall,
  ApprovalStepListener,
  ApprovalSubject,
} from "./guardian/approvals/guardian-approvals.js";
export type { Notifier, NotifyEvent } from "./notify/notifier.js";
export { PolicyConfigError, formatProblem } from "./errors/config-error.js";
export { PolicyViolation } from "./guardian/violation.js";
export type { ConfigProblem } from "./errors/config-error.js";
export type { Logger } from "./errors/warnings.js";
export type { KeyFunction, CounterSlot } from "./engine/engine.js";
export { MemoryStore } from "./stores/memory.js";
export { RedisStore, RedisStoreError } from "./stores/redis.js";
export type { RedisStoreOptions, RedisStoreErrorCode, RedisClientLike } from "./stores/redis.js";
export type { CounterStore, CounterOp, CounterReading } from "./stores/store.js";
export type { TokenUsage } from "./engine/pricing/usage.js";
export type { PriceEntry } from "./engine/pricing/price-table.js";
export { createRemoteGuardian, RemoteDecision } from "./guardian/remote-guardian.js";
export type { RemoteGuardian, RemoteGuardianOptions, RemoteCheckOptions } from "./guardian/remote-guardian.js";
export type { TelemetryOption, TelemetrySettings } from "./observe/telemetry.js";
