import { describe, expect, it } from "vitest";
import { checkServerAuthSettings } from "../src/config/settings-check.js";
import { ServerAuthConfigurationError } from "../src/errors.js";
import { ServerAuthSettings } from "../src/settings.js";
import { openPostgresState, postgresUrlProblem, redactPostgresUrl } from "../src/state/postgres/index.js";
import { silentLogger } from "pico-ioc";

// No server needed: what is refused before any connection, and what a URL looks like when shown.
const SECRET = "hunter2-Secret";
const settings = (values: Partial<ServerAuthSettings>) => Object.assign(new ServerAuthSettings(), values);

function refusal(values: Partial<ServerAuthSettings>): string {
  try {
    checkServerAuthSettings(settings(values));
  } catch (error) {
    expect(error).toBeInstanceOf(ServerAuthConfigurationError);
    return (error as Error).message;
  }
  return "accepted";
}

describe("server_auth.postgres_url", () => {
  it("store: postgres without postgres_url fails boot, naming the setting and its env variable", () => {
    expect(refusal({ store: "postgres" })).toBe(
      "server_auth.store = postgres needs server_auth.postgres_url (env SERVER_AUTH__POSTGRES_URL), e.g. postgres://user:password@host:5432/database",
    );
  });

  it("accepts postgres:// and postgresql:// URLs, with or without a password", () => {
    expect(refusal({ store: "postgres", postgresUrl: `postgres://app:${SECRET}@db.internal:5432/auth` })).toBe("accepted");
    expect(refusal({ store: "postgres", postgresUrl: "postgresql://db.internal/auth?sslmode=require" })).toBe("accepted");
    expect(refusal({ store: "postgres", postgresUrl: "postgres:///auth?host=/var/run/postgresql" })).toBe("accepted");
  });

  it.each([
    [`mysql://app:${SECRET}@db/auth`, 'server_auth.postgres_url must start with postgres:// or postgresql://; got a "mysql:" URL'],
    [`app:${SECRET}@db/auth`, 'server_auth.postgres_url must start with postgres:// or postgresql://; got a "app:" URL'],
    [`not a url ${SECRET}`, "server_auth.postgres_url is not a URL (expected postgres://user:password@host:port/database)"],
    [`postgres://app:${SECRET}@db:port/auth`, "server_auth.postgres_url is not a URL (expected postgres://user:password@host:port/database)"],
  ])("refuses %j without echoing it", (postgresUrl, message) => {
    const said = refusal({ store: "postgres", postgresUrl });
    expect(said).toBe(message);
    expect(said).not.toContain(SECRET);
  });

  it("is checked whatever the store (a wrong URL left in config is still a mistake)", () => {
    expect(refusal({ store: "sqlite", postgresUrl: `redis://:${SECRET}@cache` })).toMatch(/^server_auth\.postgres_url must start with postgres:\/\//);
  });

  it("openPostgresState refuses a missing or wrong URL before connecting, without echoing it", async () => {
    await expect(openPostgresState(settings({ store: "postgres" }), silentLogger)).rejects.toThrow(ServerAuthConfigurationError);
    const wrong = openPostgresState(settings({ store: "postgres", postgresUrl: `http://u:${SECRET}@h/db` }), silentLogger);
    await expect(wrong).rejects.toThrow(/^server_auth\.postgres_url must start with postgres:\/\//);
    await expect(wrong).rejects.not.toThrow(SECRET);
  });

  it("is what the pico-server-auth/postgres subpath exports, with the copy command", async () => {
    const entry = await import("pico-server-auth/postgres");
    expect(Object.keys(entry).sort()).toEqual(["POSTGRES_TIMEOUTS", "copySqliteToPostgres", "openPostgresState", "postgresUrlProblem", "redactPostgresUrl"]);
  });

  it("is shown as scheme, host, port and database only: no user, password or query", () => {
    expect(redactPostgresUrl(`postgres://app:${SECRET}@db.internal:5433/auth?password=${SECRET}&sslmode=require`)).toBe("postgres://db.internal:5433/auth");
    expect(redactPostgresUrl(`nonsense ${SECRET}`)).toBe("(an unparsable PostgreSQL URL)");
    expect(postgresUrlProblem("postgresql://h/d")).toBeUndefined();
  });
});
