// A decision record as replay reads it: every field it uses checked for its type once, and the call context rebuilt from it.
import type { GuardContext } from "../engine/context.js";

/** The context fields of a decision record that replay reads, as written (snake case, personal fields maybe `h:…`). */
export interface WrittenContext {
  readonly operation?: string | readonly string[];
  readonly resource?: string;
  readonly resource_type?: string;
  readonly route?: string;
  readonly route_folded?: true;
  readonly method?: string;
  readonly client?: string;
  readonly user?: string;
  readonly roles?: readonly string[];
  readonly api_key?: string;
  readonly environment?: string;
  readonly feature?: string;
  readonly facts?: Readonly<Record<string, string | number | boolean | null>>;
  readonly confirm?: boolean | readonly string[];
  readonly cost?: number;
  readonly model?: string;
  readonly input_tokens?: number;
  readonly max_output_tokens?: number;
  readonly keys?: Readonly<Record<string, string>>;
}

/** A decision record checked for replay: `at` is its time in epoch ms. */
export interface ReadRecord {
  readonly id: string;
  readonly time: string;
  readonly at: number;
  readonly outcome: string;
  readonly policy: string | undefined;
  /** Policy ids named, `*` for every policy, undefined when the record does not say (written before `policy_ids`). */
  readonly asked: readonly string[] | "*" | undefined;
  readonly context: WrittenContext;
}

type Plain = Readonly<Record<string, unknown>>;

const isString = (value: unknown): value is string => typeof value === "string";
const isStrings = (value: unknown): value is readonly string[] => Array.isArray(value) && value.every(isString);
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isPlain = (value: unknown): value is Plain => typeof value === "object" && value !== null && !Array.isArray(value);

const STRING_FIELDS = ["resource", "resource_type", "route", "method", "client", "user", "api_key", "environment", "feature", "model"];
const NUMBER_FIELDS = ["cost", "input_tokens", "max_output_tokens"];

/** Whether every context field replay reads has the type the log writes; fields it does not know are left alone. */
function contextFits(context: Plain): boolean {
  for (const name of STRING_FIELDS) if (context[name] !== undefined && !isString(context[name])) return false;
  for (const name of NUMBER_FIELDS) if (context[name] !== undefined && !isNumber(context[name])) return false;
  const { operation, roles, confirm, facts, keys, route_folded: folded } = context;
  if (operation !== undefined && !isString(operation) && !isStrings(operation)) return false;
  if (roles !== undefined && !isStrings(roles)) return false;
  if (confirm !== undefined && typeof confirm !== "boolean" && !isStrings(confirm)) return false;
  if (folded !== undefined && folded !== true) return false;
  if (keys !== undefined && !(isPlain(keys) && Object.values(keys).every(isString))) return false;
  return facts === undefined || (isPlain(facts) && Object.values(facts).every((v) => v === null || typeof v !== "object"));
}

/**
 * A parsed decision record checked for what replay reads, or a sentence saying what is wrong with it.
 * @example readDecision(JSON.parse(line)) // { id: "c1-7", at: 1764979200000, … }
 */
export function readDecision(record: Plain): ReadRecord | string {
  const { id, time, outcome, policy, policy_ids: asked, context } = record;
  if (!isString(id) || !isString(time) || !isString(outcome)) return "id, time or outcome is missing or not a string";
  const at = Date.parse(time);
  if (Number.isNaN(at)) return `time "${time.slice(0, 40)}" is not an instant`;
  if (policy !== undefined && !isString(policy)) return "policy is not a string";
  if (asked !== undefined && asked !== "*" && !isStrings(asked)) return "policy_ids is neither * nor a list of policy ids";
  if (!isPlain(context) || !contextFits(context)) return "its context has a field of the wrong type";
  return { id, time, at, outcome, policy, asked, context };
}

/** The call as the engine was asked to decide it: the written context back in the engine's terms, at the record's instant. */
export function recordContext(record: ReadRecord): GuardContext {
  const c = record.context;
  const context: { -readonly [K in keyof GuardContext]: GuardContext[K] } = { now: record.at };
  if (c.operation !== undefined) context.operation = c.operation;
  if (c.resource !== undefined) context.resource = c.resource;
  if (c.resource_type !== undefined) context.resourceType = c.resource_type;
  if (c.route !== undefined) context.route = c.route;
  if (c.route_folded === true) context.caseInsensitiveRoute = true;
  if (c.method !== undefined) context.method = c.method;
  if (c.client !== undefined) context.client = c.client;
  if (c.user !== undefined) context.user = c.user;
  if (c.roles !== undefined) context.roles = c.roles;
  if (c.api_key !== undefined) context.apiKey = c.api_key;
  if (c.environment !== undefined) context.environment = c.environment;
  if (c.feature !== undefined) context.feature = c.feature;
  if (c.facts !== undefined) context.facts = c.facts;
  if (c.confirm !== undefined) context.confirm = c.confirm;
  if (c.cost !== undefined) context.cost = c.cost;
  if (c.model !== undefined) context.model = c.model;
  if (c.input_tokens !== undefined) context.inputTokens = c.input_tokens;
  if (c.max_output_tokens !== undefined) context.maxOutputTokens = c.max_output_tokens;
  if (c.keys !== undefined) context.keys = c.keys;
  return context;
}
