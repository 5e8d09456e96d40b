import { Lifecycle, rootContainer } from "../tsyringe.js";
import type { DependencyContainer, Lifecycle as LifecycleKind } from "../tsyringe.js";
import { bindSettings, getSettingsDefinition } from "../config/index.js";
import type { ConfigTree, Env } from "../config/index.js";
import { ComponentDestroyError, ComponentInitError, ContainerDestroyedError, InvalidGraphError, ProviderNotFoundError, ScopeInactiveError } from "../errors.js";
import { hasOnDestroy, hasOnInit } from "../lifecycle.js";
import type { ComponentDefinition, Scope } from "../metadata/component.js";
import type { FactoryDefinition } from "../metadata/factory.js";
import { getComponentDefinition } from "../metadata/component.js";
import type { Constructor, ProviderKey } from "../token.js";
import { keyName } from "../token.js";
import { planGraph } from "./graph.js";
import { unusedDefinitions } from "./unused.js";
import type { GraphPlan, Override, ProviderNode } from "./graph.js";
import { RequestScope } from "./request-scope.js";

export interface ContainerOptions {
  /** Decorated classes to register (components, settings, controllers), in load order. */
  readonly components: readonly Constructor[];
  readonly config?: ConfigTree;
  /** Environment overlay for settings; default `process.env`. */
  readonly env?: Env;
  readonly overrides?: readonly Override[];
}

const LIFECYCLES: Record<Scope, LifecycleKind> = {
  singleton: Lifecycle.Singleton,
  transient: Lifecycle.Transient,
  request: Lifecycle.ContainerScoped,
};

/**
 * One application's container: a tsyringe child container filled from decorator metadata, checked as
 * a whole before any constructor runs, with awaited `onInit` and reverse-order `onDestroy`.
 */
export class PicoContainer {
  /** The underlying tsyringe container, for interop. */
  readonly tsyringe: DependencyContainer;
  readonly #plan: GraphPlan;
  readonly #nodeTokens: Map<ProviderNode, symbol>;
  readonly #created: { node: ProviderNode; instance: unknown }[] = [];
  readonly #requestNodesWithDestroy: { token: symbol; name: string }[];
  #destroyed: Promise<void> | undefined;

