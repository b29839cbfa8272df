// A decision record writes the call's facts so they can be read back: an object fact is never "[object Object]".
import { expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { decisionRecord } from "../../../src/log/records.js";

const SHAPE = { redact: new Set<never>(), hide: undefined, explain: false, policyFile: "hexarch.yaml" };

it("does not write an object fact as [object Object]", async () => {
  const guardian = createGuardian({ env: {}, policies: [{ id: "open", rules: [{ requests_per_minute: 10 }] }] });
  const facts = { plan: { tier: "pro", seats: 3 }, tags: ["a", "b"], when: 1.5, ok: true, big: 10n };
  const decision = await guardian.evaluate({ client: "c", facts });
  const record = decisionRecord("c1-1", 0, decision, { client: "c", facts }, "test", SHAPE);
  expect(record["context"]).toHaveProperty("facts");
  expect((record["context"] as { facts: unknown }).facts).toEqual({
    plan: '{"tier":"pro","seats":3}',
    tags: '["a","b"]',
    when: 1.5,
    ok: true,
    big: "10",
  });
});
