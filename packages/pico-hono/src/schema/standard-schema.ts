/**
 * The two interfaces pico-hono needs from the Standard Schema specs (standardschema.dev): validation
 * (`~standard.validate`) and JSON Schema export (`~standard.jsonSchema`). Zod 4, Valibot and ArkType
 * implement them, so routes accept any of those without pico-hono depending on one.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
    readonly jsonSchema?: {
      readonly input: (options: JsonSchemaOptions) => Record<string, unknown>;
      readonly output: (options: JsonSchemaOptions) => Record<string, unknown>;
    };
  };
}

interface JsonSchemaOptions {
  readonly target: string;
  readonly libraryOptions?: Record<string, unknown>;
}

export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] };

export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
  /** Not in the spec; Zod and others add one, and it becomes the issue's `type`. */
  readonly code?: unknown;
}

export type InferOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : never;

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof (value as StandardSchemaV1 | null)?.["~standard"]?.validate === "function";
}

/**
 * The schema's JSON Schema (2020-12, the dialect of OpenAPI 3.1), or undefined when the library cannot
 * export it. Types JSON Schema cannot express (dates, say) become `{}`, "any", rather than failing:
 * the schema still validates; only the documentation is vaguer.
 */
export function toJsonSchema(schema: StandardSchemaV1, io: "input" | "output"): Record<string, unknown> | undefined {
  const exporter = schema["~standard"].jsonSchema;
  if (!exporter) return undefined;
  try {
    const { $schema: _dialect, ...jsonSchema } = exporter[io]({ target: "draft-2020-12", libraryOptions: { unrepresentable: "any" } });
    return jsonSchema;
  } catch {
    return undefined;
  }
}
