// Runs golden cases: a fresh in-memory store and a frozen clock per case, requests in order, expectations checked.
import { answerFor } from "../../adapters/core/index.js";
import { MemoryStore, type Decision } from "../../index.js";
import { guardianFor } from "../policy-source.js";
import { offsetMs } from "./offset.js";
import { parseInstant, requestContext } from "../request.js";
import { stateSlots, type LoadedCases } from "./load.js";
import type { Case, Expectation, Step } from "./schema.js";

/** What one case came to. */
export interface CaseResult {
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  /** For a failed case: where and what did not match, one line each. */
  readonly failure?: readonly string[];
}

/** The status a decision is answered with; 200 stands for "reaches the route handler". */
function answeredStatus(decision: Decision, now: number): number {
  const answer = answerFor(decision, { now });
  return answer.proceed ? 200 : answer.status;
}

function expectationOf(step: Step): Expectation {
  return typeof step.expect === "string" ? { outcome: step.expect } : step.expect;
}

/** Every way the decision differs from the expectation; empty when it matches. */
function mismatches(expected: Expectation, decision: Decision, status: number): string[] {
  const found: string[] = [];
  if (expected.outcome !== undefined && decision.outcome !== expected.outcome)
    found.push(`expected outcome ${expected.outcome}, got ${decision.outcome}`);
  if (expected.status !== undefined && status !== expected.status) found.push(`expected status ${expected.status}, got ${status}`);
  if (expected.would_be !== undefined && decision.wouldBe !== expected.would_be)
    found.push(`expected would_be ${expected.would_be}, got ${decision.wouldBe ?? "nothing"}`);
  if (expected.reason !== undefined && !decision.reason.includes(expected.reason))
    found.push(`expected the reason to contain "${expected.reason}"`);
  return found;
}

function describeStep(step: Step, index: number): string {
  const label = step.name ?? (step.method === undefined ? "call" : `${step.method.toUpperCase()} ${step.path ?? "/"}`);
  return `request ${index + 1} (${label})`;
}

/**
 * Runs one case on its own MemoryStore with the clock frozen at the case's `at` (or a request's own `at`):
 * presets the starting state, then sends each request `repeat` times and stops at the first mismatch.
 * Rate windows follow the same clock, so requests with `at:` or `after: 59.5s` step through them.
 * @example const result = await runCase(loadCaseFile(terminal, "hexarch.test.yaml", undefined), 0); // { passed: true, ... }
 */
export async function runCase(loaded: LoadedCases, caseIndex: number): Promise<CaseResult> {
  const testCase = loaded.spec.cases[caseIndex] as Case;
  const at = parseInstant(testCase.at);
  const guardian = guardianFor(loaded.policy, {
    store: new MemoryStore({ clock: () => at }),
    clock: () => at,
    env: {},
    environment: testCase.env ?? "development",
  });
  try {
    for (const entry of testCase.state ?? []) {
      for (const slot of stateSlots(entry, guardian.countersFor(requestContext(entry, at), [entry.policy]))) {
        await guardian.store.set(slot.key, slot.points(entry.used), slot.windowMs, slot.rate, at);
      }
    }
    for (const [s, step] of testCase.requests.entries()) {
      const now = step.at !== undefined ? parseInstant(step.at) : step.after !== undefined ? at + offsetMs(step.after) : at;
      const ids = step.policy === undefined ? undefined : typeof step.policy === "string" ? [step.policy] : step.policy;
      const times = step.repeat ?? 1;
      for (let call = 1; call <= times; call++) {
        const ctx = requestContext(step, now);
        const decision = ids === undefined ? await guardian.evaluate(ctx) : await guardian.check(ids, ctx);
        if (step.usage !== undefined && decision.isAllowed()) await decision.settle(step.usage);
        const found = mismatches(expectationOf(step), decision, answeredStatus(decision, now));
        if (found.length === 0) continue;
        const where = `${describeStep(step, s)}${times > 1 ? `, call ${call} of ${times}` : ""} at ${loaded.place(["cases", caseIndex, "requests", s])}`;
        return {
          file: loaded.file,
          name: testCase.name,
          passed: false,
          failure: [where, ...found, `decision: ${decision.outcome}: ${decision.reason}`],
        };
      }
    }
    return { file: loaded.file, name: testCase.name, passed: true };
  } finally {
    await guardian.close();
  }
}
