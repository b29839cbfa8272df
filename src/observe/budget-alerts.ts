// Budget alerts: `budget.warning` and `budget.exhausted`, once per threshold, period and key across every process sharing the store.
import { budgetRow } from "../engine/budget-rows.js";
import type { IndexedRule, PolicySet } from "../engine/compile/policy-set.js";
import { toMicros, type BudgetCounter } from "../engine/compile/rule.js";
import { counterKeyBase } from "../engine/counters.js";
import type { CounterReport, Decision } from "../engine/decision.js";
import type { Logger } from "../errors/warnings.js";
import type { Notifier } from "../notify/notifier.js";
import type { CounterStore } from "../stores/store.js";

/** The two budget events. */
export type BudgetEventType = "budget.warning" | "budget.exhausted";

/** Everything budget alerts need from the guardian. */
export interface BudgetAlertOptions {
  readonly set: PolicySet;
  readonly store: CounterStore;
  readonly prefix: string;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly notifier: Notifier;
  /** The budgets page the events link to (`https://hexarch.example/budgets`); absent, events carry no link. */
  readonly pageUrl?: string | undefined;
}

/** Most alerts this process remembers as sent or being sent; past it, it forgets them all and asks the store again. */
const REMEMBERED_ALERTS = 10_000;

/** A budget counter of the policy set, found from a decision's report of it. */
interface FoundBudget {
  readonly indexed: IndexedRule;
  readonly c: number;
  readonly counter: BudgetCounter;
}

/**
 * Watches decisions for budgets crossing their `warn_at` threshold or refusing a call, and sends one event per
 * threshold, period and key. Each alert is claimed once in the store (Redis: `SET NX` expiring at the period's end),
 * so processes sharing it send one between them, a restart does not send again, and the next period does. A memory
 * store claims within its process only. Never delays or fails a decision: the claim and the event happen after it,
 * and a failure is logged (a store that is down sends no alert; a later call past the threshold tries again).
 * @example new BudgetAlerts({ set, store, prefix: "hexarch:", clock: Date.now, logger, notifier }).inspect(decision);
 */
export class BudgetAlerts {
  readonly #options: BudgetAlertOptions;
  /** Alerts this process has claimed, or found claimed, or is claiming: the store is asked once per alert and process. */
  readonly #known = new Set<string>();

  constructor(options: BudgetAlertOptions) {
    this.#options = options;
  }

  /** Looks at one decision's budget counters; returns at once. */
  inspect(decision: Decision): void {
    const { counters } = decision;
    const refusing = decision.isDenied() && decision.kind === "budget" ? refusingReport(decision) : undefined;
    for (let i = 0; i < counters.length; i++) {
      const report = counters[i] as CounterReport;
      if (report.kind !== "budget" || (report.warnAt === undefined && report !== refusing)) continue;
      const found = this.#budgetOf(report);
      if (found === undefined) continue;
      const { warnPoints } = found.counter;
      if (warnPoints !== undefined && toMicros(report.used) >= warnPoints) this.#alert("budget.warning", found, report, decision);
      if (report === refusing) this.#alert("budget.exhausted", found, report, decision);
    }
  }

  /** The compiled budget counter a report speaks of (a rule's budgets differ by window). */
  #budgetOf(report: CounterReport): FoundBudget | undefined {
    const indexed = this.#options.set.policies.get(report.rule.policyId)?.rules[report.rule.index];
    if (indexed === undefined) return undefined;
    const counters = indexed.rule.counters;
    for (let c = 0; c < counters.length; c++) {
      const counter = counters[c];
      if (counter?.kind === "budget" && counter.window === report.window) return { indexed, c, counter };
    }
    return undefined;
  }

  #alert(type: BudgetEventType, found: FoundBudget, report: CounterReport, decision: Decision): void {
    const local = `${type}\u0000${report.rule.policyId}\u0000${report.rule.index}\u0000${found.c}\u0000${report.partition}\u0000${report.resetAt}`;
    if (this.#known.has(local)) return;
    if (this.#known.size >= REMEMBERED_ALERTS) this.#known.clear();
    this.#known.add(local);
    const { store, prefix, clock, logger } = this.#options;
    const now = decision.countedAt ?? clock();
    const period = found.counter.period(now);
    const untilPeriodEnds = period.endsAt - now;
    if (untilPeriodEnds <= 0) return;
    const base = counterKeyBase(prefix, found.indexed, found.c).slice(prefix.length);
    const claimKey = `${prefix}alert:${type}:${base}${report.partition}:${period.id}`;
    // Claimed a turn later, so that even a store that throws at once cannot reach the decision.
    Promise.resolve()
      .then(() => store.claimOnce(claimKey, untilPeriodEnds))
      .then(
        (claimed) => (claimed ? this.#send(type, found, report, now) : undefined),
        (error: unknown) => {
          this.#known.delete(local);
          logger.error({ err: error, store: store.name, alert: type }, "hexarch: could not claim a budget alert; none sent");
        },
      )
      .catch((error: unknown) => logger.error({ err: error, alert: type }, "hexarch: a budget alert failed"));
  }

  /**
   * Reads the budget's row (spent, reserved, projection) and hands the event to the notifier. The alert is claimed by
   * now: when the store cannot be read, the event still goes, with what the decision knew (`spent` and `reserved` null).
   */
  async #send(type: BudgetEventType, found: FoundBudget, report: CounterReport, now: number): Promise<void> {
    const { store, prefix, logger, notifier, pageUrl } = this.#options;
    const row = await budgetRow(found.indexed, found.c, report.partition, store, prefix, now).catch((error: unknown) => {
      logger.error({ err: error, store: store.name, alert: type }, "hexarch: could not read the budget for its alert");
      return undefined;
    });
    const event = {
      type,
      policy: report.rule.policyId,
      rule: report.rule.index,
      window: report.window,
      key: report.partition,
      period: row?.period ?? found.counter.period(now).id,
      spent: row?.spent ?? null,
      reserved: row?.reserved ?? null,
      limit: report.limit,
      projected: row?.projected ?? null,
      warnAt: report.warnAt,
      periodEndsAt: new Date(report.resetAt).toISOString(),
      ...(pageUrl === undefined ? {} : { page: pageUrl }),
    };
    try {
      notifier.send(event);
    } catch (error) {
      logger.error({ err: error, alert: type }, "hexarch: the notifier failed to queue a budget alert");
    }
  }
}

/** The report of the budget that refused the call: of the deciding rule's budgets, the one nearest its limit. */
function refusingReport(decision: Decision): CounterReport | undefined {
  const { rule } = decision;
  let nearest: CounterReport | undefined;
  for (const report of decision.counters) {
    if (report.kind !== "budget" || report.rule.policyId !== rule?.policyId || report.rule.index !== rule.index) continue;
    if (nearest === undefined || report.used / report.limit > nearest.used / nearest.limit) nearest = report;
  }
  return nearest;
}
