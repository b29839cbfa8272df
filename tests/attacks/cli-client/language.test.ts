// `hexarch client <language>` as someone who wants another file printed: paths, odd spellings and huge names are refused
// with the one language it has, and nothing is printed.
import { afterAll, describe, expect, it } from "vitest";
import { runHexarch, tempProject } from "../../cli/run-hexarch.js";

const project = tempProject();
afterAll(() => project.remove());

describe("hexarch client refuses every language it does not have", () => {
  it.each([
    ["a path out of the package", "../../../../etc/passwd"],
    ["the client file's own name", "examples/server/hexarch_client.py"],
    ["an absolute path", "/etc/hostname"],
    ["another case", "Python"],
    ["a trailing space", "python "],
    ["a prototype key", "__proto__"],
    ["an object key", "constructor"],
    ["an empty name", ""],
    ["a huge name", "p".repeat(100_000)],
  ])("%s: exit 2, the choices named, nothing on stdout", async (_what, language) => {
    const run = await runHexarch(["client", language], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Allowed choices are python");
    expect(run.stderr.length).toBeLessThan(language.length + 500); // the name echoed once at most
  });
});
