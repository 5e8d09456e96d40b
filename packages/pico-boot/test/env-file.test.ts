import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Application, InvalidOptionsError, loadEnvironment } from "../src/index.js";
import { fixtureApp, linkFixturePackages } from "./fixtures.js";

beforeAll(linkFixturePackages);

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const base = { moduleNames: ["fixture_app"], root: fixtureApp, logger: quiet };

let dir: string;
let cwd: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pico-env-file-"));
  cwd = process.cwd();
});
afterEach(() => {
  process.chdir(cwd);
  delete process.env.PICO_BOOT_ENV_FILE;
  rmSync(dir, { recursive: true, force: true });
});

async function greetingOf(app: Application): Promise<unknown> {
  return (await app.request("/app")).json();
}

describe(".env", () => {
  it("is read from the working directory by default, without touching process.env", async () => {
    writeFileSync(join(dir, ".env"), "# the fixture's section\nFIXTURE__GREETING='From the file'\nPICO_ENV_FILE_TEST=1\n");
    process.chdir(dir);
    expect(await greetingOf(new Application(base))).toMatchObject({ greeting: "From the file" });
    expect(process.env.PICO_ENV_FILE_TEST).toBeUndefined();
    expect(process.env.FIXTURE__GREETING).toBeUndefined();
  });

  it("sits between config and the environment: defaults < config < .env < environment", async () => {
    const file = join(dir, "app.env");
    writeFileSync(file, "FIXTURE__GREETING=file\nFIXTURE__RETRIES=4\n");
    const app = new Application({ ...base, envFile: file, env: { FIXTURE__RETRIES: "5" }, config: { fixture: { greeting: "config", retries: 1 } } });
    expect(await greetingOf(app)).toMatchObject({ greeting: "file", retries: 5 });
    // A variable set in the environment wins even when empty, as with process.loadEnvFile.
    expect(loadEnvironment({ env: { A: "" }, envFile: pathToFileURL(file) })).toEqual({ FIXTURE__GREETING: "file", FIXTURE__RETRIES: "4", A: "" });
  });

  it("is a config source like the others: a typo in it fails boot naming the variable", async () => {
    writeFileSync(join(dir, ".env"), "FIXTURE__GRETING=Hi\n");
    process.chdir(dir);
    await expect(new Application(base).init()).rejects.toThrow(/unknown key from env FIXTURE__GRETING; did you mean "FIXTURE__GREETING"\?/);
  });

  it("is not read with envFile: false, with PICO_BOOT_ENV_FILE=off, or when an explicit env is given", async () => {
    writeFileSync(join(dir, ".env"), "FIXTURE__GREETING=file\n");
    process.chdir(dir);
    expect(await greetingOf(new Application({ ...base, envFile: false }))).toMatchObject({ greeting: "Hello" });
    expect(await greetingOf(new Application({ ...base, env: {} }))).toMatchObject({ greeting: "Hello" });
    process.env.PICO_BOOT_ENV_FILE = "OFF";
    expect(await greetingOf(new Application(base))).toMatchObject({ greeting: "Hello" });
  });

  it("PICO_BOOT_ENV_FILE names another file; a named file must exist, the default one need not", async () => {
    writeFileSync(join(dir, "prod.env"), "FIXTURE__GREETING=prod\n");
    process.chdir(dir);
    expect(await greetingOf(new Application(base))).toMatchObject({ greeting: "Hello" });
    process.env.PICO_BOOT_ENV_FILE = "prod.env";
    expect(await greetingOf(new Application(base))).toMatchObject({ greeting: "prod" });
    process.env.PICO_BOOT_ENV_FILE = "missing.env";
    // A deployment problem, not a programming one: init() (so run(), as one line) reports it, not the constructor.
    await expect(new Application(base).init()).rejects.toThrow(`Cannot read the env file ${join(dir, "missing.env")} (the "envFile" option or PICO_BOOT_ENV_FILE): no such file`);
    await expect(new Application({ ...base, envFile: "other.env" }).init()).rejects.toThrow(InvalidOptionsError);
    await expect(new Application({ ...base, envFile: "" }).request("/app")).rejects.toThrow('"envFile" expected a path, a file URL or false, got ""');
  });

  it("also holds PORT and HOST for the listener", () => {
    const file = join(dir, ".env");
    writeFileSync(file, "PORT=9123\nHOST=0.0.0.0\n");
    expect(loadEnvironment({ env: { HOST: "127.0.0.1" }, envFile: file })).toEqual({ PORT: "9123", HOST: "127.0.0.1" });
  });
});
