// The one spelling of a request path that route scopes match: what is rewritten, what is kept, and the cheap common case.
import { describe, expect, it } from "vitest";
import { canonicalSegment, routePath } from "../../../src/engine/route-path.js";
import { compileRoute, pathSegments } from "../../../src/engine/route.js";
import { createGuardian } from "../../../src/index.js";

describe("routePath", () => {
  it.each([
    ["/users/7", false, "/users/7"],
    ["/users/7?full=1", false, "/users/7"],
    ["/Users/7", false, "/Users/7"],
    ["/Users/7", true, "/users/7"],
    ["http://h/admin/x", false, "/admin/x"],
    ["HTTP://user@Example.test:8080/Admin/x?q=/y", true, "/admin/x"],
    ["http://h", false, "/"],
    ["http://h?x=/admin", false, "/"],
    ["/admin//x///", false, "/admin/x"],
    ["/admin\\x#frag", false, "/admin/x"],
    ["/admin/x#/y", false, "/admin/x"],
    ["/%61dmin/%7Euser", false, "/admin/~user"],
    ["/%41dmin", false, "/Admin"],
    ["/%41dmin", true, "/admin"],
    ["/a%2fb/%e2%82%ac", false, "/a%2Fb/%E2%82%AC"],
    ["/bad%zz/%4", false, "/bad%zz/%4"],
    ["/users/..", false, "/users/.."],
    ["/users/%2e%2E", false, "/users/.."],
    ["/admin/./x", false, "/admin/./x"],
    ["/", true, "/"],
    ["//", false, "/"],
  ])("%s (fold case: %s) → %s", (target, fold, path) => {
    expect(routePath(target, fold)).toBe(path);
  });

  it("gives an already-normal path back as it is, without rewriting it", () => {
    const path = "/users/7/orders";
    expect(routePath(path, true)).toBe(path);
    expect(routePath(`${path}?page=2`, true)).toBe(path);
  });
});

describe("route patterns in the same spelling", () => {
  it("compare exactly, or in lower case for a folded path, with escapes in the pattern decoded", () => {
    const admin = compileRoute("/Admin/%7Ereports/*");
    expect(admin(pathSegments("/Admin/~reports/q3"), false)).toBe(true);
    expect(admin(pathSegments("/admin/~reports/q3"), false)).toBe(false);
    expect(admin(pathSegments("/admin/~reports/q3"), true)).toBe(true);
    expect(canonicalSegment("%7EUser", true)).toBe("~user");
  });
});

describe("a folded call finds rules whose patterns have upper case", () => {
  it("through the route index, and only when the call says the path is folded", async () => {
    const guardian = createGuardian({
      policyText: `policies:\n  - id: admin_only\n    rules:\n      - route: "/Admin/*"\n        allowed_users: [root]\n`,
    });
    expect((await guardian.evaluate({ route: "/admin/x", caseInsensitiveRoute: true })).outcome).toBe("deny");
    expect((await guardian.evaluate({ route: "/admin/x" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ route: "/Admin/x" })).outcome).toBe("deny");
  });
});
