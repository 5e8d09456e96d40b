import { describe, expect, expectTypeOf, it } from "vitest";
import { PicoContainer, component, createToken, factory } from "../../src/index.js";
import type { Constructor } from "../../src/index.js";

// The last two tests are type-level only: `tsc -p tsconfig.test.json` fails on a wrong type below, and on
// a @ts-expect-error that no longer finds its error.

interface Store {
  get(key: string): string | undefined;
}
interface Closable {
  close(): void;
}
const STORE = createToken<Store>("Store");
const CLOSABLE = createToken<Closable>("Closable");
const PORT = createToken<number>("Port");

@component()
class Clock {
  now(): number {
    return 1;
  }
}

const memoryStore = (): Store & Closable => ({ get: () => undefined, close: () => undefined });

describe("factory typing", () => {
  it("infers create's parameters from inject: a class gives its instance, a token its type", async () => {
    const PortProvider = factory({ provides: PORT, create: () => 8080 });
    const StoreProvider = factory({
      provides: STORE,
      inject: [Clock, PORT],
      create: (clock, port) => {
        expectTypeOf(clock).toEqualTypeOf<Clock>();
        expectTypeOf(port).toEqualTypeOf<number>();
        return { get: (key: string) => `${key}@${clock.now()}:${port}` };
      },
    });
    expectTypeOf(StoreProvider).toExtend<Constructor<Store>>();
    const container = await PicoContainer.create({ components: [Clock, PortProvider, StoreProvider] });
    expect(container.get(StoreProvider).get("k")).toBe("k@1:8080");
  });

  it("rejects a create parameter of the wrong type", () => {
    factory({
      provides: STORE,
      inject: [Clock, PORT] as const,
      // @ts-expect-error PORT injects a number, not a string
      create: (_clock: Clock, _port: string) => memoryStore(),
    });
  });

  it("checks the product against every provided key, async create included", () => {
    factory({ provides: [STORE, CLOSABLE], create: async () => memoryStore() });
    // @ts-expect-error the product is a Store but not a Closable
    factory({ provides: [STORE, CLOSABLE], create: (): Store => ({ get: () => undefined }) });
    // @ts-expect-error a number cannot answer for STORE
    factory({ provides: STORE, create: async () => 42 });
  });
});
