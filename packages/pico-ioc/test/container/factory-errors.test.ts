import { describe, expect, it } from "vitest";
import { ComponentInitError, DecoratorMisuseError, InvalidGraphError, PicoContainer, component, createToken, factory, inject } from "../../src/index.js";
import type { Constructor } from "../../src/index.js";

const STORE = createToken<{ kind: string }>("Store");

async function failure(components: Constructor[]): Promise<unknown> {
  return PicoContainer.create({ components }).catch((e: unknown) => e);
}

describe("factory providers: graph errors", () => {
  it("names the factory and the missing dependency", async () => {
    class Missing {}
    const StoreProvider = factory({ provides: STORE, inject: [Missing], create: () => ({ kind: "x" }) });
    const error = (await failure([StoreProvider])) as InvalidGraphError;
    expect(error).toBeInstanceOf(InvalidGraphError);
    expect(error.problems).toEqual([
      "factory of Store parameter #0 (Missing) depends on Missing, which no loaded module provides (decorate it with @component() and export it from a module in moduleNames)",
    ]);
  });

  it("reports a cycle through a factory with its path", async () => {
    const NEEDS_STORE = createToken<unknown>("NeedsStore");
    @component({ provides: NEEDS_STORE })
    class Consumer {
      constructor(@inject(STORE) readonly store: unknown) {}
    }
    const StoreProvider = factory({ provides: STORE, inject: [NEEDS_STORE], name: "StoreProvider", create: () => ({ kind: "x" }) });
    const error = (await failure([Consumer, StoreProvider])) as InvalidGraphError;
    expect(error.problems).toEqual(["circular dependency: Consumer -> StoreProvider -> Consumer"]);
  });

  it("reports an ambiguous dependency of a factory", async () => {
    const One = factory({ provides: STORE, name: "One", create: () => ({ kind: "1" }) });
    const Two = factory({ provides: STORE, name: "Two", create: () => ({ kind: "2" }) });
    const User = factory({ provides: createToken("User"), inject: [STORE], name: "User", create: (s) => s });
    const error = (await failure([One, Two, User])) as InvalidGraphError;
    expect(error.problems).toEqual(["User parameter #0 (Store): Store is provided by One, Two; mark one with primary: true or inject them all with @injectAll"]);
  });

  it("reports a singleton factory that injects a request-scoped component", async () => {
    @component({ scope: "request" })
    class PerRequest {}
    const StoreProvider = factory({ provides: STORE, inject: [PerRequest], name: "StoreProvider", create: () => ({ kind: "x" }) });
    const error = (await failure([PerRequest, StoreProvider])) as InvalidGraphError;
    expect(error.problems[0]).toMatch(/^singleton StoreProvider depends on request-scoped PerRequest/);
  });
});

describe("factory providers: failures at boot", () => {
  it("wraps a throwing create in ComponentInitError naming the factory, and destroys what was built", async () => {
    const events: string[] = [];
    const boom = new Error("cannot connect");
    @component()
    class Pool {
      onDestroy() {
        events.push("destroy Pool");
      }
    }
    const StoreProvider = factory({
      provides: STORE,
      inject: [Pool],
      name: "StoreProvider",
      create: async () => {
        throw boom;
      },
    });
    const error = await failure([StoreProvider, Pool]);
    expect(error).toBeInstanceOf(ComponentInitError);
    expect((error as ComponentInitError).code).toBe("COMPONENT_INIT_FAILED");
    expect((error as Error).message).toBe("Failed to create StoreProvider (create): Error: cannot connect");
    expect((error as Error).cause).toBe(boom);
    expect(events).toEqual(["destroy Pool"]);
  });

  it("rejects a create that returns undefined (a forgotten return)", async () => {
    const StoreProvider = factory({ provides: STORE, create: () => undefined as never });
    const error = await failure([StoreProvider]);
    expect((error as Error).message).toBe("Failed to create factory of Store (create): TypeError: create returned undefined: return the product");
  });

  it("cannot be constructed directly", () => {
    const StoreProvider = factory({ provides: STORE, create: () => ({ kind: "x" }) });
    expect(() => new (StoreProvider as unknown as new () => unknown)()).toThrow(/factory of Store is a factory provider: it is not constructed/);
  });
});

describe("factory providers: options", () => {
  const create = () => ({ kind: "x" });
  const cases: [string, unknown, string][] = [
    ["an unknown option", { provides: STORE, create, scope: "request" }, 'factory: unknown option "scope"; expected one of provides, inject, create, fallback, primary, name'],
    ["options that are not an object", null, "factory: options expected an object, got null"],
    ["a missing provides", { create }, 'factory: "provides" is required: name the keys (tokens or classes) the product answers for'],
    ["an empty provides", { provides: [], create }, 'factory: "provides" expected at least one class or token, got an empty array'],
    ["a provides that is not a key", { provides: "Store", create }, 'factory: "provides" expected classes or tokens, got "Store"'],
    ["an inject that is not an array", { provides: STORE, inject: STORE, create }, 'factory: "inject" expected an array of classes or tokens, got token Store'],
    ["an inject entry that is not a key", { provides: STORE, inject: [STORE, "Clock"], create }, 'factory: "inject[1]" expected a class or a token, got "Clock"'],
    ["a create that is not a function", { provides: STORE, create: { kind: "x" } }, 'factory: "create" expected a function, got object'],
    ["a fallback that is not a boolean", { provides: STORE, create, fallback: "yes" }, 'factory: "fallback" expected a boolean, got "yes"'],
    ["an empty name", { provides: STORE, create, name: "" }, 'factory: "name" expected a non-empty string, got ""'],
  ];
  it.each(cases)("rejects %s, naming the option", (_what, options, message) => {
    expect(() => factory(options as never)).toThrow(DecoratorMisuseError);
    expect(() => factory(options as never)).toThrow(message);
  });
});
