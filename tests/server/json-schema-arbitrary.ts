// fast-check arbitraries for the JSON Schema subset zod writes into /openapi.json: values that fit a schema, and values that nearly do.
import fc from "fast-check";

/** A JSON Schema node, as read from the OpenAPI document. */
export type SchemaNode = Record<string, unknown>;

const jsonValue = fc.jsonValue({ maxDepth: 2 });

function typed(schema: SchemaNode, type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case "string": {
      if (typeof schema["pattern"] === "string")
        return fc
          .stringMatching(new RegExp(schema["pattern"]))
          .filter((s) => s.length <= ((schema["maxLength"] as number) ?? 128) && s.length >= ((schema["minLength"] as number) ?? 0));
      // Short strings keep 10,000 requests within seconds; lengths at the limits are the mutations' and the body limit's business.
      return fc.string({ minLength: (schema["minLength"] as number) ?? 0, maxLength: Math.min((schema["maxLength"] as number) ?? 16, 16) });
    }
    case "integer":
      return fc.integer({
        min: Math.max((schema["minimum"] as number) ?? -1e6, -1e9),
        max: Math.min((schema["maximum"] as number) ?? 1e6, 1e9),
      });
    case "number":
      return fc.double({
        min: (schema["minimum"] as number) ?? -1e6,
        max: (schema["maximum"] as number) ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const items = (schema["items"] as SchemaNode | undefined) ?? {};
      return fc.array(arbitraryFor(items), {
        minLength: (schema["minItems"] as number) ?? 0,
        maxLength: Math.min((schema["maxItems"] as number) ?? 4, 4),
      });
    }
    case "object": {
      const properties = (schema["properties"] as Record<string, SchemaNode> | undefined) ?? {};
      const required = new Set((schema["required"] as string[] | undefined) ?? []);
      const extra = schema["additionalProperties"];
      if (Object.keys(properties).length === 0 && typeof extra === "object" && extra !== null)
        return fc.dictionary(fc.string({ maxLength: 8 }), arbitraryFor(extra as SchemaNode), { maxKeys: 2 });
      const shape = Object.fromEntries(Object.entries(properties).map(([name, node]) => [name, arbitraryFor(node)]));
      return fc.record(shape, { requiredKeys: [...required].filter((name) => name in shape) });
    }
    default:
      return jsonValue;
  }
}

/**
 * Values that fit `schema` (the subset zod emits: type, properties, required, anyOf, enum, const, bounds, pattern).
 * @example fc.sample(arbitraryFor({ type: "string", maxLength: 3 }), 2)
 */
export function arbitraryFor(schema: SchemaNode): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema["const"]);
  if (Array.isArray(schema["enum"])) return fc.constantFrom(...(schema["enum"] as unknown[]));
  const union = (schema["anyOf"] ?? schema["oneOf"]) as SchemaNode[] | undefined;
  if (union !== undefined) return fc.oneof(...union.map(arbitraryFor));
  const type = schema["type"];
  if (Array.isArray(type)) return fc.oneof(...type.map((t: string) => typed(schema, t)));
  if (typeof type === "string") return typed(schema, type);
  return jsonValue;
}

/** One change that may make a valid value invalid: an unknown key, a key removed, or a value swapped for anything. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), fc.string({ maxLength: 8 }), jsonValue).map(([value, pick, name, replacement]) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return replacement;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const key = keys[pick % Math.max(keys.length, 1)];
    if (pick % 3 === 0 || key === undefined) copy[`x_${name}`] = replacement;
    else if (pick % 3 === 1) delete copy[key];
    else copy[key] = replacement;
    return copy;
  });
}
