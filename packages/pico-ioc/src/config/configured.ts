import "../tsyringe.js";
import { DecoratorMisuseError } from "../errors.js";
import { defineComponent } from "../metadata/component.js";
import type { Constructor } from "../token.js";
import { checkTypedOptions, isValidName, ownDeclaredSettings } from "./setting.js";
import type { DeclaredSetting, SettingType } from "./setting.js";

/** One bound field of a settings class, with its type resolved. */
export interface SettingField {
  readonly property: string;
  readonly key: string;
  readonly type: SettingType;
  readonly optional: boolean;
  readonly choices?: readonly (string | number)[];
  readonly min?: number;
  readonly max?: number;
  readonly description?: string;
}

export interface SettingsDefinition {
  readonly target: Constructor;
  /** As written: `"server_auth"` or `"database.primary"`. */
  readonly section: string;
  /** The section split on dots: where it sits in the config tree. */
  readonly path: readonly string[];
  readonly fields: readonly SettingField[];
}

// Symbol.for: a package loaded twice (e.g. from two install paths) still shares one registry.
const DEFINITION_KEY = Symbol.for("pico-ioc.settings");

/**
 * Makes a class a singleton component whose `@setting` fields are bound from config section `section`
 * (dotted for nesting: `"database.primary"`) and from env vars `SECTION__KEY`.
 */
export function configured(section: string): ClassDecorator {
  const path = typeof section === "string" ? section.split(".") : [];
  if (path.length === 0 || !path.every(isValidName)) {
    throw new DecoratorMisuseError(
      `@configured: section expected dot-separated snake_case names (a-z, 0-9, single underscores), got ${JSON.stringify(section)}`,
    );
  }
  return (target) => {
    const ctor = target as unknown as Constructor;
    if (getSettingsDefinition(ctor)) throw new DecoratorMisuseError(`@configured on ${ctor.name}: applied twice`);
    const declared = collectDeclared(ctor);
    if (declared.length === 0) {
      throw new DecoratorMisuseError(`@configured on ${ctor.name}: no @setting fields; declare at least one`);
    }
    const fields = resolveFields(ctor, declared);
    defineComponent(ctor, { scope: "singleton", keys: [ctor], primary: false, fallback: false });
    const definition: SettingsDefinition = Object.freeze({
      target: ctor,
      section,
      path: Object.freeze(path),
      fields: Object.freeze(fields),
    });
    Reflect.defineMetadata(DEFINITION_KEY, definition, ctor);
  };
}

export function getSettingsDefinition(target: unknown): SettingsDefinition | undefined {
  if (typeof target !== "function") return undefined;
  // Own metadata only: a subclass binds a section only when decorated itself.
  return Reflect.getOwnMetadata(DEFINITION_KEY, target) as SettingsDefinition | undefined;
}

/** Fields of the class and its ancestors, base class first; a redeclared property keeps the subclass's options. */
function collectDeclared(target: Constructor): DeclaredSetting[] {
  const chain: object[] = [];
  for (let c: object | null = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) chain.unshift(c);
  const byProperty = new Map<string, DeclaredSetting>();
  for (const owner of chain) for (const d of ownDeclaredSettings(owner)) byProperty.set(d.property, d);
  return [...byProperty.values()];
}

function resolveFields(target: Constructor, declared: readonly DeclaredSetting[]): SettingField[] {
  let defaults: Record<string, unknown> | undefined;
  const fields: SettingField[] = [];
  const keys = new Map<string, string>();
  for (const d of declared) {
    const where = `@setting on ${target.name}.${d.property}`;
    const other = keys.get(d.key);
    if (other !== undefined) throw new DecoratorMisuseError(`${where}: key "${d.key}" is already used by ${target.name}.${other}`);
    keys.set(d.key, d.property);
    // Only instantiate when a type is left to infer: most fields have a declared type.
    const type = d.type ?? inferFromDefault(where, (defaults ??= instantiate(target, where))[d.property]);
    checkTypedOptions(where, type, d.options);
    const { choices, min, max, description } = d.options;
    fields.push({
      property: d.property,
      key: d.key,
      type,
      optional: d.options.optional ?? false,
      ...(choices !== undefined && { choices: Object.freeze([...choices]) }),
      ...(min !== undefined && { min }),
      ...(max !== undefined && { max }),
      ...(description !== undefined && { description }),
    });
  }
  return fields;
}

function inferFromDefault(where: string, value: unknown): SettingType {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (Array.isArray(value)) {
    throw new DecoratorMisuseError(`${where}: list settings need an explicit type: { type: "string[]" } or { type: "number[]" }`);
  }
  if (typeof value === "object" && value !== null) {
    throw new DecoratorMisuseError(`${where}: object settings need an explicit type: { type: "string[] map" }`);
  }
  throw new DecoratorMisuseError(
    `${where}: cannot infer the type (declared type is not string, number or boolean and there is no default); pass { type: ... }`,
  );
}

function instantiate(target: Constructor, where: string): Record<string, unknown> {
  try {
    return new (target as unknown as new () => Record<string, unknown>)();
  } catch (error) {
    throw new DecoratorMisuseError(`${where}: cannot read defaults, the constructor threw: ${String(error)}`);
  }
}
