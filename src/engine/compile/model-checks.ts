// A rule's `models:` and `forbidden_models:` compiled into checks: a refused call's reason names its model.
import type { RuleSpec } from "../config/schema.js";
import { modelList } from "../pricing/model-pattern.js";
import type { Check } from "./rule.js";

/**
 * The checks of a rule's model lists, compared as modelList compares (case, provider prefix). `models:` is an
 * allow-list: a call naming another model, or no model, is denied. `forbidden_models:` denies a call naming a model it
 * matches; a call that names no model passes it. The reason shows the name as JSON, so control characters show.
 * @example
 * modelChecks({ forbidden_models: ["*opus*"] })[0]?.test(ctx, "production", 0, modelName("Claude-Opus-4"))?.reason
 * // 'model "Claude-Opus-4" is forbidden here (forbidden_models: *opus*)'
 */
export function modelChecks(spec: RuleSpec): Check[] {
  const checks: Check[] = [];
  if (spec.models !== undefined) {
    const allowed = modelList(spec.models);
    const names = spec.models.join(", ");
    checks.push({
      kind: "model",
      describe: `models: ${names}`,
      test: (_ctx, _environment, _now, model) => {
        if (model === undefined) return { reason: `the call names no model; only ${names} may be used here` };
        return allowed.find(model) === undefined
          ? { reason: `model ${JSON.stringify(model.raw)} is not allowed here; only ${names} may be used` }
          : undefined;
      },
    });
  }
  if (spec.forbidden_models !== undefined) {
    const forbidden = modelList(spec.forbidden_models);
    checks.push({
      kind: "model",
      describe: `forbidden_models: ${spec.forbidden_models.join(", ")}`,
      test: (_ctx, _environment, _now, model) => {
        const match = model === undefined ? undefined : forbidden.find(model);
        return match === undefined || model === undefined
          ? undefined
          : { reason: `model ${JSON.stringify(model.raw)} is forbidden here (forbidden_models: ${match})` };
      },
    });
  }
  return checks;
}
