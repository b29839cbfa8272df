// The HTTP adapters' amount entries: a fixed cost option and charge() go through the engine's one amount check.
import { describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { RequestLedger } from "../../../src/adapters/core/request-ledger.js";
import { PolicyConfigError } from "../../../src/index.js";
import { guardianFor } from "../../unit/engine/guardian-for.js";

const POLICY = "policies:\n  - id: spend\n    rules:\n      - monthly_budget: 10\n";

describe("amounts at the HTTP adapters", () => {
  it("does not accept a fixed cost option that is not an amount", () => {
    for (const cost of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let thrown: unknown;
      try {
        hexarch({ guardian: guardianFor(POLICY), cost });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PolicyConfigError);
      expect((thrown as PolicyConfigError).problems).toEqual([
        expect.objectContaining({ path: "hexarch().cost", message: expect.stringContaining(`cost ${cost} is not an amount`) }),
      ]);
    }
  });

  it("does not let charge() with an unreadable cost pass silently, even with nothing reserved", async () => {
    const ledger = new RequestLedger();
    await expect(ledger.charge(Number.NaN)).rejects.toThrow(RangeError);
    await expect(ledger.charge(1e303)).rejects.toThrow(/1e\+303/);
    await expect(ledger.charge(2)).resolves.toBeUndefined();
  });
});
