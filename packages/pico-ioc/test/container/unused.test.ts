import { describe, expect, it } from "vitest";
import { PicoContainer, component, configured, createToken, inject, setting } from "../../src/index.js";

interface Mailer {
  send(to: string): string;
}
const MAILER = createToken<Mailer>("Mailer");

@configured("smtp")
class SmtpSettings {
  @setting() host!: string;
}

const events: string[] = [];

@component({ provides: MAILER })
class SmtpMailer implements Mailer {
  constructor(readonly settings: SmtpSettings) {}
  send(to: string) {
    return `smtp:${to}`;
  }
}

@configured("log_mailer")
class LogMailerSettings {
  @setting() prefix!: string;
}

@component({ provides: MAILER, fallback: true })
class LogMailer implements Mailer {
  constructor(readonly settings: LogMailerSettings) {}
  onInit() {
    events.push("LogMailer.onInit");
  }
  send(to: string) {
    return `log:${to}`;
  }
}

@component()
class Signup {
  constructor(@inject(MAILER) readonly mailer: Mailer) {}
}

describe("what is not built is not required (upstream U14)", () => {
  it("overriding a component drops the settings only it used; their section stays valid config", async () => {
    const fake = { send: (to: string) => `fake:${to}` };
    const container = await PicoContainer.create({
      components: [SmtpSettings, SmtpMailer, Signup],
      overrides: [{ provide: SmtpMailer, useValue: fake }, { provide: MAILER, useValue: fake }],
      config: { smtp: { port_typo_is_still_caught: 1 } },
      env: {},
    }).catch((e: unknown) => e);
    // The unused section is still checked for unknown keys...
    expect((container as Error).message).toContain("smtp.port_typo_is_still_caught: unknown key");
    // ...but its required keys are not demanded.
    const ok = await PicoContainer.create({ components: [SmtpSettings, SmtpMailer, Signup], overrides: [{ provide: MAILER, useValue: fake }, { provide: SmtpMailer, useValue: fake }], env: {} });
    expect(ok.get(Signup).mailer.send("a")).toBe("fake:a");
  });

  it("overriding a settings class with a value skips binding it", async () => {
    const container = await PicoContainer.create({ components: [SmtpSettings, SmtpMailer, Signup], overrides: [{ provide: SmtpSettings, useValue: { host: "test" } }], env: {} });
    expect(container.get(Signup).mailer.send("b")).toBe("smtp:b");
  });

  it("a replaced fallback is not built, nor are its settings required", async () => {
    events.length = 0;
    const container = await PicoContainer.create({ components: [LogMailerSettings, LogMailer, SmtpSettings, SmtpMailer, Signup], config: { smtp: { host: "mx" } }, env: {} });
    expect(container.get(Signup).mailer.send("c")).toBe("smtp:c");
    expect(events).toEqual([]);
    // Alone, the fallback is used, and then its settings are required.
    await expect(PicoContainer.create({ components: [LogMailerSettings, LogMailer, Signup], env: {} })).rejects.toThrow("log_mailer.prefix: required key is missing");
  });
});
