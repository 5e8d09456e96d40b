import { getSettingsDefinition } from "../config/index.js";
import type { ComponentDefinition } from "../metadata/component.js";
import { getDependencies } from "../metadata/inject.js";
import type { ProviderKey } from "../token.js";
import type { Override } from "./graph.js";

/**
 * Components that will not be built, so that nothing they need is required (upstream U14):
 * - classes overridden by their own key;
 * - fallbacks replaced for every key they provide, unless something injects the class itself;
 * - settings classes overridden, or used only by the two kinds above (an unused database's
 *   settings must not demand a database URL). Settings nobody injects stay: code may read them
 *   from the container.
 */
export function unusedDefinitions(definitions: readonly ComponentDefinition[], overrides: readonly Override[]): Set<ComponentDefinition> {
  const overridden = new Set<ProviderKey>(overrides.map((o) => o.provide));
  const unused = new Set(definitions.filter((d) => overridden.has(d.target)));

  const regularProviders = new Set<ProviderKey>([...overridden]);
  for (const d of definitions) if (!d.fallback) for (const key of d.keys) regularProviders.add(key);
  const dependents = dependentsByKey(definitions, overrides);
  for (const d of definitions) {
    if (!d.fallback) continue;
    const replaced = d.keys.filter((k) => k !== d.target).every((k) => regularProviders.has(k));
    if (replaced && (dependents.get(d.target) ?? []).length === 0) unused.add(d);
  }

  for (const d of definitions) {
    if (!getSettingsDefinition(d.target) || unused.has(d)) continue;
    const users = dependents.get(d.target) ?? [];
    if (users.length > 0 && users.every((user) => user !== "override" && unused.has(user))) unused.add(d);
  }
  return unused;
}

function dependentsByKey(definitions: readonly ComponentDefinition[], overrides: readonly Override[]): Map<ProviderKey, (ComponentDefinition | "override")[]> {
  const byKey = new Map<ProviderKey, (ComponentDefinition | "override")[]>();
  const add = (key: ProviderKey | undefined, user: ComponentDefinition | "override") => {
    if (key === undefined) return;
    const list = byKey.get(key);
    if (list) list.push(user);
    else byKey.set(key, [user]);
  };
  for (const d of definitions) for (const dep of getDependencies(d.target)) add(dep.key, d);
  for (const o of overrides) if ("useClass" in o) for (const dep of getDependencies(o.useClass)) add(dep.key, "override");
  return byKey;
}
