// A policy file named on the command line that is not there is blamed on the command line, not on a library option.
import { describe, expect, it } from "vitest";
import { runHexarch, tempProject } from "./run-hexarch.js";

describe("a missing policy file named on the command line", () => {
  it.each([["serve"], ["validate"], ["list"], ["keys", "list", "--config"]])(
    "hexarch %s does not blame the policyFile option the user never used",
    async (...command) => {
      const project = tempProject();
      try {
        const run = await runHexarch([...command, "nothere.yaml"], { cwd: project.dir });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("nothere.yaml given by ");
        expect(run.stderr).not.toContain("policyFile option");
      } finally {
        project.remove();
      }
    },
  );
});
