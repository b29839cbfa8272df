// Which policies a person approved for one call: a mark on the call's own context object, never a field a caller can state.

/** Per context object: the policies whose `require_approval` a person approved for this one call. */
const grants = new WeakMap<object, readonly string[]>();

/**
 * Marks `ctx` (a fresh object made for one call) as approved for `policies`: the engine then lets their
 * `require_approval` rules pass. Only the approvals desk calls it, after taking the approval once in the store.
 * @example const ctx = { ...context }; grantApproval(ctx, ["prod_delete"]); await decide(ctx);
 */
export function grantApproval(ctx: object, policies: readonly string[]): void {
  grants.set(ctx, policies);
}

/** True when a person's approval for `policyId` was granted to this context object. */
export function isApproved(ctx: object, policyId: string): boolean {
  return grants.get(ctx)?.includes(policyId) === true;
}
