// A rule's `models:` and `forbidden_models:` compiled into checks: a refused call's reason names its model.
import type { RuleSpec } from "../config/schema.js";
import { modelList } from "../pricing/model-pattern.js";
import type { Check } from "./rule.js";

/**
 * The checks of a rule's model lists. `models:` is an allow-list: a call naming another model, or no model, is denied.
 * `forbidden_models:` denies a call naming a model it matches; a call that names no model passes it.
 * @example
 * modelChecks({ forbidden_models: ["*opus*"] })[0]?.test({ model: "claude-opus-4" }, "production", 0)?.reason
 * // 'model "claude-opus-4" is forbidden here (forbidden_models: *opus*)'
 */
export function modelChecks(spec: RuleSpec): Check[] {
  const checks: Check[] = [];
  if (spec.models !== undefined) {
    const allowed = modelList(spec.models);
    const names = spec.models.join(", ");
    checks.push({
      kind: "model",
      describe: `models: ${names}`,
      test: (ctx) => {
        if (ctx.model === undefined) return { reason: `the call names no model; only ${names} may be used here` };
        return allowed.find(ctx.model) === undefined
          ? { reason: `model "${ctx.model}" is not allowed here; only ${names} may be used` }
          : undefined;
      },
    });
  }
  if (spec.forbidden_models !== undefined) {
    const forbidden = modelList(spec.forbidden_models);
    checks.push({
      kind: "model",
      describe: `forbidden_models: ${spec.forbidden_models.join(", ")}`,
      test: (ctx) => {
        const match = ctx.model === undefined ? undefined : forbidden.find(ctx.model);
        return match === undefined ? undefined : { reason: `model "${ctx.model ?? ""}" is forbidden here (forbidden_models: ${match})` };
      },
    });
  }
  return checks;
}
