/**
 * Binding settings classes to configuration.
 *
 * Precedence, lowest to highest: the field's initialiser (its default) < the value in the config
 * tree < the environment variable `SECTION__KEY`. The environment wins so a deployment can override a
 * checked-in config file without editing it.
 *
 * Everything is checked before anything is returned, and every problem (wrong types, missing keys,
 * unknown keys and sections, env vars for known sections with unknown keys) is reported in one
 * ConfigurationError, so a broken deployment is fixed in one round instead of one error per restart.
 */
import type { ConfigProblem } from "../errors.js";
import { ConfigurationError, DecoratorMisuseError } from "../errors.js";
import type { Constructor } from "../token.js";
import { coerceSetting, describeValue, isPlainObject } from "./coerce.js";
import { getSettingsDefinition } from "./configured.js";
import type { SettingField, SettingsDefinition } from "./configured.js";
import { suggestion } from "./suggest.js";

export type ConfigTree = Readonly<Record<string, unknown>>;
export type Env = Readonly<Record<string, string | undefined>>;

type Section = Readonly<Record<string, unknown>>;

/** One level of the config tree: the keys classes bound here declare, and nested sections. */
interface SectionNode {
  readonly path: readonly string[];
  readonly keys: Set<string>;
  readonly children: Map<string, SectionNode>;
}

/** `["database", "primary"], "url"` -> `DATABASE__PRIMARY__URL`. */
export function envVarName(path: readonly string[], key: string): string {
  return [...path, key].map((part) => part.toUpperCase()).join("__");
}

/**
 * Builds one frozen instance per settings class in `targets`. Throws a ConfigurationError listing
 * every problem found across all classes.
 */
export function bindSettings(targets: readonly Constructor[], config: ConfigTree, env: Env, declaredOnly: readonly Constructor[] = []): Map<Constructor, object> {
  const definitions = [...new Set(targets)].map(definitionOf);
  const problems: ConfigProblem[] = [];
  // Classes in `declaredOnly` are not bound (nothing uses them), but their keys stay valid config.
  const root = buildTree([...definitions, ...declaredOnly.map(definitionOf)], problems);
  const sections = new Map<SectionNode, Section>();
  walkConfig(root, config, problems, sections);
  checkEnv(root, env, problems);
  const settings = new Map<Constructor, object>();
  for (const definition of definitions) {
    const section = sections.get(nodeAt(root, definition.path));
    settings.set(definition.target, bindOne(definition, section, env, problems));
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}

function definitionOf(target: Constructor): SettingsDefinition {
  const definition = getSettingsDefinition(target);
  if (!definition) throw new DecoratorMisuseError(`${target.name} is not a settings class: decorate it with @configured(section)`);
  return definition;
}

function bindOne(definition: SettingsDefinition, section: Section | undefined, env: Env, problems: ConfigProblem[]): object {
  const instance = new (definition.target as unknown as new () => Record<string, unknown>)();
  for (const field of definition.fields) {
    const path = [...definition.path, field.key].join(".");
    const envName = envVarName(definition.path, field.key);
    const source = pickSource(field, instance, section, env, envName);
    if (source === undefined) {
      if (!field.optional) problems.push({ path, message: `required key is missing (set it in config or with env ${envName})` });
      instance[field.property] = undefined;
      continue;
    }
    const result = coerceSetting(source.value, field);
    if (result.ok) instance[field.property] = result.value;
    else problems.push({ path, message: `${result.message} (from ${source.from})` });
  }
  return Object.freeze(instance);
}

function pickSource(
  field: SettingField,
  instance: Record<string, unknown>,
  section: Section | undefined,
  env: Env,
  envName: string,
): { value: unknown; from: string } | undefined {
  const fromEnv = env[envName];
  if (fromEnv !== undefined) return { value: fromEnv, from: `env ${envName}` };
  // undefined in a config object means "not set" (e.g. a spread of an optional value), never a value.
  const fromConfig = section && Object.hasOwn(section, field.key) ? section[field.key] : undefined;
  if (fromConfig !== undefined) return { value: fromConfig, from: "config" };
  // Under define semantics a declared-only field is an own property holding undefined: no default.
  const fallback = instance[field.property];
  return fallback === undefined ? undefined : { value: fallback, from: "default" };
}

function buildTree(definitions: readonly SettingsDefinition[], problems: ConfigProblem[]): SectionNode {
  const root: SectionNode = { path: [], keys: new Set(), children: new Map() };
  for (const definition of definitions) {
    const node = nodeAt(root, definition.path, true);
    for (const field of definition.fields) node.keys.add(field.key);
  }
  const checkClashes = (node: SectionNode): void => {
    for (const [name, child] of node.children) {
      if (node.keys.has(name)) problems.push({ path: child.path.join("."), message: "declared both as a setting key and as a section" });
      checkClashes(child);
    }
  };
  checkClashes(root);
  return root;
}

function nodeAt(root: SectionNode, path: readonly string[], create = false): SectionNode {
  let node = root;
  for (const segment of path) {
    let child = node.children.get(segment);
    if (!child) {
      if (!create) throw new Error(`pico-ioc: section ${path.join(".")} is missing from the tree`);
      child = { path: [...node.path, segment], keys: new Set(), children: new Map() };
      node.children.set(segment, child);
    }
    node = child;
  }
  return node;
}

function walkConfig(node: SectionNode, value: unknown, problems: ConfigProblem[], sections: Map<SectionNode, Section>): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    problems.push({ path: node.path.join(".") || "<root>", message: `expected an object, got ${describeValue(value)}` });
    return;
  }
  sections.set(node, value);
  for (const [name, child] of Object.entries(value)) {
    const childNode = node.children.get(name);
    if (childNode) walkConfig(childNode, child, problems, sections);
    else if (!node.keys.has(name)) {
      const what = node.path.length === 0 ? "section" : "key";
      const tail = suggestion(name, [...node.keys, ...node.children.keys()]);
      problems.push({ path: [...node.path, name].join("."), message: `unknown ${what}; ${tail}` });
    }
  }
}

/**
 * The environment is shared with everything else on the machine, so only variables under a known
 * section are ours; among those, a name that matches no key is almost always a typo.
 */
function checkEnv(root: SectionNode, env: Env, problems: ConfigProblem[]): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.includes("__") || name !== name.toUpperCase()) continue;
    const parts = name.split("__");
    let node = root;
    let consumed = 0;
    for (const part of parts) {
      const child = node.children.get(part.toLowerCase());
      if (!child) break;
      node = child;
      consumed++;
    }
    if (consumed === 0) continue;
    const rest = parts.slice(consumed).join("__");
    if (consumed === parts.length - 1 && node.keys.has(rest.toLowerCase())) continue;
    const prefix = parts.slice(0, consumed).join("__");
    const path = [...node.path, ...(rest === "" ? [] : [rest.toLowerCase().replaceAll("__", ".")])].join(".");
    const tail = suggestion(rest, envSuffixes(node), (suffix) => `${prefix}__${suffix}`);
    problems.push({ path, message: `unknown key from env ${name}; ${tail}` });
  }
}

/** Every variable name under `node`, without its prefix: `KEY` and `CHILD__KEY`. */
function envSuffixes(node: SectionNode): string[] {
  const own = [...node.keys].map((key) => key.toUpperCase());
  const nested = [...node.children].flatMap(([name, child]) => envSuffixes(child).map((s) => `${name.toUpperCase()}__${s}`));
  return [...own, ...nested];
}
