// The framework-free HTTP contract every adapter plugs into: defineAdapter() and the pieces it is made of.
export { answerFor, setAnswerHeaders } from "./problem.js";
export type { AnswerOptions, HeaderTarget, HttpAnswer } from "./problem.js";
export { bodyDigest } from "./body-digest.js";
export { clientKeyForAddress } from "./context-builder.js";
export { configuredSecret, processConfirmSecret, MIN_SECRET_LENGTH } from "./confirm-secret.js";
export { ConfirmTokens, CONFIRM_HEADER, MAX_TOKEN_LENGTH } from "./confirm-token.js";
export type { ConfirmBinding, ConfirmTokenOptions, IssuedToken, TokenCheck, TokenRejection } from "./confirm-token.js";
export { createHttpGuard, headerSwitches, headerWriter } from "./http-guard.js";
export type { GuardAnswer, Guarded, HeaderWriter, HttpGuard, HttpGuardConfig, Proceed, Refusal } from "./http-guard.js";
export { GUARDIAN_OPTION_SPEC, HTTP_OPTION_SPEC, validateOptions } from "./options.js";
export type { FromRequest, GuardianChoice, HttpGuardOptions, OnDenied, OptionSpec, RequestFacts } from "./options.js";
export { problemFor, STATUS_FOR, DEFAULT_PROBLEM_TYPE_BASE } from "./problem.js";
export type { ConfirmInstructions, ConfirmState, ProblemBody } from "./problem.js";
export {
  BUDGET_WARNING_HEADER,
  DEFAULT_HEADERS,
  NO_HEADERS,
  budgetWarningHeaders,
  decisionHeaders,
  FIELD_NAMES,
  legacyRateLimitHeaders,
  standardRateLimitHeaders,
  WIRE_NAMES,
  writeDecisionHeaders,
} from "./rate-headers.js";
export type { FieldNames, HeaderSwitches } from "./rate-headers.js";
export { ledgerFor, RequestLedger } from "./request-ledger.js";
export type { RequestHandle } from "./request-ledger.js";
export { contextBuilder, toContext } from "./context-builder.js";
export type { ContextBuilder, HttpRequestView } from "./context-builder.js";
export type { AdapterSetup } from "./adapter-setup.js";
export { defineAdapter } from "./define-adapter.js";
export type {
  Adapter,
  AdapterOptions,
  AdapterSpecOf,
  AdapterTranslation,
  AdapterView,
  BoundHexarch,
  GuardRequest,
  RefusedRequest,
} from "./define-adapter.js";
