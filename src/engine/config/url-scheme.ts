// Whether a URL from the policy file or the environment names a server of the expected kind, judged by its scheme.

/**
 * Why `url` cannot name a server reached through one of `schemes`, or undefined when it can.
 * @example urlSchemeProblem("http://cache:6379", ["redis", "rediss"]) // '"http://cache:6379" is not a redis:// or rediss:// URL'
 */
export function urlSchemeProblem(url: string, schemes: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (schemes.some((scheme) => parsed.protocol === `${scheme}:`)) return undefined;
  return `"${url}" is not a ${schemes.map((scheme) => `${scheme}://`).join(" or ")} URL`;
}
