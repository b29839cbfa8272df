// hexarch approvals: list, show, approve and deny requests an app asked, from its Redis or through a running server.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { runHexarch, tempProject } from "../../cli/run-hexarch.js";
import { startTestServer } from "../../server/serve-support.js";
import { bearer, keyFor } from "../../attacks/server/attack-support.js";
import { describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

const RULES = `policies:
  - id: prod_delete
    rules:
      - operation: delete
        action: require_approval
`;
const DROP = { operation: "delete", resource: "users", client: "203.0.113.9" };

describeWithRedis("hexarch approvals on the app's Redis", "any", () => {
  const project = tempProject();
  let redis: { url: string; release: () => Promise<void> } | undefined;
  beforeAll(async () => {
    redis = await redisForTests();
  });
  afterAll(async () => {
    project.remove();
    await redis?.release();
  });

  it("lists pending requests one a line, id first; shows one; approves and denies them; the app then admits once", async () => {
    const file = join(project.dir, "hexarch.yaml");
    writeFileSync(file, `store:\n  redis_url: "${redis?.url ?? ""}"\n  prefix: "${uniquePrefix("approvals-cli")}"\n${RULES}`);
    const app = createGuardian({ policyFile: file });
    const a = (await app.check("prod_delete", DROP)).approval?.id ?? "";
    const b = (await app.check("prod_delete", { ...DROP, resource: "orders" })).approval?.id ?? "";
    const cli = (...args: string[]) => runHexarch(["approvals", ...args], { cwd: project.dir, env: { USER: "ada" } });

    const listed = await cli("list");
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[0]),
    ).toEqual([a, b]);
    expect(listed.stdout).toContain("prod_delete  delete users");
    expect((await cli("show", a)).stdout).toMatch(new RegExp(`^${a}: pending\\n  policy   prod_delete`));

    expect((await cli("approve", a)).stdout).toContain(`${a}: approved by ada`);
    expect((await cli("deny", b, "--by", "grace", "--reason", "not today")).stdout).toContain("why      not today");
    const again = await cli("approve", a);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is approved \(by ada\); only a pending request can be decided/);
    expect((await cli("deny", a)).code).toBe(2);

    expect((await app.check("prod_delete", { ...DROP, approval: a })).outcome).toBe("allow");
    expect((await app.check("prod_delete", { ...DROP, resource: "orders" })).reason).toMatch(/grace denied it: not today/);
    expect((await cli("list")).stdout).toBe("");
    await app.close();
  });

  it("writes the person's decision to the app's decision log, as a chain of its own that verifies with the app's", async () => {
    const file = join(project.dir, "hexarch.yaml");
    const log = join(project.dir, "decisions.log");
    writeFileSync(
      file,
      `store:\n  redis_url: "${redis?.url ?? ""}"\n  prefix: "${uniquePrefix("approvals-log")}"\nlogging:\n  file: "${log}"\n${RULES}`,
    );
    const app = createGuardian({ policyFile: file });
    const id = (await app.check("prod_delete", DROP)).approval?.id ?? "";
    const approved = await runHexarch(["approvals", "approve", id, "--by", "ada"], { cwd: project.dir });
    expect(approved.code).toBe(0);
    expect((await app.check("prod_delete", { ...DROP, approval: id })).outcome).toBe("allow");
    await app.close();
    const steps = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type?: string; step?: string; by?: string })
      .filter((record) => record.type === "approval")
      .map((record) => `${record.step} ${record.by ?? "-"}`)
      .sort();
    // Two writers (the app and the CLI), each its own chain: the order of their lines in the file is not fixed.
    expect(steps.filter((step) => !step.startsWith("used"))).toEqual(["approved ada", "requested -"]);
    expect(steps.filter((step) => step.startsWith("used"))).toHaveLength(1);
    const verified = await runHexarch(["log", "verify", log], { cwd: project.dir });
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
  });

  it("refuses a store in memory, which only the app holds", async () => {
    const dir = tempProject();
    writeFileSync(join(dir.dir, "hexarch.yaml"), RULES);
    const run = await runHexarch(["approvals", "list"], { cwd: dir.dir, env: {} });
    dir.remove();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/kept in memory live inside the running app/);
  });
});

describe("hexarch approvals --url against a running server", () => {
  it("needs a key with the approve scope, and decides through the API", async () => {
    const t = await startTestServer(RULES);
    try {
      const app = bearer(keyFor(t, "app", "decide"));
      const person = keyFor(t, "ada", "approve");
      const id = (await t.post("/v1/decisions", { policy: "prod_delete", context: DROP }, app)).body.approval.id as string;
      const cli = (...args: string[]) =>
        runHexarch(["approvals", ...args, "--url", t.server.url], { cwd: t.dir, env: { HEXARCH_API_KEY: person } });
      expect((await cli("list")).stdout.startsWith(id)).toBe(true);
      expect((await cli("approve", id, "--by", "Ada")).stdout).toContain(`${id}: approved by Ada (key ada)`);
      const refused = await runHexarch(["approvals", "list", "--url", t.server.url, "--key", app.authorization?.slice(7) ?? ""], {
        cwd: t.dir,
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/answered 403: this key lacks the approve scope/);
    } finally {
      await t.stop();
    }
  });
});
