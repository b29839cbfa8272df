// Redis cost per decision under each rate algorithm, in process: round trips, commands per counter, Redis CPU.
import { Redis } from "ioredis";
import { CommandLog, countRoundTrips } from "../../tests/support/redis.js";
import { createGuardian, RedisStore } from "../../src/index.js";

const ALGORITHMS = ["fixed_window", "sliding_window", "token_bucket"] as const;
/** Decisions whose Redis CPU is read, sent BATCH at a time; then COUNTED ones under MONITOR, one at a time. */
const DECISIONS = 20_000;
const BATCH = 50;
const COUNTED = 500;
/** Clients, so each stays under its limits: 20,000 decisions over 2,000 clients is 10 each. */
const CLIENTS = Array.from({ length: 2_000 }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}`);

/** Two counters per decision (a second and a minute window), as a rule with both limits keeps. */
const policy = (algorithm: string): string =>
  `policies:\n  - id: api\n    rules:\n      - requests_per_second: 100\n        requests_per_minute: 1000\n        algorithm: ${algorithm}\n`;

async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

/**
 * Prints, per algorithm: round trips and Redis commands per decision and per counter (counted under MONITOR over
 * COUNTED sequential decisions), and Redis CPU per decision over DECISIONS (auto-pipelined, BATCH in flight), with
 * each algorithm's CPU as a ratio of fixed_window's in the same run.
 * @example await algorithmCosts("redis://127.0.0.1:6379")
 */
export async function algorithmCosts(url: string): Promise<void> {
  const admin = new Redis(url);
  const cpu: number[] = [];
  console.log(
    `\nRate algorithms on Redis, in process: 2 counters per decision (1 s and 1 min); CPU over ${DECISIONS} decisions, commands under MONITOR over ${COUNTED}`,
  );
  try {
    for (const algorithm of ALGORITHMS) {
      const prefix = `bench-alg:${process.pid}:${algorithm}`;
      const client = new Redis(url);
      const trips = countRoundTrips(client);
      const guardian = createGuardian({
        policyText: policy(algorithm),
        env: {},
        store: new RedisStore({ client, prefix, autoPipelining: false, timeoutMs: 5_000 }),
      });
      for (let i = 0; i < 100; i++) await guardian.evaluate({ client: CLIENTS[i] as string });
      const log = await CommandLog.watch(url, prefix);
      trips.reset();
      for (let i = 0; i < COUNTED; i++) await guardian.evaluate({ client: CLIENTS[i % CLIENTS.length] as string });
      await log.settled();
      log.stop();
      const roundTrips = trips.count / COUNTED;
      const commands = log.commands.length / COUNTED;
      const pipelined = createGuardian({
        policyText: policy(algorithm),
        env: {},
        store: new RedisStore({ client: new Redis(url), prefix: `${prefix}:cpu`, quitOnClose: true }),
      });
      const before = await redisCpuMicros(admin);
      for (let done = 0; done < DECISIONS; done += BATCH) {
        await Promise.all(
          Array.from({ length: BATCH }, (_, k) => pipelined.evaluate({ client: CLIENTS[(done + k) % CLIENTS.length] as string })),
        );
      }
      const micros = ((await redisCpuMicros(admin)) - before) / DECISIONS;
      cpu.push(micros);
      // One minute counter of a client that made DECISIONS / CLIENTS calls: what Redis keeps for a live key.
      const [minuteKey] = pipelined.countersFor({ client: CLIENTS[0] as string }).filter((slot) => slot.window === "1m");
      const keyBytes = Number(await admin.call("MEMORY", "USAGE", `{${prefix}:cpu}:${minuteKey?.key ?? ""}`, "SAMPLES", "0"));
      console.log(
        `  ${algorithm.padEnd(15)} round trips ${roundTrips.toFixed(2)}/decision   commands ${commands.toFixed(2)}/decision (${(commands / 2).toFixed(2)}/counter)` +
          `   Redis CPU ${micros.toFixed(1)} µs/decision (${(micros / (cpu[0] ?? micros)).toFixed(2)}x fixed_window)   ${keyBytes} bytes/key at ${DECISIONS / CLIENTS.length} calls`,
      );
      await guardian.close();
      await pipelined.close();
      client.disconnect();
    }
  } finally {
    admin.disconnect();
  }
}
