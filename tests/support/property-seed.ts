// Fixes fast-check's seed in CI (CI=true), so the adversarial property tests replay the same inputs on every run there.
import fc from "fast-check";

/** The seed CI runs every property with; locally each run draws its own, and a failure prints the seed to replay. */
const CI_SEED = 20_261_202;

if (process.env["CI"] === "true") fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: CI_SEED });
