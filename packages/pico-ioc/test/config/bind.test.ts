import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bindSettings, configured, envVarName, setting } from "../../src/config/index.js";
import { DecoratorMisuseError } from "../../src/errors.js";
import { problemsOf } from "./helpers.js";

@configured("server_auth")
class AuthSettings {
  @setting() issuer = "pico";
  @setting() accessTokenExpireMinutes = 30;
  @setting({ optional: true }) adminPassword?: string;
  notASetting = "kept";
}

@configured("database")
class DatabaseSettings {
  @setting() poolSize = 10;
}

@configured("database.primary")
class PrimaryDb {
  @setting() url!: string;
}

@configured("database.replica")
class ReplicaDb {
  @setting() url = "postgres://replica";
}

// A second class on server_auth: keys are pooled for validation, each class reads its own.
@configured("server_auth")
class AuthCookie {
  @setting() cookieName = "sid";
}

function auth(config: Record<string, unknown> = {}, env: Record<string, string> = {}): AuthSettings {
  return bindSettings([AuthSettings], config, env).get(AuthSettings) as AuthSettings;
}

describe("envVarName", () => {
  it("joins upper-cased section segments and key with double underscores", () => {
    expect(envVarName(["server_auth"], "admin_password")).toBe("SERVER_AUTH__ADMIN_PASSWORD");
    expect(envVarName(["database", "primary"], "url")).toBe("DATABASE__PRIMARY__URL");
  });
});

describe("bindSettings", () => {
  it("uses field initialisers as defaults and leaves absent optional fields undefined", () => {
    const settings = auth();
    expect(settings).toBeInstanceOf(AuthSettings);
    expect({ ...settings }).toEqual({ issuer: "pico", accessTokenExpireMinutes: 30, adminPassword: undefined, notASetting: "kept" });
    expect("adminPassword" in settings).toBe(true);
  });

  it("takes values from the config tree over defaults", () => {
    const settings = auth({ server_auth: { issuer: "acme", access_token_expire_minutes: 60, admin_password: "s3cret" } });
    expect([settings.issuer, settings.accessTokenExpireMinutes, settings.adminPassword]).toEqual(["acme", 60, "s3cret"]);
  });

  it("lets environment variables win over the config tree", () => {
    const settings = auth(
      { server_auth: { issuer: "from-config", access_token_expire_minutes: 60 } },
      { SERVER_AUTH__ISSUER: "from-env" },
    );
    expect(settings.issuer).toBe("from-env");
    expect(settings.accessTokenExpireMinutes).toBe(60);
  });

  it("treats an empty env string as a value, not as absent", () => {
    expect(auth({ server_auth: { issuer: "cfg" } }, { SERVER_AUTH__ISSUER: "" }).issuer).toBe("");
  });

  it("treats undefined in config and env as not set", () => {
    const settings = bindSettings([AuthSettings], { server_auth: { issuer: undefined } }, { SERVER_AUTH__ISSUER: undefined });
    expect((settings.get(AuthSettings) as AuthSettings).issuer).toBe("pico");
  });

  it("freezes the result", () => {
    const settings = auth();
    expect(Object.isFrozen(settings)).toBe(true);
    expect(() => {
      (settings as { issuer: string }).issuer = "changed";
    }).toThrow(TypeError);
  });

  it("returns a fresh instance per call and one entry per class, duplicates collapsed", () => {
    const result = bindSettings([AuthSettings, AuthSettings, AuthCookie], {}, {});
    expect([...result.keys()]).toEqual([AuthSettings, AuthCookie]);
    expect(auth()).not.toBe(auth());
  });

  it("binds a missing section from defaults without error", () => {
    expect(bindSettings([ReplicaDb], {}, {}).get(ReplicaDb)).toEqual(Object.assign(new ReplicaDb(), { url: "postgres://replica" }));
  });

  it("shares a section between classes, each reading its own fields", () => {
    const result = bindSettings([AuthSettings, AuthCookie], { server_auth: { issuer: "acme", cookie_name: "session" } }, {});
    expect((result.get(AuthSettings) as AuthSettings).issuer).toBe("acme");
    expect({ ...(result.get(AuthCookie) as AuthCookie) }).toEqual({ cookieName: "session" });
    expect(result.get(AuthCookie)).not.toHaveProperty("issuer");
  });

  it("nests dotted sections in the tree and in env names", () => {
    const result = bindSettings(
      [DatabaseSettings, PrimaryDb, ReplicaDb],
      { database: { pool_size: 5, primary: { url: "postgres://primary" }, replica: { url: "postgres://r1" } } },
      { DATABASE__REPLICA__URL: "postgres://r2" },
    );
    expect((result.get(DatabaseSettings) as DatabaseSettings).poolSize).toBe(5);
    expect((result.get(PrimaryDb) as PrimaryDb).url).toBe("postgres://primary");
    expect((result.get(ReplicaDb) as ReplicaDb).url).toBe("postgres://r2");
  });

  it("allows only child sections in an intermediate object nobody binds", () => {
    const problems = problemsOf(() => bindSettings([PrimaryDb], { database: { primary: { url: "x" }, pool_size: 5 } }, {}));
    expect(problems).toEqual([{ path: "database.pool_size", message: 'unknown key; expected one of "primary"' }]);
  });

  it("rejects classes that are not settings classes", () => {
    class Plain {}
    expect(() => bindSettings([Plain], {}, {})).toThrow(DecoratorMisuseError);
  });

  it("reports a key that is also declared as a section", () => {
    @configured("cache")
    class Cache {
      @setting() redis = "redis://";
    }
    @configured("cache.redis")
    class Redis {
      @setting() url = "redis://";
    }
    expect(problemsOf(() => bindSettings([Cache, Redis], {}, {}))).toEqual([
      { path: "cache.redis", message: "declared both as a setting key and as a section" },
    ]);
  });

  it("reads inherited settings and lets a subclass bind its own section", () => {
    class Base {
      @setting() timeoutMs = 1000;
    }
    @configured("http_client")
    class HttpClient extends Base {
      @setting() baseUrl = "http://localhost";
    }
    const bound = bindSettings([HttpClient], { http_client: { timeout_ms: 50 } }, { HTTP_CLIENT__BASE_URL: "http://api" });
    expect({ ...(bound.get(HttpClient) as HttpClient) }).toEqual({ timeoutMs: 50, baseUrl: "http://api" });
  });
});
