// Test runner settings: every *.test.ts under tests/ in one of three projects (unit, integration, e2e), one worker per
// core, generous timeouts for real servers.
import { availableParallelism } from "node:os";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * Integration files first, then e2e, then unit, each slowest first (vitest's own order within a project). The e2e
 * files wait for the shared install that globalSetup starts, so they come after the integration files instead of
 * holding both workers while it runs; the many short unit files fill the end, when one worker would otherwise idle.
 */
class InstallFriendlyOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => ["integration", "e2e", "unit"].indexOf(file.project.name);
    return sorted
      .map((file, index) => ({ file, index }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index)
      .map(({ file }) => file);
  }
}

/** Against real Redis and PostgreSQL servers: `npm run test:integration`. */
const INTEGRATION = [
  "tests/integration/redis/**/*.test.ts",
  "tests/integration/log/**/*.test.ts",
  "tests/integration/postgres/**/*.test.ts",
  "tests/integration/server/**/*.test.ts",
  // Tests that spawn a process (the CLI, python3): slower and needing more of the machine than an in-process file.
  "tests/integration/cli/**/*.test.ts",
  "tests/integration/docs/**/*.test.ts",
  "tests/contract/stores/redis.test.ts",
  // Attack suites that need Redis, PostgreSQL or a server process; the rest of tests/attacks/ runs with the unit files.
  "tests/attacks/**/*.integration.test.ts",
];
/** Built or packed package, installed apps, a real Next server: `npm run test:e2e`. */
const E2E = ["tests/e2e/**/*.test.ts", "tests/smoke/**/*.test.ts", "tests/cli/built-bin.test.ts"];

export default defineConfig({
  test: {
    // Vitest's default leaves one core free: on a 2-core machine that meant one worker and the whole suite in series.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: InstallFriendlyOrder },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    setupFiles: ["tests/support/property-seed.ts"],
    reporters: ["default"],
    projects: [
      // Everything else runs in process with no server: `npm run test:unit`. A new file lands here unless it is listed above.
      // Its files share one module graph per worker (isolate: false): importing the modules again for each of ~90 files
      // took most of the project's time (unit 103 s isolated, 40 s shared, quiet 2-core machine). So a unit test must not
      // lean on fresh module state: no once-per-process flag or module-level cache it expects to find empty.
      {
        extends: true,
        test: { name: "unit", include: ["tests/**/*.test.ts"], exclude: [...INTEGRATION, ...E2E], isolate: false },
      },
      { extends: true, test: { name: "integration", include: INTEGRATION } },
      // globalSetup starts the smoke tests' shared pack-and-install (about 45 s) while the workers run other files.
      { extends: true, test: { name: "e2e", include: E2E, globalSetup: ["tests/smoke/start-shared-install.ts"] } },
    ],
  },
});
