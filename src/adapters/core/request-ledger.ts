// Per-request state shared by every guard a request passes: its decisions, confirmed policies, and the charge handle.
import { settleError } from "../../engine/amount.js";
import type { Decision } from "../../engine/decision.js";
import { isUsage, type TokenUsage } from "../../engine/pricing/usage.js";
import { configWarning, type Logger } from "../../errors/warnings.js";
import type { TokenRejection } from "./confirm-token.js";

const NO_DECISIONS: readonly Decision[] = Object.freeze([]);

/**
 * What an app's handler sees (`res.locals.hexarch` in Express, `ctx.state.hexarch` in Koa): the decisions taken for
 * this request, and `charge()` to settle budgets with the real cost once it is known.
 * @example
 * const reply = await openai.chat.completions.create({ model: "gpt-4o", max_tokens: 800, messages });
 * await res.locals.hexarch.charge(reply.usage); // priced by the route's model; charge(0.02) for any other cost
 */
export interface RequestHandle {
  /** The last decision taken for this request. */
  readonly decision: Decision | undefined;
  /** Every decision taken for this request, in order (one per `hexarch()`/`guard()` it passed). */
  readonly decisions: readonly Decision[];
  /**
   * Replaces the estimate reserved by this request's budget decisions with the actual cost: an amount, or the usage
   * object the model provider returned (OpenAI Chat, OpenAI Responses, Anthropic), priced by the request's model.
   * Settles once; later calls do nothing. A cost that is not a number from 0 to MAX_AMOUNT, or a usage that cannot be
   * priced, rejects and changes nothing. In Express and Koa, a request whose response ends (sent or aborted by the
   * client) without a charge spends its estimate.
   */
  charge(actual: number | TokenUsage): Promise<void>;
  /** Gives the whole reservation back (the call spent nothing): `charge(0)`. */
  release(): Promise<void>;
}

/** The per-request record behind a RequestHandle. Adapters keep one per request (Express: `res.locals.hexarch`). */
export class RequestLedger implements RequestHandle {
  /** The first decision: most requests take one, so the list is made only when a second comes or it is read. */
  #first: Decision | undefined;
  #decisions: Decision[] | undefined;
  /** True once the confirmation header was read: one token is redeemed once per request. */
  tokenRead = false;
  tokenRejection: TokenRejection | undefined;
  /** The approval id an earlier guard of this request took (its decision allowed the request), if any. */
  approvalTaken: string | undefined;
  #confirmed: string[] | undefined;
  /** True once charged (or ended): a request settles once. */
  #charged = false;
  #watched = false;

  get decisions(): readonly Decision[] {
    if (this.#decisions !== undefined) return this.#decisions;
    return this.#first === undefined ? NO_DECISIONS : (this.#decisions = [this.#first]);
  }

  get decision(): Decision | undefined {
    return this.#decisions === undefined ? this.#first : this.#decisions.at(-1);
  }

  /** Policies confirmed by a token earlier in this request, or undefined when none. */
  get confirmed(): readonly string[] | undefined {
    return this.#confirmed;
  }

  /** Records policies confirmed by a redeemed token. */
  confirm(policyIds: readonly string[]): void {
    const confirmed = (this.#confirmed ??= []);
    for (const id of policyIds) if (!confirmed.includes(id)) confirmed.push(id);
  }

  async charge(actual: number | TokenUsage): Promise<void> {
    if (!isUsage(actual)) {
      const refused = settleError(actual);
      if (refused !== undefined) throw refused;
    }
    const reserving = this.decisions.filter((d) => d.reserved !== undefined);
    // Every decision prices the usage before any settles, so a usage one cannot price changes nothing.
    for (const decision of reserving) {
      const cost = decision.costOf(actual);
      if (typeof cost !== "number") throw cost;
    }
    if (this.#charged) return;
    this.#charged = true;
    await Promise.all(reserving.map((d) => d.settle(actual)));
  }

  release(): Promise<void> {
    return this.charge(0);
  }

  /**
   * The end of the request for its reservations: when the response closes (sent, or aborted by the client) without a
   * charge, every reservation is settled at its estimate (the handler may have spent it), and later charges are ignored.
   * Registered once, and only for a request that reserved something.
   */
  watchEnd(response: { once(event: "close", listener: () => void): unknown }): void {
    if (this.#watched || this.decision?.reserved === undefined) return;
    this.#watched = true;
    response.once("close", () => {
      if (this.#charged) return;
      this.#charged = true;
      for (const decision of this.decisions) if (decision.reserved !== undefined) void decision.settle(decision.reserved);
    });
  }

  /** Records a decision; warns once when a counter was already charged for this request by an earlier guard. */
  record(decision: Decision, logger: Logger): void {
    if (this.#first === undefined) {
      this.#first = decision;
      return;
    }
    const earlier = this.decisions as Decision[];
    for (const { rule } of decision.counters) {
      if (!earlier.some((d) => d.counters.some((c) => c.rule.policyId === rule.policyId && c.rule.index === rule.index))) continue;
      configWarning(
        logger,
        "HEXARCH_COUNTED_TWICE",
        `policy '${rule.policyId}' rule ${rule.index} was counted twice for one request: it is applied both by hexarch() and by guard("${rule.policyId}") on the same route; keep one`,
      );
    }
    earlier.push(decision);
  }
}

/** Ledgers of requests from adapters without a per-request slot, kept beside the request rather than written onto it. */
const ledgers = new WeakMap<object, RequestLedger>();

/**
 * The ledger of a request, for adapters without a per-request slot of their own (Fetch). Kept in a WeakMap, not on
 * the request: Next.js hands route handlers a proxied request, where writing a property costs more than a decision.
 */
export function ledgerFor(carrier: object): RequestLedger {
  let ledger = ledgers.get(carrier);
  if (ledger === undefined) ledgers.set(carrier, (ledger = new RequestLedger()));
  return ledger;
}
