// Puts the decision log behind the engine's two deciding calls: every decision recorded, refusals when the log is required but down.
import type { GuardContext } from "../engine/context.js";
import { Decision } from "../engine/decision.js";
import type { DecisionLog } from "./decision-log.js";

/** The engine's deciding calls, as the guardian uses them. */
export interface Decider {
  decide(context: GuardContext, policyIds?: readonly string[]): Promise<Decision>;
  decideNow(context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision>;
}

/** Seconds to suggest in Retry-After while a required log cannot be written. */
const LOG_RETRY_AFTER = 5;

/**
 * The refusal of a call made while a required log cannot be written (`logging.required`): outcome `error`, kind `store`.
 * @example if (log.required && !log.accepting()) decision = unrecordable(log);
 */
export function unrecordable(log: DecisionLog): Decision {
  return new Decision({
    outcome: "error",
    kind: "store",
    reason: `The decision log (${log.sinkName}) cannot be written, and logging.required refuses calls that cannot be recorded`,
    retryAfter: LOG_RETRY_AFTER,
  });
}

/**
 * The same deciding calls, each decision recorded in `log`. With `logging.required`, a call made while the log
 * cannot be written is refused with outcome `error` (503) instead of being decided unrecorded.
 * @example const decider = loggedEngine(engine, log); await decider.decide({ route: "/users" });
 */
export function loggedEngine(engine: Decider, log: DecisionLog): Decider {
  const refusal = (): Decision => unrecordable(log);
  const decideNow = (context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision> => {
    const asked = policyIds ?? "*";
    if (log.required && !log.accepting()) return log.record(refusal(), context, undefined, asked);
    const decided = engine.decideNow(context, policyIds);
    return decided instanceof Decision
      ? log.record(decided, context, undefined, asked)
      : decided.then((decision) => log.record(decision, context, undefined, asked));
  };
  return deciderOf(decideNow);
}

/**
 * The Decider of a `decideNow`: `decide` is the same call, always as a promise (a throw becomes a rejection).
 * @example return deciderOf((context, policyIds) => engine.decideNow(context, policyIds));
 */
export function deciderOf(decideNow: Decider["decideNow"]): Decider {
  return {
    decideNow,
    decide: (context, policyIds) => {
      try {
        return Promise.resolve(decideNow(context, policyIds));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
