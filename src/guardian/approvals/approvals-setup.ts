// The approvals of a guardian from its policy file: the notifier for `notify:`, the base URL, the log's records.
import type { LoadedPolicyFile } from "../../engine/config/load.js";
import type { PolicySet } from "../../engine/compile/policy-set.js";
import type { Logger } from "../../errors/warnings.js";
import type { DecisionLog } from "../../log/decision-log.js";
import { createNotifier } from "../../notify/create-notifier.js";
import type { Notifier } from "../../notify/notifier.js";
import type { CounterStore } from "../../stores/store.js";
import type { DecideFn } from "./approval-gate.js";
import { guardianApprovals, type ApprovalStepListener, type GuardianApprovals } from "./guardian-approvals.js";
import { approvalView } from "./approval-record.js";

/** What the guardian hands over. */
export interface ApprovalsSource {
  readonly store: CounterStore;
  readonly prefix: string;
  readonly clock: () => number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly log: DecisionLog | undefined;
  /** The notifier given in the options, which wins over the file's targets. */
  readonly notifier: Notifier | undefined;
  readonly onStep: ApprovalStepListener | undefined;
  readonly decideFor: (policies: readonly string[] | undefined) => DecideFn;
}

/**
 * The guardian's approvals, the notifier it must close (undefined when it made none), and whether any rule asks for
 * approval (else calls skip the approval step).
 */
export function approvalsFromConfig(
  loaded: LoadedPolicyFile | undefined,
  set: PolicySet,
  source: ApprovalsSource,
): { approvals: GuardianApprovals; notifier: Notifier | undefined; asksApproval: boolean } {
  const targets = loaded?.spec.notify ?? [];
  const made = targets.length === 0 ? undefined : createNotifier(targets, { env: source.env, logger: source.logger });
  const notifier = source.notifier ?? made;
  const { log } = source;
  const approvals = guardianApprovals(
    {
      store: source.store,
      prefix: source.prefix,
      clock: source.clock,
      baseUrl: loaded?.spec.approvals?.base_url,
      notifier,
      record: (step, record) => {
        const details = {
          ...approvalView(record, source.clock()),
          policy: record.policy,
          subject: record.subject,
          created_at: new Date(record.created_at).toISOString(),
        };
        if (log !== undefined) approvalStepRecorder(log)(step, details);
        source.onStep?.(step, details);
      },
    },
    set,
    source.decideFor,
  );
  const asksApproval = set.rules.some((indexed) => indexed.rule.action === "require_approval");
  return { approvals, notifier: source.notifier === undefined ? notifier : undefined, asksApproval };
}

/**
 * Writes each approval step into `log`: who decided with approved and denied, why with denied, the end with requested.
 * @example createGuardian({ decisionLog: false, onApprovalStep: approvalStepRecorder(serverLog) })
 */
export function approvalStepRecorder(log: DecisionLog): ApprovalStepListener {
  return (step, approval) =>
    log.recordApproval({
      id: approval.id,
      step,
      policy: approval.policy,
      by: step === "approved" || step === "denied" ? approval.decided_by : undefined,
      reason: step === "denied" ? approval.reason : undefined,
      expiresAt: step === "requested" ? Date.parse(approval.expires_at) : undefined,
    });
}
