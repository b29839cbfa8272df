// One call under two require_approval policies: a request for each, and once a person approved both, the call runs once
// (the second approval used to be given back each time the first was taken, so the call could never run).
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";

const POLICY = `
policies:
  - id: prod_delete
    rules:
      - operation: delete
        action: require_approval
  - id: customer_data
    rules:
      - resource: customers
        action: require_approval
`;

const BOTH = ["prod_delete", "customer_data"];
const DROP = { operation: "delete", resource: "customers", client: "203.0.113.9" };

describe("a call under two require_approval policies", () => {
  it("asks each in turn, runs once when a person approved both, and then never again", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const first = await guardian.check(BOTH, DROP);
    expect(first.approval?.status).toBe("pending");
    const a = first.approval?.id as string;
    await guardian.approvals.approve(a, { by: "ada" });

    const second = await guardian.check(BOTH, { ...DROP, approval: a });
    expect(second.outcome).toBe("confirm");
    const b = second.approval?.id as string;
    expect(b).not.toBe(a);
    expect((await guardian.approvals.get(a))?.status).toBe("approved");
    // Retried before the second is approved: still waiting, and the first approval is still there for later.
    expect((await guardian.check(BOTH, { ...DROP, approval: b })).approval?.status).toBe("pending");
    await guardian.approvals.approve(b, { by: "grace" });

    expect((await guardian.check(BOTH, { ...DROP, approval: b })).outcome).toBe("allow");
    expect((await guardian.approvals.get(a))?.status).toBe("used");
    expect((await guardian.approvals.get(b))?.status).toBe("used");
    for (const id of [a, b]) expect((await guardian.check(BOTH, { ...DROP, approval: id })).approval?.rejected).toBe("used");
    await guardian.close();
  });
});
