// Small wording rules shared by the commands' output: counts with the right plural.

/**
 * `1 rule`, `3 rules`, `2 policies`.
 * @example counted(2, "policy", "policies") // "2 policies"
 */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
