import "../tsyringe.js";
import { DecoratorMisuseError } from "../errors.js";
import { rejectUnknownOptions } from "../metadata/component.js";

/**
 * `url`: a string holding an absolute http(s) URL; `path`: a URL path of this server (`/docs`). Both
 * are checked at boot and kept exactly as written. `string[] map`: an object whose values are string
 * lists (`{"admin": ["*"]}`), a JSON object when it comes from the environment.
 */
export type SettingType = "string" | "url" | "path" | "number" | "integer" | "boolean" | "string[]" | "number[]" | "string[] map";

export const SETTING_TYPES: readonly SettingType[] = ["string", "url", "path", "number", "integer", "boolean", "string[]", "number[]", "string[] map"];

export interface SettingOptions {
  /**
   * Inferred when omitted: from the declared type (string, number, boolean), else from the type of
   * the field's initial value. Arrays always need it: `"string[]"` or `"number[]"`, and so do objects
   * of string lists: `"string[] map"`. `"url"` (never
   * inferred) takes an absolute http(s) URL, `"path"` a URL path starting with `/`; with `optional`,
   * `""` is accepted too and means none.
   */
  readonly type?: SettingType;
  /** Key in the config section; default: the property name in snake_case. */
  readonly key?: string;
  /** May stay `undefined`; otherwise a field without an initial value is required. */
  readonly optional?: boolean;
  /** Allowed values (each item's, for lists). */
  readonly choices?: readonly (string | number)[];
  /** Lower bound, for numbers and integers (each item's, for `number[]`). */
  readonly min?: number;
  readonly max?: number;
  readonly description?: string;
}

/** A `@setting` as recorded on its class; `type` stays unknown until `@configured` can read defaults. */
export interface DeclaredSetting {
  readonly property: string;
  readonly key: string;
  readonly type: SettingType | undefined;
  readonly options: SettingOptions;
}

const OPTION_KEYS = ["type", "key", "optional", "choices", "min", "max", "description"] as const;

// Symbol.for: a package loaded twice still reads the fields the other copy recorded.
const DECLARED_KEY = Symbol.for("pico-ioc.settings.fields");

/**
 * Section segments and keys become env var parts joined by `__`, so a double or trailing underscore
 * would make two different names produce the same variable.
 */
export function isValidName(name: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(name) && !name.includes("__") && !name.endsWith("_");
}

/** `accessTokenExpireMinutes` -> `access_token_expire_minutes`; `apiURL` -> `api_url`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** Declares a field of a `@configured` class as a setting bound from config and env. */
export function setting(options: SettingOptions = {}): PropertyDecorator {
  rejectUnknownOptions("@setting", options, OPTION_KEYS);
  checkOptionShapes(options);
  return (prototype, propertyKey) => {
    if (typeof prototype === "function") {
      throw new DecoratorMisuseError(`@setting on ${prototype.name}.${String(propertyKey)}: static fields cannot be settings`);
    }
    const owner = prototype.constructor;
    const where = `@setting on ${owner.name}.${String(propertyKey)}`;
    if (typeof propertyKey !== "string") throw new DecoratorMisuseError(`${where}: symbol properties cannot be settings`);
    const key = options.key ?? toSnakeCase(propertyKey);
    if (!isValidName(key)) {
      throw new DecoratorMisuseError(`${where}: key expected a snake_case name (a-z, 0-9, single underscores), got ${JSON.stringify(key)}`);
    }
    const declared = ownDeclaredSettings(owner);
    if (declared.some((d) => d.property === propertyKey)) throw new DecoratorMisuseError(`${where}: declared twice`);
    const type = options.type ?? typeFromDesign(Reflect.getMetadata("design:type", prototype, propertyKey), where);
    Reflect.defineMetadata(DECLARED_KEY, [...declared, { property: propertyKey, key, type, options }], owner);
  };
}

/** The settings declared directly on `owner` (not inherited), in declaration order. */
export function ownDeclaredSettings(owner: object): readonly DeclaredSetting[] {
  // Own metadata, and a fresh array on write: a subclass must not append to its parent's list.
  return (Reflect.getOwnMetadata(DECLARED_KEY, owner) as DeclaredSetting[] | undefined) ?? [];
}

/** Checks the options that depend on the field's type, once that type is known. */
export function checkTypedOptions(where: string, type: SettingType, options: SettingOptions): void {
  const numeric = type === "number" || type === "integer" || type === "number[]";
  if ((options.min !== undefined || options.max !== undefined) && !numeric) {
    throw new DecoratorMisuseError(`${where}: "min"/"max" apply to number, integer and number[] settings, not ${type}`);
  }
  if (options.choices === undefined) return;
  if (type === "boolean" || type === "string[] map") throw new DecoratorMisuseError(`${where}: "choices" do not apply to ${type} settings`);
  const fits = (choice: string | number): boolean =>
    numeric ? typeof choice === "number" && (type !== "integer" || Number.isInteger(choice)) : typeof choice === "string";
  const misfit = options.choices.find((choice) => !fits(choice));
  if (misfit !== undefined) {
    throw new DecoratorMisuseError(`${where}: "choices" must be values of type ${type.replace("[]", "")}, got ${JSON.stringify(misfit)}`);
  }
}

function typeFromDesign(designType: unknown, where: string): SettingType | undefined {
  if (designType === String) return "string";
  if (designType === Number) return "number";
  if (designType === Boolean) return "boolean";
  if (designType === Array) {
    throw new DecoratorMisuseError(`${where}: list settings need an explicit type: { type: "string[]" } or { type: "number[]" }`);
  }
  // Unions, literal types and inferred field types come through as Object: try the default value later.
  return undefined;
}

function checkOptionShapes(options: SettingOptions): void {
  const fail = (message: string): never => {
    throw new DecoratorMisuseError(`@setting: ${message}`);
  };
  if (options.type !== undefined && !SETTING_TYPES.includes(options.type)) {
    fail(`"type" expected one of ${SETTING_TYPES.join(", ")}, got ${JSON.stringify(options.type)}`);
  }
  if (options.key !== undefined && typeof options.key !== "string") fail(`"key" expected a string`);
  if (options.optional !== undefined && typeof options.optional !== "boolean") fail(`"optional" expected a boolean`);
  if (options.description !== undefined && typeof options.description !== "string") fail(`"description" expected a string`);
  if (options.choices !== undefined) {
    const valid = Array.isArray(options.choices) && options.choices.length > 0 &&
      options.choices.every((c) => typeof c === "string" || (typeof c === "number" && Number.isFinite(c)));
    if (!valid) fail(`"choices" expected a non-empty array of strings or numbers`);
  }
  for (const bound of ["min", "max"] as const) {
    const value = options[bound];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value))) fail(`"${bound}" expected a finite number`);
  }
  if (options.min !== undefined && options.max !== undefined && options.min > options.max) {
    fail(`"min" (${options.min}) is greater than "max" (${options.max})`);
  }
}
