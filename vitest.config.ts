// Test runner settings: every *.test.ts under tests/ in one of three projects (unit, integration, e2e), one worker per core, generous timeouts for real servers.
import { defineConfig } from "vitest/config";

/** In process, no server outside the test: `npm run test:unit`. */
const UNIT = ["tests/unit/**/*.test.ts", "tests/adapters/**/*.test.ts", "tests/cli/**/*.test.ts", "tests/contract/adapters/**/*.test.ts", "tests/contract/stores/memory.test.ts"];
/** Against real Redis servers: `npm run test:integration`. */
const INTEGRATION = ["tests/integration/**/*.test.ts", "tests/contract/stores/redis.test.ts"];
/** Built or packed package, installed apps, a real Next server: `npm run test:e2e`. */
const E2E = ["tests/e2e/**/*.test.ts", "tests/smoke/**/*.test.ts", "tests/cli/built-bin.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: UNIT, exclude: E2E } },
      { extends: true, test: { name: "integration", include: INTEGRATION } },
      { extends: true, test: { name: "e2e", include: E2E } },
    ],
  },
});
