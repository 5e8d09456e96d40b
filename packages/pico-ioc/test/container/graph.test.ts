import { describe, expect, it } from "vitest";
import { InvalidGraphError, PicoContainer, component, createToken, inject, injectAll } from "../../src/index.js";
import type { Constructor } from "../../src/index.js";

// A token lets A name B before B is declared.
const B_TOKEN = createToken<unknown>("B");

async function graphError(components: Constructor[]): Promise<InvalidGraphError> {
  const error = await PicoContainer.create({ components }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidGraphError);
  return error as InvalidGraphError;
}

describe("dependency graph validation", () => {
  it("names the consumer, the parameter index and the missing type", async () => {
    class Missing {}
    @component()
    class Present {}
    @component()
    class Consumer {
      constructor(_present: Present, _missing: Missing) {}
    }
    const error = await graphError([Present, Consumer]);
    expect(error.code).toBe("GRAPH_INVALID");
    expect(error.problems).toEqual([
      "Consumer parameter #1 (Missing) depends on Missing, which no loaded module provides (decorate it with @component() and export it from a module in moduleNames)",
    ]);
  });

  it("explains that interface-typed parameters need a token", async () => {
    interface Clock {
      now(): number;
    }
    @component()
    class UsesInterface {
      constructor(readonly clock: Clock) {}
    }
    const error = await graphError([UsesInterface]);
    expect(error.problems[0]).toMatch(/^UsesInterface parameter #0 \(type unknown at run time\): .*@inject\(TOKEN\)/);
  });

  it("reports a constructor cycle with its path", async () => {
    @component()
    class A {
      constructor(@inject(B_TOKEN) readonly b: unknown) {}
    }
    @component({ provides: B_TOKEN })
    class B {
      constructor(readonly a: A) {}
    }
    const error = await graphError([A, B]);
    expect(error.problems).toEqual(["circular dependency: A -> B -> A"]);
  });

  it("reports every problem at once", async () => {
    class Missing {}
    @component()
    class One {
      constructor(readonly m: Missing) {}
    }
    @component()
    class Two {
      constructor(readonly m: Missing) {}
    }
    const error = await graphError([One, Two]);
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain("- One parameter #0 (Missing)");
    expect(error.message).toContain("- Two parameter #0 (Missing)");
  });

  it("rejects a singleton that captures a request-scoped component, even through a transient", async () => {
    @component({ scope: "request" })
    class RequestData {}
    @component({ scope: "transient" })
    class Helper {
      constructor(readonly data: RequestData) {}
    }
    @component()
    class LongLived {
      constructor(readonly helper: Helper) {}
    }
    const error = await graphError([RequestData, Helper, LongLived]);
    expect(error.problems).toEqual([
      "singleton LongLived depends on request-scoped RequestData (LongLived -> Helper -> RequestData); make LongLived request-scoped too",
    ]);
  });

  it("rejects lifecycle hooks that could never run as promised", async () => {
    @component({ scope: "request" })
    class RequestInit {
      onInit(): void {}
    }
    @component({ scope: "transient" })
    class TransientDestroy {
      onDestroy(): void {}
    }
    const error = await graphError([RequestInit, TransientDestroy]);
    expect(error.problems).toEqual([
      "RequestInit is request-scoped but has onInit: only singletons get an awaited onInit; do the work in the constructor",
      "TransientDestroy is transient but has onDestroy: nothing owns transient instances; make it a singleton or request-scoped",
    ]);
  });

  it("reports ambiguity only where one provider is injected, and @injectAll takes them all", async () => {
    const Plugin = createToken<{ name: string }>("Plugin");
    @component({ provides: Plugin })
    class First {
      name = "first";
    }
    @component({ provides: Plugin })
    class Second {
      name = "second";
    }
    @component()
    class Host {
      constructor(@injectAll(Plugin) readonly plugins: { name: string }[]) {}
    }
    const container = await PicoContainer.create({ components: [First, Second, Host] });
    expect(container.get(Host).plugins.map((p) => p.name)).toEqual(["first", "second"]);

    @component()
    class WantsOne {
      constructor(@inject(Plugin) readonly plugin: unknown) {}
    }
    const error = await graphError([First, Second, WantsOne]);
    expect(error.problems).toEqual([
      "WantsOne parameter #0 (Plugin): Plugin is provided by First, Second; mark one with primary: true or inject them all with @injectAll",
    ]);
  });

  it("checks only what is bound: an overridden class's own dependencies are not required", async () => {
    class Unavailable {}
    @component()
    class Mailer {
      constructor(readonly transport: Unavailable) {}
    }
    @component()
    class Signup {
      constructor(readonly mailer: Mailer) {}
    }
    const fake = { sent: [] as string[] };
    const container = await PicoContainer.create({ components: [Mailer, Signup], overrides: [{ provide: Mailer, useValue: fake }] });
    expect(container.get(Signup).mailer).toBe(fake);
  });
});

