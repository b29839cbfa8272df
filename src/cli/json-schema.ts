// The JSON Schema of hexarch.yaml, generated from the same zod schema that validates the file.
import { z } from "zod";
import { PolicyFileSchema } from "../engine/config/schema.js";

/**
 * JSON Schema (draft-07, which YAML editors understand) for hexarch.yaml, for completion and inline checks.
 * The package ships it as `hexarch.schema.json`; `hexarch export --format json-schema` prints the same document.
 * @example policyFileJsonSchema().properties.policies.type // "array"
 */
export function policyFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(PolicyFileSchema, { target: "draft-7", io: "input" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "hexarch.yaml",
    description:
      "Policies enforced by hexarch-guardrails: rate limits, budgets, confirmations, time windows, preconditions, feature flags.",
    ...rest,
  };
}
