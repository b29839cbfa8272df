// `hexarch replay --postgres`: two instances' chains in one table replay merged by time; a row edited in the table is refused.
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { runHexarch, tempProject } from "../../cli/run-hexarch.js";
import { describeWithPostgres, suitePostgres, uniqueTable } from "../../support/postgres.js";
import { apiPolicy, at } from "./crafted-log.js";

describeWithPostgres("hexarch replay from PostgreSQL", "any", () => {
  const postgresUrl = suitePostgres();
  let url: string;
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    url = postgresUrl();
    project = tempProject();
  });
  afterAll(() => project.remove());

  it("replays two writers' chains in one table in time order, and refuses the table once a row is edited", async () => {
    const table = uniqueTable("replay");
    const logging = `logging:\n  postgres_url: ${JSON.stringify(url)}\n  postgres_table: ${table}\n`;
    writeFileSync(join(project.dir, "hexarch.yaml"), `${apiPolicy(5)}${logging}`);
    writeFileSync(join(project.dir, "lowered.yaml"), apiPolicy(3));
    // Two instances take turns with one client, as instances behind a balancer do: 0, 10, 20 s on one, 5, 15, 25 s on the other,
    // each flushing its own batches (every 100 ms), so the table holds their rows interleaved.
    let now = 0;
    const instances = [0, 1].map(() => createGuardian({ policyFile: join(project.dir, "hexarch.yaml"), env: {}, clock: () => now }));
    for (const s of [0, 5, 10, 15, 20, 25]) {
      now = at(s);
      await instances[s % 10 === 0 ? 0 : 1]?.evaluate({ client: "203.0.113.9", route: "/api/items", method: "GET" });
      await sleep(150);
    }
    await Promise.all(instances.map((guardian) => guardian.close()));
    const args = ["replay", "lowered.yaml", "--postgres", url, "--table", table, "--json"];
    const run = await runHexarch(args, { cwd: project.dir });
    expect(run.stderr).toBe("");
    const result = JSON.parse(run.stdout) as { total: number; changes: { time: string }[]; notes: string[] };
    expect(result).toMatchObject({ total: 6, notes: [] });
    // By time, the 4th, 5th and 6th calls (15, 20, 25 s) are past 3 a minute, whichever instance took them.
    expect(result.changes.map((c) => Date.parse(c.time))).toEqual([at(15), at(20), at(25)]);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`UPDATE ${table} SET line = replace(line, '"allow"', '"deny"') WHERE seq = 2`);
    } finally {
      await client.end();
    }
    const refused = await runHexarch(args, { cwd: project.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/edited .* row \d+ .*replay refused: the log does not verify/s);
  });
});
