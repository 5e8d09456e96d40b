import type { SettingField } from "./configured.js";

export type Coerced = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

type ScalarType = "string" | "number" | "integer" | "boolean";

const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ["true", true], ["1", true], ["yes", true], ["on", true],
  ["false", false], ["0", false], ["no", false], ["off", false],
]);

const INVALID = Symbol("invalid");

/**
 * Converts a raw value to the field's type, then checks choices and bounds. Strings are parsed
 * whatever their source (env vars are always strings, and YAML/JSON files often quote numbers);
 * any other value must already have the right type.
 */
export function coerceSetting(value: unknown, field: SettingField): Coerced {
  const typed = coerceByType(value, field);
  if (!typed.ok) return typed;
  const problem = checkBounds(typed.value, field);
  return problem === undefined ? typed : { ok: false, message: problem };
}

function coerceByType(value: unknown, field: SettingField): Coerced {
  switch (field.type) {
    case "url":
      return coerceUrl(value, field.optional);
    case "path":
      return coercePath(value, field.optional);
    case "string[]":
    case "number[]":
      return coerceList(value, field.type);
    case "string[] map":
      return coerceListMap(value);
    default:
      return coerceScalarResult(value, field.type);
  }
}

/** A value as it should read in a message: strings quoted, objects summarised. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) {
    const text = safeJson(value) ?? "an array";
    return text.length > 80 ? `an array of ${value.length} items` : text;
  }
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return String(value);
}

function coerceScalarResult(value: unknown, type: ScalarType): Coerced {
  const result = coerceScalar(value, type);
  return result === INVALID ? { ok: false, message: `expected ${type}, got ${describeValue(value)}` } : { ok: true, value: result };
}

function coerceScalar(value: unknown, type: ScalarType): unknown {
  switch (type) {
    case "string":
      return typeof value === "string" ? value : INVALID;
    case "boolean":
      if (typeof value === "boolean") return value;
      return typeof value === "string" ? (BOOLEAN_WORDS.get(value.trim().toLowerCase()) ?? INVALID) : INVALID;
    case "number":
    case "integer": {
      // Number("") and Number("  ") are 0: a blank string must be an error, not a silent zero.
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) return INVALID;
      return type === "integer" && !Number.isInteger(n) ? INVALID : n;
    }
  }
}

/**
 * An absolute http(s) URL, returned as written: `new URL()` would normalise it (a trailing slash
 * added to the origin), and an issuer is compared byte for byte with the `iss` of tokens.
 */
function coerceUrl(value: unknown, optional: boolean): Coerced {
  const expected = "expected an absolute http(s) URL";
  if (typeof value !== "string") return { ok: false, message: `${expected}, got ${describeValue(value)}` };
  if (value === "" && optional) return { ok: true, value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // A URL that does not parse is not shown when it may carry a user:password@ (the password
    // could hold a space, or the port be out of range): this message reaches logs and terminals.
    const got = value.includes("@") ? "an invalid URL (not shown: it may hold credentials)" : describeValue(value);
    return { ok: false, message: `${expected} (such as "https://auth.example.com"), got ${got}` };
  }
  // A password in a URL would be shown by this very message and by every log that names the URL.
  if (url.username !== "" || url.password !== "") return { ok: false, message: `${expected} without user:password@, got a URL with credentials` };
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: `${expected}, got a ${url.protocol} URL: ${describeValue(value)}` };
  if (value !== value.trim()) return { ok: false, message: `${expected}, got ${describeValue(value)} (leading or trailing white space)` };
  return { ok: true, value };
}

/** A path this server answers on: a route never matches one without its leading "/", or with a space, "?" or "#". */
function coercePath(value: unknown, optional: boolean): Coerced {
  const expected = 'expected a URL path starting with "/" (such as "/docs")';
  if (typeof value !== "string") return { ok: false, message: `${expected}, got ${describeValue(value)}` };
  if (value === "" && optional) return { ok: true, value };
  // "//host/x" would read as another host in a link; white space, "?" and "#" never reach a route.
  if (!/^\/(?!\/)[^\s?#\x00-\x1f\x7f]*$/.test(value)) return { ok: false, message: `${expected}, without white space, "?" or "#", got ${describeValue(value)}` };
  return { ok: true, value };
}

function coerceList(value: unknown, type: "string[]" | "number[]"): Coerced {
  const element: ScalarType = type === "string[]" ? "string" : "number";
  let items: unknown = value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.startsWith("[")) {
      items = safeParse(text);
      if (items === INVALID) return { ok: false, message: `expected ${type}, got ${describeValue(value)} (not valid JSON)` };
    } else {
      items = text === "" ? [] : text.split(",").map((item) => item.trim());
    }
  }
  if (!Array.isArray(items)) return { ok: false, message: `expected ${type}, got ${describeValue(value)}` };
  const out: unknown[] = [];
  for (const [index, item] of items.entries()) {
    const coerced = coerceScalar(item, element);
    if (coerced === INVALID) {
      return { ok: false, message: `expected ${type}, got ${describeValue(value)}: item ${index} expected ${element}, got ${describeValue(item)}` };
    }
    out.push(coerced);
  }
  return { ok: true, value: Object.freeze(out) };
}

/**
 * An object whose values are string lists: `{"admin": ["*"], "wallet": ["profile:read"]}`. A string
 * (env, or a quoted value in a file) is read as JSON, `""` as `{}`. Values must be arrays: a comma
 * list inside JSON would be a second syntax for the same thing.
 */
function coerceListMap(value: unknown): Coerced {
  const expected = 'expected string[] map (an object of string lists, such as {"admin": ["*"]})';
  let object: unknown = value;
  if (typeof value === "string") {
    const text = value.trim();
    object = text === "" ? {} : safeParse(text);
    if (object === INVALID) return { ok: false, message: `${expected}, got ${describeValue(value)} (not valid JSON)` };
  }
  if (!isPlainObject(object)) return { ok: false, message: `${expected}, got ${describeValue(object)}` };
  const out: [string, readonly string[]][] = [];
  for (const [key, list] of Object.entries(object)) {
    const where = `${expected}: key ${JSON.stringify(key)}`;
    if (!Array.isArray(list)) return { ok: false, message: `${where} expected string[], got ${describeValue(list)}` };
    const bad = list.findIndex((item) => typeof item !== "string");
    if (bad !== -1) return { ok: false, message: `${where} item ${bad} expected string, got ${describeValue(list[bad])}` };
    out.push([key, Object.freeze([...(list as string[])])]);
  }
  // fromEntries defines own properties: a "__proto__" key stays a plain key, never a prototype.
  return { ok: true, value: Object.freeze(Object.fromEntries(out)) };
}

/** A plain object (literal, JSON or null prototype): not an array, Map, Date or class instance. */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function checkBounds(value: unknown, field: SettingField): string | undefined {
  if (field.type === "string[] map") return undefined;
  for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
    if (field.choices && !field.choices.includes(item as string | number)) {
      return `expected one of ${field.choices.map(describeValue).join(", ")}, got ${describeValue(item)}`;
    }
    if (typeof item !== "number") continue;
    if (field.min !== undefined && item < field.min) return `expected at least ${field.min}, got ${item}`;
    if (field.max !== undefined && item > field.max) return `expected at most ${field.max}, got ${item}`;
  }
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
