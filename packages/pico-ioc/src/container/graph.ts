import type { ComponentDefinition, Scope } from "../metadata/component.js";
import { describeParameter, getDependencies } from "../metadata/inject.js";
import type { Dependency } from "../metadata/inject.js";
import { getFactoryDefinition } from "../metadata/factory.js";
import type { FactoryDefinition } from "../metadata/factory.js";
import { hasOnDestroy, hasOnInit } from "../lifecycle.js";
import { InvalidGraphError } from "../errors.js";
import type { Constructor, ProviderKey } from "../token.js";
import { keyName } from "../token.js";

/** Replaces whatever provides `provide`, e.g. a fake in a test. Overrides are singletons. */
export type Override<T = unknown> =
  | { readonly provide: ProviderKey<T>; readonly useValue: T }
  | { readonly provide: ProviderKey<T>; readonly useClass: Constructor<T> };

/** Something the container can produce: a component class, a factory, an overriding class or an overriding value. */
export interface ProviderNode {
  readonly name: string;
  readonly scope: Scope;
  readonly target?: Constructor;
  /** Set for a `factory()`: the product of `create` stands for `target`, which is never constructed. */
  readonly factory?: FactoryDefinition;
  readonly value?: unknown;
  readonly hasValue: boolean;
  readonly dependencies: readonly Dependency[];
}

export interface GraphPlan {
  /** Every node that will be registered. */
  readonly nodes: readonly ProviderNode[];
  /** For each key, the nodes `getAll(key)` returns, in load order. */
  readonly providers: ReadonlyMap<ProviderKey, readonly ProviderNode[]>;
  /** For each key with an unambiguous provider, the node `get(key)` returns. */
  readonly selected: ReadonlyMap<ProviderKey, ProviderNode>;
  /** Keys with several providers and no primary: an error to inject singly. */
  readonly ambiguous: ReadonlyMap<ProviderKey, readonly ProviderNode[]>;
  /** Singletons to construct, dependencies before dependents. */
  readonly creationOrder: readonly ProviderNode[];
}

/**
 * Chooses one provider per key and checks the whole graph before anything is constructed, so that
 * a missing dependency, a cycle or a scope mistake fails boot with every problem listed.
 */
export function planGraph(definitions: readonly ComponentDefinition[], overrides: readonly Override[]): GraphPlan {
  const overrideNodes = new Map<ProviderKey, ProviderNode>();
  for (const override of overrides) overrideNodes.set(override.provide, overrideNode(override));

  const componentNodes = new Map<ComponentDefinition, ProviderNode>();
  for (const definition of definitions) {
    if (overrideNodes.has(definition.target)) continue; // an overridden class is never built: U14
    componentNodes.set(definition, {
      name: definition.target.name,
      scope: definition.scope,
      target: definition.target,
      factory: getFactoryDefinition(definition.target),
      hasValue: false,
      dependencies: getDependencies(definition.target),
    });
  }

  const providers = new Map<ProviderKey, ProviderNode[]>();
  const selected = new Map<ProviderKey, ProviderNode>();
  const ambiguous = new Map<ProviderKey, ProviderNode[]>();
  for (const [key, candidates] of candidatesByKey(definitions)) {
    if (overrideNodes.has(key)) continue;
    // A class is always a real provider of itself; `fallback` only concerns the keys it `provides`.
    const regular = candidates.filter((d) => !d.fallback || d.target === key);
    const pool = regular.length > 0 ? regular : candidates;
    const nodes = pool.map((d) => componentNodes.get(d)).filter((n): n is ProviderNode => n !== undefined);
    providers.set(key, nodes);
    const primaries = pool.filter((d) => d.primary);
    const chosen = pool.length === 1 ? pool[0] : primaries.length === 1 ? primaries[0] : undefined;
    const chosenNode = chosen && componentNodes.get(chosen);
    if (chosenNode) selected.set(key, chosenNode);
    else if (nodes.length > 1) ambiguous.set(key, nodes);
  }
  for (const [key, node] of overrideNodes) {
    providers.set(key, [node]);
    selected.set(key, node);
  }

  const nodes = [...componentNodes.values(), ...overrideNodes.values()];
  const problems: string[] = [];
  const edges = new Map<ProviderNode, ProviderNode[]>();
  for (const node of nodes) {
    const targets: ProviderNode[] = [];
    for (const dependency of node.dependencies) {
      const where = `${node.name} ${describeParameter(dependency)}`;
      if (dependency.key === undefined) {
        problems.push(`${where}: the type is not known at run time (an interface, a type alias or an "import type"); inject it with @inject(TOKEN)`);
      } else if (dependency.many) {
        const all = providers.get(dependency.key) ?? [];
        if (all.length === 0 && typeof dependency.key === "function") {
          problems.push(`${where}: no component provides ${keyName(dependency.key)}; @injectAll of a class needs at least one provider, use a token for an optional collection`);
        }
        targets.push(...all);
      } else {
        const target = selected.get(dependency.key);
        const candidates = ambiguous.get(dependency.key);
        if (target) targets.push(target);
        else if (candidates) {
          problems.push(`${where}: ${keyName(dependency.key)} is provided by ${candidates.map((c) => c.name).join(", ")}; mark one with primary: true or inject them all with @injectAll`);
        } else {
          problems.push(`${where} depends on ${keyName(dependency.key)}, which no loaded module provides (decorate it with @component() and export it from a module in moduleNames)`);
        }
      }
    }
    edges.set(node, targets);
    problems.push(...lifecycleProblems(node));
  }
  problems.push(...cycleProblems(nodes, edges), ...scopeProblems(nodes, edges));
  if (problems.length > 0) throw new InvalidGraphError(problems);

  return { nodes, providers, selected, ambiguous, creationOrder: singletonsInCreationOrder(nodes, edges) };
}

