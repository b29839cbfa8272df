// The decision records the log benches seal and store: what the HTTP benches log (Quick Start policies, GET /items).
import { createGuardian } from "../../src/index.js";
import { decisionRecord, type RecordBody } from "../../src/log/records.js";
import { BENCH_POLICIES } from "../policies.js";

/**
 * The records of `count` successive decisions on one client, as the decision log builds them.
 * @example const [record] = await benchDecisionRecords(1);
 */
export async function benchDecisionRecords(count: number): Promise<RecordBody[]> {
  const guardian = createGuardian({ policyText: BENCH_POLICIES });
  const context = { method: "GET", route: "/items", operation: "read", client: "127.0.0.1" };
  const shape = { redact: new Set<never>(), hide: undefined, explain: false, policyFile: "hexarch.yaml" };
  const records: RecordBody[] = [];
  for (let i = 0; i < count; i++)
    records.push(decisionRecord(`c-${i}`, Date.now(), await guardian.evaluate(context), context, "production", shape));
  await guardian.close();
  return records;
}
