// Micro-benchmark: ns per Zone.wallClock / TimeWindow.check / period lookup, against one Intl formatToParts call in the same run.
import { performance } from "node:perf_hooks";
import { periodTracker } from "../../src/engine/time/period.js";
import { compileTimeWindow } from "../../src/engine/time/window.js";
import { getZone } from "../../src/engine/time/zone.js";

const ITERATIONS = 2_000_000;
const START = Date.UTC(2026, 10, 24, 14, 0);
let sink = 0;

/** Runs `body` ITERATIONS times after a warm-up and returns nanoseconds per call. */
function measure(body: (index: number) => number): number {
  for (let index = 0; index < 200_000; index++) sink += body(index);
  const began = performance.now();
  for (let index = 0; index < ITERATIONS; index++) sink += body(index);
  return ((performance.now() - began) * 1e6) / ITERATIONS;
}

const zone = getZone("America/New_York");
const utc = getZone("UTC");
const formatter = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  weekday: "short",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
});
const businessHours = compileTimeWindow({
  allowed_hours: ["09:00-17:00"],
  allowed_days: ["mon", "tue", "wed", "thu", "fri"],
  timezone: "America/New_York",
});
const currentDay = periodTracker(zone, "day");

// Steady traffic: instants advance ~1 ms per call; "spread": instants jump around one local day (96 cached buckets).
const spread = (index: number): number => START + ((index * 7_919_993) % 86_400_000);
const results: Record<string, number> = {
  "formatToParts (1 call, cached formatter)": measure((index) => formatter.formatToParts(START + index).length),
  "wallClock, steady traffic": measure((index) => zone.wallClock(START + index).minuteOfDay),
  "wallClock, spread over a day": measure((index) => zone.wallClock(spread(index)).minuteOfDay),
  "wallClock, UTC": measure((index) => utc.wallClock(START + index).minuteOfDay),
  "check, allowed (09:00 Tue)": measure((index) => (businessHours.check(START + index).ok ? 1 : 0)),
  "check, refused (Sat, cached)": measure((index) => (businessHours.check(START + 4 * 86_400_000 + index).ok ? 1 : 0)),
  "check, spread over a day": measure((index) => (businessHours.check(spread(index)).ok ? 1 : 0)),
  "periodTracker day, steady": measure((index) => currentDay(START + index).endsAt),
};

const baseline = results["formatToParts (1 call, cached formatter)"] ?? 1;
for (const [name, nanoseconds] of Object.entries(results)) {
  const ratio = nanoseconds / baseline;
  console.log(`${name.padEnd(42)} ${nanoseconds.toFixed(1).padStart(8)} ns/call   ${ratio.toFixed(3)}x formatToParts`);
}
console.log(`(sink ${sink > 0 ? "ok" : "?"}, ${ITERATIONS} iterations each, node ${process.version})`);