function overrideNode(override: Override): ProviderNode {
  const name = `override of ${keyName(override.provide)}`;
  if ("useValue" in override) {
    return { name, scope: "singleton", value: override.useValue, hasValue: true, dependencies: [] };
  }
  const { useClass } = override;
  return { name, scope: "singleton", target: useClass, factory: getFactoryDefinition(useClass), hasValue: false, dependencies: getDependencies(useClass) };
}

function candidatesByKey(definitions: readonly ComponentDefinition[]): Map<ProviderKey, ComponentDefinition[]> {
  const byKey = new Map<ProviderKey, ComponentDefinition[]>();
  for (const definition of definitions) {
    for (const key of definition.keys) {
      const list = byKey.get(key);
      if (list) list.push(definition);
      else byKey.set(key, [definition]);
    }
  }
  return byKey;
}

function lifecycleProblems(node: ProviderNode): string[] {
  const prototype = node.target?.prototype as unknown;
  if (node.scope !== "singleton" && hasOnInit(prototype)) {
    return [`${node.name} is ${node.scope}-scoped but has onInit: only singletons get an awaited onInit; do the work in the constructor`];
  }
  if (node.scope === "transient" && hasOnDestroy(prototype)) {
    return [`${node.name} is transient but has onDestroy: nothing owns transient instances; make it a singleton or request-scoped`];
  }
  return [];
}

function cycleProblems(nodes: readonly ProviderNode[], edges: Map<ProviderNode, ProviderNode[]>): string[] {
  const problems: string[] = [];
  const state = new Map<ProviderNode, "visiting" | "done">();
  const path: ProviderNode[] = [];
  const visit = (node: ProviderNode): void => {
    state.set(node, "visiting");
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === "visiting") {
        const cycle = [...path.slice(path.indexOf(next)), next];
        problems.push(`circular dependency: ${cycle.map((n) => n.name).join(" -> ")}`);
      } else if (seen === undefined) visit(next);
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of nodes) if (!state.has(node)) visit(node);
  return problems;
}

/** A singleton outlives every request: it must not capture a request-scoped instance, even through transients. */
function scopeProblems(nodes: readonly ProviderNode[], edges: Map<ProviderNode, ProviderNode[]>): string[] {
  const problems: string[] = [];
  for (const root of nodes) {
    if (root.scope !== "singleton") continue;
    const findRequestScoped = (node: ProviderNode, path: ProviderNode[]): ProviderNode[] | undefined => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next)) continue;
        if (next.scope === "request") return [...path, next];
        if (next.scope === "transient") {
          const found = findRequestScoped(next, [...path, next]);
          if (found) return found;
        }
      }
      return undefined;
    };
    const found = findRequestScoped(root, [root]);
    if (found) {
      problems.push(`singleton ${root.name} depends on request-scoped ${found.at(-1)?.name} (${found.map((n) => n.name).join(" -> ")}); make ${root.name} request-scoped too`);
    }
  }
  return problems;
}

function singletonsInCreationOrder(nodes: readonly ProviderNode[], edges: Map<ProviderNode, ProviderNode[]>): ProviderNode[] {
  const order: ProviderNode[] = [];
  const visited = new Set<ProviderNode>();
  const visit = (node: ProviderNode): void => {
    if (visited.has(node)) return;
    visited.add(node);
    for (const next of edges.get(node) ?? []) visit(next);
    if (node.scope === "singleton" && !node.hasValue) order.push(node);
  };
  for (const node of nodes) visit(node);
  return order;
}
