// A decision record holds what a replay needs to ask again the same way: how it was asked, its instant, its level, the API key's id.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { LogRecordSchema } from "../../../src/log/record-schema.js";
import { loggingGuardian, quickstartWithLogging, tempFolder } from "./log-support.js";

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => (folder = tempFolder()));
afterEach(() => folder.remove());

/** Every line the guardian wrote, parsed and checked against the published schema. */
async function written(env: Record<string, string>, calls: (guardian: ReturnType<typeof loggingGuardian>) => Promise<unknown>) {
  const path = join(folder.dir, `decisions-${Object.keys(env).length}.log`);
  const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(path)}`, "level: info"]), {
    env,
    clock: () => Date.parse("2026-12-01T10:00:00.123Z"),
  });
  await calls(guardian);
  await guardian.close();
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => LogRecordSchema.parse(JSON.parse(line)) as Record<string, unknown>);
}

it("says how each decision was asked (policy ids for check, * for every policy), at the engine's instant, under a header naming the level", async () => {
  const records = await written({}, async (guardian) => {
    await guardian.check(["rate_limit", "safe_delete"], { client: "c" });
    await guardian.evaluate({ client: "c", route: "/Items", caseInsensitiveRoute: true, model: "gpt-4o", inputTokens: 12 });
  });
  expect(records[0]).toMatchObject({ type: "header", level: "info" });
  expect(records[1]).toMatchObject({ policy_ids: ["rate_limit", "safe_delete"], time: "2026-12-01T10:00:00.123Z" });
  expect(records[2]).toMatchObject({ policy_ids: "*", context: { route_folded: true, model: "gpt-4o", input_tokens: 12 } });
});

it("never writes an API key: nothing without HEXARCH_LOG_KEY, its keyed hash with it, equal for equal keys", async () => {
  const plain = await written({}, (guardian) => guardian.evaluate({ apiKey: "sk-live-secret" }));
  expect(JSON.stringify(plain)).not.toContain("sk-live-secret");
  expect(plain[1]?.["context"]).not.toHaveProperty("api_key");
  const keyed = await written({ HEXARCH_LOG_KEY: "k".repeat(32) }, async (guardian) => {
    await guardian.evaluate({ apiKey: "sk-live-secret" });
    await guardian.evaluate({ apiKey: "sk-live-secret" });
  });
  expect(JSON.stringify(keyed)).not.toContain("sk-live-secret");
  const ids = keyed.slice(1).map((record) => (record["context"] as { api_key?: string }).api_key);
  expect(ids[0]).toMatch(/^h:[0-9a-f]{32}$/);
  expect(ids[1]).toBe(ids[0]);
});

it('keeps every sealed line beginning with {"chain": with policy_ids in it (verify finds torn writes by that start)', async () => {
  const path = join(folder.dir, "start.log");
  const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(path)}`]), { env: {} });
  await guardian.check("rate_limit", { client: "c" });
  await guardian.evaluate({ client: "c" });
  await guardian.close();
  const lines = readFileSync(path, "utf8").trim().split("\n");
  expect(lines.map((line) => line.slice(0, 10))).toEqual(lines.map(() => '{"chain":"'));
  expect(lines.filter((line) => line.includes('"policy_ids":'))).toHaveLength(2);
});
