type JsonSchema = Readonly<Record<string, unknown>>;

/** What one query or path value should become before validation. */
type Scalar = "string" | "number" | "integer" | "boolean";
type Target = Scalar | { readonly list: Scalar };

/**
 * Query strings and path segments are always text. Like FastAPI, we convert each value to the type its
 * schema declares (from the schema's JSON Schema) before validating, so `?page=2` satisfies a number
 * and `?tag=a&tag=b` an array. A value that does not convert is passed as text, and validation then
 * reports it with the schema's own message.
 */
export function stringCoercer(schema: JsonSchema | undefined): (values: Record<string, string[]>) => Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const targets = new Map(Object.entries(properties).map(([name, property]) => [name, targetOf(property)]));
  return (values) => {
    const result: Record<string, unknown> = {};
    for (const [name, all] of Object.entries(values)) {
      const target = targets.get(name) ?? "string";
      result[name] = typeof target === "object" ? all.map((v) => convert(v, target.list)) : convert(all[0] as string, target);
    }
    return result;
  };
}

function targetOf(schema: JsonSchema): Target {
  const type = primaryType(schema);
  if (type === "array") {
    const items = schema.items as JsonSchema | undefined;
    const item = items ? targetOf(items) : "string";
    return { list: typeof item === "object" ? "string" : item };
  }
  return type === "number" || type === "integer" || type === "boolean" ? type : "string";
}

/** The first non-null type, looking through `type: [..]` lists and `anyOf`/`oneOf` (optional, nullable). */
function primaryType(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (typeof type === "string" && type !== "null") return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === "string" && t !== "null");
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      for (const option of options as JsonSchema[]) {
        const found = primaryType(option);
        if (found) return found;
      }
    }
  }
  return undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, "1": true, "0": false, yes: true, no: false, on: true, off: false };

function convert(value: string, target: Scalar): unknown {
  if (target === "number" || target === "integer") return NUMBER.test(value.trim()) ? Number(value) : value;
  if (target === "boolean") return BOOLEANS[value.toLowerCase()] ?? value;
  return value;
}
