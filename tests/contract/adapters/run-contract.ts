// Runs every contract case against one adapter driver, so each adapter proves the same HTTP behaviour.
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/guardian/create-guardian.js";
import { MemoryStore } from "../../../src/stores/memory.js";
import type { CounterStore } from "../../../src/stores/store.js";
import { ConfirmTokens } from "../../../src/adapters/core/index.js";
import { CONTRACT_CASES, type ContractCase, type ContractStep, type TokenChoice } from "./cases.js";
import type { AdapterDriver, ContractApp, ContractResponse } from "./driver.js";

const SECRET = "contract-secret-0123456789abcdef";

/** A store whose every operation fails, as an unreachable Redis would. */
function failingStore(): CounterStore {
  const fail = () => Promise.reject(new Error("store unreachable"));
  return { name: "failing", consume: fail, refund: fail, peek: fail, set: fail, claimOnce: fail };
}

function forgedToken(): string {
  const other = new ConfirmTokens({ secret: "another-secret-0123456789abcdef", ttlMs: 60_000, store: new MemoryStore(), keyPrefix: "x:" });
  return other.issue({ method: "DELETE", target: "/items/1", bodyDigest: "", client: "127.0.0.1" }, ["safe_delete"]).token;
}

function tokenValue(choice: TokenChoice, issued: readonly string[]): string {
  switch (choice) {
    case "first":
    case "last": {
      const token = choice === "first" ? issued[0] : issued.at(-1);
      if (token === undefined) throw new Error("the case sends a token before any 428");
      return token;
    }
    case "forged":
      return forgedToken();
    case "garbage":
      return "please let me through";
    default:
      return `v2.${"A".repeat(5000)}`;
  }
}

function expectResponse(response: ContractResponse, expected: ContractStep["expect"], where: string): void {
  expect(response.status, `${where}: status (body ${JSON.stringify(response.body)})`).toBe(expected.status);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = response.headers[name];
    if (value === null) expect(actual, `${where}: header ${name} absent`).toBeUndefined();
    else if (typeof value === "string") expect(actual, `${where}: header ${name}`).toBe(value);
    else expect(actual, `${where}: header ${name}`).toMatch(value);
  }
  if (expected.body !== undefined) expect(response.body, `${where}: body`).toMatchObject(expected.body);
}

async function runSteps(app: ContractApp, steps: readonly ContractStep[]): Promise<void> {
  const issuedTokens: string[] = [];
  for (const [s, step] of steps.entries()) {
    const { token, ...request } = step.request;
    for (let n = 0; n < (step.times ?? 1); n++) {
      const headers = { ...request.headers, ...(token === undefined ? {} : { "hexarch-confirm": tokenValue(token, issuedTokens) }) };
      const response = await app.send({ ...request, headers });
      expectResponse(response, step.expect, `step ${s + 1} (${request.method} ${request.path}) #${n + 1}`);
      const issued = (response.body as { confirm?: { token?: unknown } } | undefined)?.confirm?.token;
      if (typeof issued === "string") issuedTokens.push(issued);
    }
  }
}

async function runCase(driver: AdapterDriver, testCase: ContractCase): Promise<void> {
  const guardian = createGuardian({ policyText: testCase.policies, ...(testCase.failingStore === true ? { store: failingStore() } : {}) });
  const app = await driver.build({ guardian, mount: testCase.mount, options: { ...testCase.options, secret: SECRET } });
  try {
    if (testCase.steps !== undefined) await runSteps(app, testCase.steps);
    if (testCase.burst !== undefined) {
      const { request, concurrent, counts } = testCase.burst;
      const responses = await Promise.all(Array.from({ length: concurrent }, () => app.send(request)));
      const tally: Record<number, number> = {};
      for (const r of responses) tally[r.status] = (tally[r.status] ?? 0) + 1;
      expect(tally).toEqual(counts);
    }
  } finally {
    await app.close();
    await guardian.close();
  }
}

/**
 * Registers the whole HTTP contract for one adapter.
 * @example runAdapterContract(expressDriver)
 */
export function runAdapterContract(driver: AdapterDriver): void {
  describe(`HTTP contract: ${driver.name}`, () => {
    for (const testCase of CONTRACT_CASES) {
      it(testCase.name, () => runCase(driver, testCase));
    }
  });
}
