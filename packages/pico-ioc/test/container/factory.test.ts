import { describe, expect, it } from "vitest";
import { PicoContainer, component, configured, createToken, factory, getComponentDefinition, inject, setting } from "../../src/index.js";

interface Store {
  readonly kind: string;
  onInit?(): void;
  onDestroy?(): void;
}
const STORE = createToken<Store>("Store");

@component()
class Clock {
  now() {
    return 42;
  }
}

describe("factory providers", () => {
  it("builds the product with a sync create from its injected dependencies; every provided key resolves to it", async () => {
    const ALSO = createToken<{ kind: string }>("Also");
    const StoreProvider = factory({
      provides: [STORE, ALSO],
      inject: [Clock],
      create: (clock) => ({ kind: `memory@${clock.now()}` }),
    });
    expect(getComponentDefinition(StoreProvider)?.scope).toBe("singleton");
    const container = await PicoContainer.create({ components: [StoreProvider, Clock] });
    const store = container.get(STORE);
    expect(store.kind).toBe("memory@42");
    expect(container.get(ALSO)).toBe(store);
    expect(container.get(StoreProvider)).toBe(store);
    expect(container.getAll(STORE)).toEqual([store]);
  });

  it("a product of null (an explicit \"none\") is injected and listed as null, not taken for a missing provider", async () => {
    const NoneProvider = factory({ provides: STORE, create: () => null as unknown as Store });
    @component()
    class Reader {
      constructor(@inject(STORE) readonly store: Store | null) {}
    }
    const container = await PicoContainer.create({ components: [NoneProvider, Reader] });
    expect(container.get(Reader).store).toBeNull();
    expect(container.getAll(STORE)).toEqual([null]);
    await container.destroy();
  });

  it("awaits an async create before constructing a dependent, which sees the product in its constructor", async () => {
    const events: string[] = [];
    @component()
    class Repository {
      readonly kindAtConstruction: string;
      constructor(@inject(STORE) store: Store) {
        events.push("new Repository");
        this.kindAtConstruction = store.kind;
      }
    }
    const StoreProvider = factory({
      provides: STORE,
      create: async () => {
        await new Promise((r) => setTimeout(r, 5));
        events.push("created Store");
        return { kind: "async" };
      },
    });
    // Listed dependent-first: the graph decides the order.
    const container = await PicoContainer.create({ components: [Repository, StoreProvider] });
    expect(events).toEqual(["created Store", "new Repository"]);
    expect(container.get(Repository).kindAtConstruction).toBe("async");
  });

  it("gives the same product to transient and request-scoped dependents", async () => {
    const StoreProvider = factory({ provides: STORE, create: () => ({ kind: "one" }) });
    @component({ scope: "request" })
    class PerRequest {
      constructor(@inject(STORE) readonly store: Store) {}
    }
    @component({ scope: "transient" })
    class PerInjection {
      constructor(@inject(STORE) readonly store: Store) {}
    }
    const container = await PicoContainer.create({ components: [StoreProvider, PerRequest, PerInjection] });
    const scope = container.createRequestScope();
    expect(scope.get(PerRequest).store).toBe(container.get(STORE));
    expect(container.get(PerInjection).store).toBe(container.get(STORE));
    await scope.dispose();
  });

  it("passes settings and tokens to create in the order of inject", async () => {
    @configured("store")
    class StoreSettings {
      @setting() url!: string;
    }
    const PREFIX = createToken<string>("Prefix");
    const PrefixProvider = factory({ provides: PREFIX, create: () => "db:" });
    const StoreProvider = factory({
      provides: STORE,
      inject: [PREFIX, StoreSettings],
      create: (prefix, settings) => ({ kind: prefix + settings.url }),
    });
    const container = await PicoContainer.create({
      components: [StoreSettings, StoreProvider, PrefixProvider],
      config: { store: { url: "memory" } },
      env: {},
    });
    expect(container.get(STORE).kind).toBe("db:memory");
  });

  it("runs the product's onInit in the onInit phase and its onDestroy once, even when two factories return the same object", async () => {
    const events: string[] = [];
    const PART = createToken<Store>("Part");
    const shared: Store = {
      kind: "shared",
      onInit: () => void events.push("init shared"),
      onDestroy: () => void events.push("destroy shared"),
    };
    @component()
    class Early {
      onInit() {
        events.push("init Early");
      }
    }
    const StoreProvider = factory({ provides: STORE, inject: [Early], create: () => shared });
    const PartProvider = factory({ provides: PART, inject: [STORE], create: (store) => store });
    @component()
    class User {
      constructor(@inject(PART) readonly part: Store) {
        events.push(`new User (${events.includes("init shared") ? "after" : "before"} onInit)`);
      }
      onDestroy() {
        events.push("destroy User");
      }
    }
    const container = await PicoContainer.create({ components: [User, PartProvider, StoreProvider, Early] });
    expect(events).toEqual(["new User (before onInit)", "init Early", "init shared"]);
    events.length = 0;
    await container.destroy();
    expect(events).toEqual(["destroy User", "destroy shared"]);
  });

  it("is a replaceable default with fallback: a real @component provider wins, whatever the order", async () => {
    let created = 0;
    const DefaultStore = factory({
      provides: STORE,
      fallback: true,
      name: "DefaultStore",
      create: () => {
        created++;
        return { kind: "default" };
      },
    });
    @component({ provides: STORE })
    class RealStore implements Store {
      readonly kind = "real";
    }
    for (const components of [[DefaultStore, RealStore], [RealStore, DefaultStore]]) {
      const container = await PicoContainer.create({ components });
      expect(container.get(STORE).kind).toBe("real");
    }
    // Replaced for every key it provides and injected by nobody: not built at all.
    expect(created).toBe(0);
    const alone = await PicoContainer.create({ components: [DefaultStore] });
    expect(alone.get(STORE).kind).toBe("default");
  });

  it("does not require the settings of a replaced fallback factory", async () => {
    @configured("postgres")
    class PostgresSettings {
      @setting() url!: string;
    }
    const PostgresStore = factory({ provides: STORE, fallback: true, inject: [PostgresSettings], create: (s) => ({ kind: s.url }) });
    @component({ provides: STORE })
    class RealStore implements Store {
      readonly kind = "real";
    }
    // postgres.url is required, yet absent: nothing that is built needs it.
    const container = await PicoContainer.create({ components: [PostgresSettings, PostgresStore, RealStore], config: {}, env: {} });
    expect(container.get(STORE).kind).toBe("real");
    await expect(PicoContainer.create({ components: [PostgresSettings, PostgresStore], config: {}, env: {} })).rejects.toThrow(/postgres\.url/);
  });

  it("wins with primary among several providers", async () => {
    @component({ provides: STORE })
    class Other implements Store {
      readonly kind = "other";
    }
    const Preferred = factory({ provides: STORE, primary: true, create: () => ({ kind: "preferred" }) });
    const container = await PicoContainer.create({ components: [Other, Preferred] });
    expect(container.get(STORE).kind).toBe("preferred");
    expect(container.getAll(STORE).map((s) => s.kind)).toEqual(["other", "preferred"]);
  });

  it("yields to a useValue override of the key it provides", async () => {
    const StoreProvider = factory({ provides: STORE, fallback: true, create: () => ({ kind: "built" }) });
    const fake: Store = { kind: "fake" };
    const container = await PicoContainer.create({ components: [StoreProvider], overrides: [{ provide: STORE, useValue: fake }] });
    expect(container.get(STORE)).toBe(fake);
  });

  it("can replace a key through a useClass override", async () => {
    @component({ provides: STORE })
    class RealStore implements Store {
      readonly kind = "real";
    }
    const Fake = factory({ provides: STORE, inject: [Clock], create: (clock) => ({ kind: `fake@${clock.now()}` }) });
    const container = await PicoContainer.create({ components: [RealStore, Clock], overrides: [{ provide: STORE, useClass: Fake }] });
    expect(container.get(STORE).kind).toBe("fake@42");
  });
});
