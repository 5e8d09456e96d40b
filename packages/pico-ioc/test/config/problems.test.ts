import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bindSettings, configured, setting } from "../../src/config/index.js";
import { ConfigurationError } from "../../src/errors.js";
import { problemsOf } from "./helpers.js";

@configured("server_auth")
class AuthSettings {
  @setting() issuer!: string;
  @setting() accessTokenExpireMinutes = 30;
  @setting({ optional: true }) adminPassword?: string;
}

@configured("database.primary")
class PrimaryDb {
  @setting() url = "postgres://";
}

const bind = (config: Record<string, unknown>, env: Record<string, string> = {}): unknown => bindSettings([AuthSettings, PrimaryDb], config, env);
const withIssuer = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ server_auth: { issuer: "acme", ...extra } });

describe("configuration problems", () => {
  it("reports a missing required key with its full path and env var", () => {
    expect(problemsOf(() => bind({}))).toEqual([
      { path: "server_auth.issuer", message: "required key is missing (set it in config or with env SERVER_AUTH__ISSUER)" },
    ]);
  });

  it("suggests the closest key for a typo in a section", () => {
    expect(problemsOf(() => bind(withIssuer({ acess_token_expire_minutes: 5 })))).toEqual([
      { path: "server_auth.acess_token_expire_minutes", message: 'unknown key; did you mean "access_token_expire_minutes"?' },
    ]);
  });

  it("lists the valid keys when nothing is close", () => {
    expect(problemsOf(() => bind(withIssuer({ colour: "red" })))).toEqual([
      {
        path: "server_auth.colour",
        message: 'unknown key; expected one of "access_token_expire_minutes", "admin_password", "issuer"',
      },
    ]);
  });

  it("tolerates two edits in short names", () => {
    expect(problemsOf(() => bind({ ...withIssuer(), database: { primary: { lru: "x" } } }))).toEqual([
      { path: "database.primary.lru", message: 'unknown key; did you mean "url"?' },
    ]);
  });

  it("suggests a known section for an unknown top-level section", () => {
    expect(problemsOf(() => bind({ ...withIssuer(), server_atuh: {} }))).toEqual([
      { path: "server_atuh", message: 'unknown section; did you mean "server_auth"?' },
    ]);
    expect(problemsOf(() => bind({ ...withIssuer(), logging: {} }))).toEqual([
      { path: "logging", message: 'unknown section; expected one of "database", "server_auth"' },
    ]);
  });

  it("suggests nested section names inside an intermediate object", () => {
    expect(problemsOf(() => bind({ ...withIssuer(), database: { primray: { url: "x" } } }))).toEqual([
      { path: "database.primray", message: 'unknown key; did you mean "primary"?' },
    ]);
  });

  it("reports unknown env keys under known sections with the env name to use", () => {
    expect(problemsOf(() => bind(withIssuer(), { SERVER_AUTH__ISSUR: "x" }))).toEqual([
      { path: "server_auth.issur", message: 'unknown key from env SERVER_AUTH__ISSUR; did you mean "SERVER_AUTH__ISSUER"?' },
    ]);
    expect(problemsOf(() => bind(withIssuer(), { DATABASE__PRIMARY__URI: "x" }))).toEqual([
      { path: "database.primary.uri", message: 'unknown key from env DATABASE__PRIMARY__URI; did you mean "DATABASE__PRIMARY__URL"?' },
    ]);
    expect(problemsOf(() => bind(withIssuer(), { DATABASE__PRIMARY_URL: "x" }))).toEqual([
      { path: "database.primary_url", message: 'unknown key from env DATABASE__PRIMARY_URL; did you mean "DATABASE__PRIMARY__URL"?' },
    ]);
  });

  it("ignores env vars of unknown sections and env vars that are not ours", () => {
    const env = { PATH: "/bin", OTHER_APP__ISSUER: "x", SERVER_AUTH: "x", server_auth__issur: "x", SERVER_AUTH__ISSUER: "env" };
    const result = bindSettings([AuthSettings], {}, env);
    expect((result.get(AuthSettings) as AuthSettings).issuer).toBe("env");
  });

  it("rejects sections that are not plain objects", () => {
    expect(problemsOf(() => bind({ server_auth: "acme", database: { primary: [1] } }))).toEqual([
      { path: "server_auth", message: 'expected an object, got "acme"' },
      { path: "database.primary", message: "expected an object, got [1]" },
      { path: "server_auth.issuer", message: "required key is missing (set it in config or with env SERVER_AUTH__ISSUER)" },
    ]);
  });

  it("still applies env vars when the section in config is broken", () => {
    expect(problemsOf(() => bind({ server_auth: 7 }, { SERVER_AUTH__ISSUER: "env" }))).toEqual([
      { path: "server_auth", message: "expected an object, got 7" },
    ]);
  });

  it("collects every problem across classes into one ConfigurationError", () => {
    let caught: unknown;
    try {
      bind(
        { server_auth: { acess_token_expire_minutes: 5 }, databse: {}, database: { primary: { url: 1 } } },
        { SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES: "abc", DATABASE__PRIMARY__PASSWORD: "x" },
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const error = caught as ConfigurationError;
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.problems).toEqual([
      { path: "server_auth.acess_token_expire_minutes", message: 'unknown key; did you mean "access_token_expire_minutes"?' },
      { path: "databse", message: 'unknown section; did you mean "database"?' },
      {
        path: "database.primary.password",
        message: 'unknown key from env DATABASE__PRIMARY__PASSWORD; expected one of "DATABASE__PRIMARY__URL"',
      },
      { path: "server_auth.issuer", message: "required key is missing (set it in config or with env SERVER_AUTH__ISSUER)" },
      {
        path: "server_auth.access_token_expire_minutes",
        message: 'expected number, got "abc" (from env SERVER_AUTH__ACCESS_TOKEN_EXPIRE_MINUTES)',
      },
      { path: "database.primary.url", message: "expected string, got 1 (from config)" },
    ]);
    expect(error.message).toContain('- databse: unknown section; did you mean "database"?');
  });
});
