import { describe, expect, it } from "vitest";
import { DecoratorMisuseError, PicoContainer, ScopeInactiveError, component, createToken, inject } from "../../src/index.js";

describe("scopes and selection", () => {
  it("singleton by default, transient on request, injected by type", async () => {
    @component()
    class Config {}
    @component({ scope: "transient" })
    class Job {
      constructor(readonly config: Config) {}
    }
    const container = await PicoContainer.create({ components: [Config, Job] });
    expect(container.get(Config)).toBe(container.get(Config));
    const [a, b] = [container.get(Job), container.get(Job)];
    expect(a).not.toBe(b);
    expect(a.config).toBe(container.get(Config));
  });

  it("request scope: one instance per scope, destroyed at its end; not resolvable outside a scope", async () => {
    const destroyed: number[] = [];
    let next = 0;
    @component({ scope: "request" })
    class RequestState {
      readonly id = ++next;
      onDestroy() {
        destroyed.push(this.id);
      }
    }
    @component({ scope: "request" })
    class Handler {
      constructor(readonly state: RequestState) {}
    }
    const container = await PicoContainer.create({ components: [RequestState, Handler] });
    expect(() => container.get(Handler)).toThrow(ScopeInactiveError);

    const first = container.createRequestScope();
    expect(first.get(Handler).state).toBe(first.get(RequestState));
    expect(first.get(Handler)).toBe(first.get(Handler));
    const second = container.createRequestScope();
    expect(second.get(RequestState)).not.toBe(first.get(RequestState));
    await first.dispose();
    await first.dispose();
    expect(destroyed).toEqual([1]);
    await second.dispose();
    expect(destroyed).toEqual([1, 2]);
  });

  it("a replaceable default is used only when nothing else provides the key, in any load order", async () => {
    interface Store {
      readonly kind: string;
    }
    const STORE = createToken<Store>("Store");
    @component({ provides: STORE, fallback: true })
    class MemoryStore implements Store {
      readonly kind = "memory";
    }
    @component({ provides: STORE })
    class RedisStore implements Store {
      readonly kind = "redis";
    }
    @component()
    class Service {
      constructor(@inject(STORE) readonly store: Store) {}
    }
    for (const components of [
      [MemoryStore, RedisStore, Service],
      [RedisStore, Service, MemoryStore],
    ]) {
      const container = await PicoContainer.create({ components });
      expect(container.get(Service).store.kind).toBe("redis");
      expect(container.getAll(STORE).map((s) => s.kind)).toEqual(["redis"]);
    }
    const alone = await PicoContainer.create({ components: [MemoryStore, Service] });
    expect(alone.get(Service).store.kind).toBe("memory");
  });

  it("primary wins among several providers and shares the singleton with its class key", async () => {
    abstract class Notifier {
      abstract send(): string;
    }
    @component({ provides: Notifier })
    class EmailNotifier extends Notifier {
      send() {
        return "email";
      }
    }
    @component({ provides: Notifier, primary: true })
    class SmsNotifier extends Notifier {
      send() {
        return "sms";
      }
    }
    const container = await PicoContainer.create({ components: [EmailNotifier, SmsNotifier] });
    expect(container.get(Notifier).send()).toBe("sms");
    expect(container.get(Notifier)).toBe(container.get(SmsNotifier));
    expect(container.getAll(Notifier).map((n) => n.send())).toEqual(["email", "sms"]);
  });

  it("overrides replace a component for its dependents", async () => {
    @component()
    class Clock {
      now() {
        return Date.now();
      }
    }
    @component()
    class Scheduler {
      constructor(readonly clock: Clock) {}
    }
    class FixedClock {
      now() {
        return 42;
      }
    }
    const container = await PicoContainer.create({ components: [Clock, Scheduler], overrides: [{ provide: Clock, useClass: FixedClock }] });
    expect(container.get(Scheduler).clock.now()).toBe(42);
  });

  it("two containers share no singletons", async () => {
    @component()
    class Counter {
      value = 0;
    }
    const [one, two] = await Promise.all([PicoContainer.create({ components: [Counter] }), PicoContainer.create({ components: [Counter] })]);
    one.get(Counter).value = 5;
    expect(two.get(Counter).value).toBe(0);
    expect(one.get(Counter)).not.toBe(two.get(Counter));
  });

  it("rejects decorator options that cannot work", () => {
    expect(() => component({ scope: "session" as never })).toThrow(DecoratorMisuseError);
    expect(() => component({ lazy: true } as never)).toThrow('@component: unknown option "lazy"; expected one of scope, provides, primary, fallback');
    expect(() => component({ fallback: true })).toThrow(/"fallback" needs "provides"/);
  });
});
