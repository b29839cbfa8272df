// Sealing alone: microseconds to chain one decision record (canonical text, MAC, line), SHA-256 and HMAC-SHA256,
// in batches of 1,000 as the log seals them. The record is the one the HTTP benches log (Quick Start, GET /items).
import { Chain } from "../../src/log/chain.js";
import { logMac } from "../../src/log/mac.js";
import { median } from "../http-load.js";
import { benchDecisionRecords } from "./decision-records.js";

const BATCH = 1_000;
const BATCHES = 50;
const ROUNDS = 15;

const bodies = await benchDecisionRecords(BATCH);

for (const key of [undefined, "bench-log-key-0123456789abcdef"]) {
  const chain = new Chain(logMac(key), { instance: "bench", policyFile: "hexarch.yaml", policyDigest: "0" });
  const perRecord: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let batch = 0; batch < BATCHES; batch++) chain.commit(chain.seal(bodies, false));
    perRecord.push(Number(process.hrtime.bigint() - start) / 1_000 / (BATCH * BATCHES));
  }
  const bytes = chain.seal(bodies.slice(0, 1), false).lines[0]?.length ?? 0;
  console.log(
    `${logMac(key).algorithm.padEnd(12)} ${median(perRecord).toFixed(2)} µs per record (median of ${ROUNDS} rounds; lines of ${bytes} bytes)`,
  );
}