  private constructor(plan: GraphPlan) {
    this.#plan = plan;
    this.tsyringe = rootContainer.createChildContainer();
    this.#nodeTokens = new Map(plan.nodes.map((node) => [node, Symbol(node.name)]));
    for (const node of plan.nodes) this.#registerNode(node);
    for (const [key, nodes] of plan.providers) {
      // tsyringe's resolve() returns the last registration: register the selected provider last.
      const chosen = plan.selected.get(key);
      for (const node of [...nodes.filter((n) => n !== chosen), ...(chosen ? [chosen] : [])]) {
        this.tsyringe.register(key as never, { useToken: this.#token(node) as never });
      }
    }
    this.#requestNodesWithDestroy = plan.nodes
      .filter((node) => node.scope === "request" && hasOnDestroy(node.target?.prototype))
      .map((node) => ({ token: this.#token(node), name: node.name }));
  }

  /**
   * Binds settings, validates the graph, constructs every singleton (dependencies first) and awaits
   * their `onInit` hooks in creation order. On failure, whatever was created is destroyed first.
   */
  static async create(options: ContainerOptions): Promise<PicoContainer> {
    const definitions = uniqueDefinitions(options.components);
    const overrides = options.overrides ?? [];
    const unused = unusedDefinitions(definitions, overrides);
    const active = definitions.filter((d) => !unused.has(d));
    const isSettings = (d: ComponentDefinition) => getSettingsDefinition(d.target) !== undefined;
    const settings = bindSettings(
      active.filter(isSettings).map((d) => d.target),
      options.config ?? {},
      options.env ?? process.env,
      definitions.filter((d) => unused.has(d) && isSettings(d)).map((d) => d.target),
    );
    const settingsValues: Override[] = [...settings].map(([provide, useValue]) => ({ provide, useValue }));
    const container = new PicoContainer(planGraph(active, [...settingsValues, ...overrides]));
    try {
      await container.#createSingletons();
    } catch (error) {
      await container.destroy().catch(() => undefined);
      throw error;
    }
    return container;
  }

  /** The provider of `key`. Request-scoped components need a request scope. */
  get<T>(key: ProviderKey<T>): T {
    this.#assertAlive();
    const node = this.#select(key);
    if (node.scope === "request") throw new ScopeInactiveError(node.name);
    return this.tsyringe.resolve(this.#token(node) as never) as T;
  }

  /** Every provider of `key`, in load order; `[]` when there is none. */
  getAll<T>(key: ProviderKey<T>): T[] {
    this.#assertAlive();
    const nodes = this.#plan.providers.get(key) ?? [];
    return nodes.map((node) => {
      if (node.scope === "request") throw new ScopeInactiveError(node.name);
      return this.tsyringe.resolve(this.#token(node) as never) as T;
    });
  }

  has(key: ProviderKey): boolean {
    return this.#plan.selected.has(key);
  }

  /** The scope of a component key: lets callers skip request-scope work for singletons. */
  scopeOf(key: ProviderKey): Scope {
    return this.#select(key).scope;
  }

  /** A scope for one request: request-scoped components are created once in it and destroyed at its end. */
  createRequestScope(): RequestScope {
    this.#assertAlive();
    return new RequestScope(this.tsyringe.createChildContainer(), this.#requestNodesWithDestroy, (key) => this.#token(this.#select(key)));
  }

  /** Runs every `onDestroy` once, in reverse creation order; later calls return the same promise. */
  destroy(): Promise<void> {
    this.#destroyed ??= this.#destroyAll();
    return this.#destroyed;
  }

  async #destroyAll(): Promise<void> {
    const failures: { component: string; error: unknown }[] = [];
    for (const { node, instance } of this.#distinctCreated().reverse()) {
      if (!hasOnDestroy(instance)) continue;
      try {
        await instance.onDestroy();
      } catch (error) {
        failures.push({ component: node.name, error });
      }
    }
    this.#created.length = 0;
    if (failures.length > 0) throw new ComponentDestroyError(failures);
  }

  async #createSingletons(): Promise<void> {
    for (const node of this.#plan.creationOrder) {
      const instance = node.factory ? await this.#runFactory(node, node.factory) : this.#construct(node);
      this.#created.push({ node, instance });
    }
    for (const { node, instance } of this.#distinctCreated()) {
      if (!hasOnInit(instance)) continue;
      try {
        await instance.onInit();
      } catch (error) {
        throw new ComponentInitError(node.name, "onInit", error);
      }
    }
  }

  #construct(node: ProviderNode): unknown {
    try {
      return this.tsyringe.resolve(this.#token(node) as never);
    } catch (error) {
      throw new ComponentInitError(node.name, "constructor", error);
    }
  }

  /** Awaits `create` with its dependencies (already created: the creation order puts them first), then registers the product. */
  async #runFactory(node: ProviderNode, definition: FactoryDefinition): Promise<unknown> {
    let product: unknown;
    try {
      product = await definition.create(...definition.inject.map((key) => this.tsyringe.resolve(key as never)));
    } catch (error) {
      throw new ComponentInitError(node.name, "create", error);
    }
    if (product === undefined) {
      // Almost always a forgotten `return`; `null` stays available for an explicit "none".
      throw new ComponentInitError(node.name, "create", new TypeError("create returned undefined: return the product"));
    }
    // tsyringe takes a `useValue` of null for no provider at all: an explicit "none" is served by a function.
    this.tsyringe.register(this.#token(node) as never, (product === null ? { useFactory: () => null } : { useValue: product }) as never);
    return product;
  }

  /**
   * Created instances, each object once (its first creation): a factory may return an object that
   * another factory or a component already produced, and its hooks must run once.
   */
  #distinctCreated(): { node: ProviderNode; instance: unknown }[] {
    const seen = new Set<unknown>();
    return this.#created.filter(({ instance }) => {
      if (seen.has(instance)) return false;
      seen.add(instance);
      return true;
    });
  }

  #registerNode(node: ProviderNode): void {
    const token = this.#token(node);
    // A factory's product is registered once `create` has run (see #runFactory).
    if (node.factory) return;
    if (node.hasValue) this.tsyringe.register(token as never, { useValue: node.value });
    else this.tsyringe.register(token as never, { useClass: node.target as never }, { lifecycle: LIFECYCLES[node.scope] });
  }

  #select(key: ProviderKey): ProviderNode {
    const node = this.#plan.selected.get(key);
    if (node) return node;
    const candidates = this.#plan.ambiguous.get(key);
    if (candidates) {
      throw new InvalidGraphError([`${keyName(key)} is provided by ${candidates.map((c) => c.name).join(", ")}; mark one with primary: true`]);
    }
    throw new ProviderNotFoundError(keyName(key));
  }

  #token(node: ProviderNode): symbol {
    return this.#nodeTokens.get(node) as symbol;
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new ContainerDestroyedError();
  }
}

function uniqueDefinitions(components: readonly Constructor[]): ComponentDefinition[] {
  const seen = new Set<Constructor>();
  const definitions: ComponentDefinition[] = [];
  for (const target of components) {
    if (seen.has(target)) continue;
    seen.add(target);
    const definition = getComponentDefinition(target);
    if (!definition) throw new InvalidGraphError([`${target.name} is not a component: decorate it with @component()`]);
    definitions.push(definition);
  }
  return definitions;
}
