// Test runner settings: every *.test.ts under tests/, one worker per core, generous timeouts for real servers.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    setupFiles: ["tests/support/property-seed.ts"],
    reporters: ["default"],
  },
});
