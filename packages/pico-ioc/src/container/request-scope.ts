import type { DependencyContainer } from "../tsyringe.js";
import { ComponentDestroyError } from "../errors.js";
import { hasOnDestroy } from "../lifecycle.js";
import type { ProviderKey } from "../token.js";

/**
 * One request's view of the container: request-scoped components are created at most once in it,
 * singletons come from the application. `dispose()` runs the request-scoped `onDestroy` hooks.
 */
export class RequestScope {
  readonly #child: DependencyContainer;
  readonly #tokenOf: (key: ProviderKey) => symbol;
  readonly #created: { name: string; instance: unknown }[] = [];
  #disposed = false;

  constructor(child: DependencyContainer, destroyable: readonly { token: symbol; name: string }[], tokenOf: (key: ProviderKey) => symbol) {
    this.#child = child;
    this.#tokenOf = tokenOf;
    for (const { token, name } of destroyable) {
      // ContainerScoped instances are cached per child container, so "Once" sees each creation once.
      child.afterResolution(token as never, (_t, instance) => void this.#created.push({ name, instance }), { frequency: "Once" });
    }
  }

  get<T>(key: ProviderKey<T>): T {
    return this.#child.resolve(this.#tokenOf(key) as never) as T;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const failures: { component: string; error: unknown }[] = [];
    for (const { name, instance } of this.#created.reverse()) {
      if (!hasOnDestroy(instance)) continue;
      try {
        await instance.onDestroy();
      } catch (error) {
        failures.push({ component: name, error });
      }
    }
    if (failures.length > 0) throw new ComponentDestroyError(failures);
  }
}
