// Per-request state shared by every guard a request passes: its decisions, confirmed policies, and the charge handle.
import type { Decision } from "../../engine/decision.js";
import { configWarning, type Logger } from "../../engine/logger.js";
import type { TokenRejection } from "./confirm-token.js";

/**
 * What an app's handler sees (`res.locals.hexarch` in Express, `ctx.state.hexarch` in Koa): the decisions taken for
 * this request, and `charge()` to settle budgets with the real cost once it is known.
 * @example
 * const reply = await openai.chat(prompt);
 * await res.locals.hexarch.charge(reply.usage.total_tokens * PRICE);
 */
export interface RequestHandle {
  /** The last decision taken for this request. */
  readonly decision: Decision | undefined;
  /** Every decision taken for this request, in order (one per `hexarch()`/`guard()` it passed). */
  readonly decisions: readonly Decision[];
  /**
   * Replaces the estimated cost reserved by this request's budget decisions with the actual cost.
   * Settles once; later calls do nothing.
   */
  charge(actualCost: number): Promise<void>;
}

/** Internal per-request record behind a RequestHandle. */
export class RequestLedger implements RequestHandle {
  readonly decisions: Decision[] = [];
  /** Policies confirmed by a token or by the app earlier in this request. */
  readonly confirmed = new Set<string>();
  /** True once the confirmation header was read: one token is redeemed once per request. */
  tokenRead = false;
  tokenRejection: TokenRejection | undefined;
  readonly #counted = new Set<string>();

  get decision(): Decision | undefined {
    return this.decisions.at(-1);
  }

  async charge(actualCost: number): Promise<void> {
    await Promise.all(this.decisions.map((d) => d.settle(actualCost)));
  }

  /** Records a decision; warns once when a counter was already charged for this request by an earlier guard. */
  record(decision: Decision, logger: Logger): void {
    this.decisions.push(decision);
    for (const { rule } of decision.counters) {
      const id = `${rule.policyId}#${rule.index}`;
      if (!this.#counted.has(id)) this.#counted.add(id);
      else {
        configWarning(logger, "HEXARCH_COUNTED_TWICE", `policy '${rule.policyId}' rule ${rule.index} was counted twice for one request: it is applied both by hexarch() and by guard("${rule.policyId}") on the same route; keep one`);
      }
    }
  }
}

const ledgers = new WeakMap<object, RequestLedger>();

/** The ledger of a request, keyed by the framework's request object; created on first use. */
export function ledgerFor(carrier: object): RequestLedger {
  let ledger = ledgers.get(carrier);
  if (ledger === undefined) ledgers.set(carrier, (ledger = new RequestLedger()));
  return ledger;
}
