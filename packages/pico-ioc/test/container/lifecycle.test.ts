import { describe, expect, it } from "vitest";
import { ComponentDestroyError, ComponentInitError, PicoContainer, component } from "../../src/index.js";

describe("lifecycle", () => {
  it("creates dependencies first, awaits onInit in creation order, destroys in reverse, once", async () => {
    const events: string[] = [];
    @component()
    class Database {
      constructor() {
        events.push("new Database");
      }
      async onInit() {
        await new Promise((r) => setTimeout(r, 5));
        events.push("init Database");
      }
      onDestroy() {
        events.push("destroy Database");
      }
    }
    @component()
    class Repository {
      constructor(readonly db: Database) {
        events.push("new Repository");
      }
      onInit() {
        events.push("init Repository");
      }
      async onDestroy() {
        events.push("destroy Repository");
      }
    }
    // Declared dependent-first: creation order must still follow the graph.
    const container = await PicoContainer.create({ components: [Repository, Database] });
    expect(events).toEqual(["new Database", "new Repository", "init Database", "init Repository"]);
    events.length = 0;
    await Promise.all([container.destroy(), container.destroy()]);
    await container.destroy();
    expect(events).toEqual(["destroy Repository", "destroy Database"]);
    expect(() => container.get(Database)).toThrow(/destroyed/);
  });

  it("on a failed onInit, destroys what was created and keeps the cause", async () => {
    const events: string[] = [];
    const boom = new Error("cannot connect");
    @component()
    class Healthy {
      onDestroy() {
        events.push("destroy Healthy");
      }
    }
    @component()
    class Broken {
      constructor(readonly healthy: Healthy) {}
      async onInit() {
        throw boom;
      }
      onDestroy() {
        events.push("destroy Broken");
      }
    }
    const error = await PicoContainer.create({ components: [Healthy, Broken] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentInitError);
    expect((error as ComponentInitError).code).toBe("COMPONENT_INIT_FAILED");
    expect((error as Error).message).toBe("Failed to create Broken (onInit): Error: cannot connect");
    expect((error as Error).cause).toBe(boom);
    expect(events).toEqual(["destroy Broken", "destroy Healthy"]);
  });

  it("wraps a throwing constructor and destroys the singletons built before it", async () => {
    const events: string[] = [];
    @component()
    class First {
      onDestroy() {
        events.push("destroy First");
      }
    }
    @component()
    class Second {
      constructor(readonly first: First) {
        throw new RangeError("bad setting");
      }
    }
    const error = await PicoContainer.create({ components: [First, Second] }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Failed to create Second \(constructor\): .*bad setting/);
    expect(events).toEqual(["destroy First"]);
  });

  it("runs every onDestroy even when one throws, then reports the failures", async () => {
    const events: string[] = [];
    @component()
    class A {
      onDestroy() {
        events.push("destroy A");
      }
    }
    @component()
    class B {
      constructor(readonly a: A) {}
      onDestroy() {
        throw new Error("flush failed");
      }
    }
    const container = await PicoContainer.create({ components: [A, B] });
    const error = await container.destroy().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentDestroyError);
    expect((error as Error).message).toBe("onDestroy failed for B (Error: flush failed)");
    expect(events).toEqual(["destroy A"]);
  });
});
