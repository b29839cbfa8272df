// A decision record as replay reads it: every field it uses checked for its type once, and the call context rebuilt from it.
import type { GuardContext } from "../engine/context.js";
import { toGuardContext, type WireContext } from "../engine/wire-context.js";

/** The context fields of a decision record that replay reads, as written: the decision API's (snake case, personal fields
 * maybe `h:…`), and whether the route was folded and what was confirmed. */
export interface WrittenContext extends WireContext {
  readonly route_folded?: true;
  readonly confirm?: boolean | readonly string[];
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
  // The fields the decision API shares with the log map by its table; the log alone writes route_folded and confirm.
  const context = toGuardContext(c);
  context.now = record.at;
  if (c.route_folded === true) context.caseInsensitiveRoute = true;
  if (c.confirm !== undefined) context.confirm = c.confirm;
  return context;
}
