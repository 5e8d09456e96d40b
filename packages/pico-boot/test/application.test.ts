import { beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError, InvalidGraphError, component } from "pico-ioc";
import { controller, get } from "pico-hono";
import { Application, InvalidOptionsError, ListenError, NotInitializedError } from "../src/index.js";
import { fixtureApp, linkFixturePackages } from "./fixtures.js";

beforeAll(linkFixturePackages);

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const base = { moduleNames: ["fixture_app"], root: fixtureApp, logger: quiet };

describe("Application", () => {
  it("binds config, overlaid by SECTION__KEY environment variables parsed by field type", async () => {
    const fromConfig = new Application({ ...base, env: {}, config: { fixture: { greeting: "Hi", retries: "3" } } });
    expect(await (await fromConfig.request("/app")).json()).toMatchObject({ greeting: "Hi", retries: 3 });

    const fromEnv = new Application({ ...base, env: { FIXTURE__GREETING: "Hey", FIXTURE__RETRIES: "5" }, config: { fixture: { greeting: "Hi" } } });
    expect(await (await fromEnv.request("/app")).json()).toMatchObject({ greeting: "Hey", retries: 5 });
  });

  it("a config typo fails boot, naming the key path and the right key", async () => {
    const app = new Application({ ...base, env: {}, config: { fixture: { greting: "Hi" } } });
    const error = await app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("fixture.greting");
    expect((error as Error).message).toContain('did you mean "greeting"?');
    const wrongType = new Application({ ...base, env: { FIXTURE__RETRIES: "many" } });
    await expect(wrongType.init()).rejects.toThrow(/fixture\.retries/);
  });

  it("keeps two applications isolated: no shared singletons", async () => {
    const one = new Application({ ...base, env: {} });
    const two = new Application({ ...base, env: {} });
    const [a, b] = await Promise.all([(await one.request("/app")).json(), (await two.request("/app")).json()]);
    expect((a as { instance: number }).instance).not.toBe((b as { instance: number }).instance);
    expect(one.container).not.toBe(two.container);
  });

  it("registers extra components and overrides", async () => {
    @component()
    class Clock {
      now() {
        return "real";
      }
    }
    @controller({ prefix: "/clock" })
    class ClockController {
      constructor(private readonly clock: Clock) {}
      @get()
      now() {
        return this.clock.now();
      }
    }
    const app = new Application({ components: [Clock, ClockController], overrides: [{ provide: Clock, useValue: { now: () => "fake" } }], env: {}, logger: quiet });
    expect(await (await app.request("/clock")).json()).toBe("fake");
  });

  it("serves over a real socket, drains, then runs onDestroy once; a failed boot destroys too", async () => {
    const events: string[] = [];
    @component()
    class Resource {
      onDestroy() {
        events.push("destroyed");
      }
    }
    @controller()
    class SlowController {
      constructor(readonly resource: Resource) {}
      @get("/slow")
      async slow() {
        await new Promise((r) => setTimeout(r, 150));
        events.push("answered");
        return "done";
      }
    }
    const app = new Application({ components: [Resource, SlowController], env: {}, logger: quiet });
    const { url, port } = await app.start({ port: 0 });
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const inFlight = fetch(`${url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 30));
    await Promise.all([app.stop(), app.stop()]);
    expect(await inFlight).toBe("done");
    expect(events).toEqual(["answered", "destroyed"]);
    await expect(fetch(`${url}/slow`)).rejects.toThrow();

    @component()
    class Broken {
      constructor(readonly resource: Resource) {}
      onInit() {
        throw new Error("no database");
      }
    }
    events.length = 0;
    const broken = new Application({ components: [Resource, Broken, SlowController], env: {}, logger: quiet });
    await expect(broken.start({ port: 0 })).rejects.toThrow("Failed to create Broken (onInit): Error: no database");
    expect(events).toEqual(["destroyed"]);
  });

  it("reports a busy port as a ListenError naming PORT and HOST", async () => {
    const first = new Application({ ...base, env: {} });
    const { port } = await first.start({ port: 0 });
    const second = new Application({ ...base, env: { PORT: String(port) } });
    const error = await second.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect((error as Error).message).toBe(`Cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens there); choose another with PORT, or another address with HOST`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
    await Promise.all([first.stop(), second.stop()]);
  });

  it("validates options and listen addresses at the boundary", async () => {
    expect(() => new Application({ module_names: ["x"] } as never)).toThrow(new InvalidOptionsError('Application: unknown option "module_names" (did you mean "moduleNames"?); expected one of moduleNames, config, root, components, overrides, env, envFile, autoPlugins, logger, shutdownTimeoutMs, headersTimeoutMs, requestTimeoutMs'));
    expect(() => new Application({ moduleNames: "my_app" } as never)).toThrow(/"moduleNames" expected an array of package names, got "my_app"/);
    expect(() => new Application({ config: [] } as never)).toThrow(/"config" expected an object of sections, got an array/);
    const app = new Application({ ...base, env: { PORT: "eighty" } });
    await expect(app.start()).rejects.toThrow('"port" expected an integer from 0 to 65535 (option or PORT), got "eighty"');
    expect(() => new Application().hono).toThrow(NotInitializedError);
  });

  it("surfaces graph problems from the modules at boot, before serving", async () => {
    class NotAComponent {}
    @controller()
    class Needy {
      constructor(readonly dep: NotAComponent) {}
      @get("/needy")
      x() {}
    }
    const app = new Application({ components: [Needy], env: {}, logger: quiet });
    await expect(app.start({ port: 0 })).rejects.toThrow(InvalidGraphError);
  });
});
