/** server_auth.redis_url and redis_key_prefix are checked at boot, and the URL's password never shows. */
import { describe, expect, it } from "vitest";
import { checkServerAuthSettings } from "../src/config/settings-check.js";
import { ServerAuthConfigurationError } from "../src/errors.js";
import { ServerAuthSettings } from "../src/settings.js";
import { redactRedisUrl, redisUrlProblem } from "../src/state/redis/url.js";

const PASSWORD = "hunter2-but-longer";

function checked(more: Partial<ServerAuthSettings>): string {
  try {
    checkServerAuthSettings(Object.assign(new ServerAuthSettings(), more));
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(ServerAuthConfigurationError);
    return (error as Error).message;
  }
}

describe("redis settings", () => {
  it("accepts redis:// and rediss:// URLs, with or without credentials and database", () => {
    for (const url of ["redis://127.0.0.1:6379", "rediss://cache.internal", `redis://:${PASSWORD}@h:6380/2`, `rediss://user:${PASSWORD}@[::1]:6379/0`]) {
      expect(checked({ redisUrl: url })).toBe("accepted");
    }
  });

  it("refuses another scheme, no host, or a path that is not a database number, never echoing the password", () => {
    const cases: Array<[string, RegExp]> = [
      [`http://:${PASSWORD}@h:6379`, /^server_auth\.redis_url must start with redis:\/\/ or rediss:\/\/; got a "http:" URL$/],
      [`redis://:${PASSWORD}@`, /^server_auth\.redis_url is not a URL \(expected redis:\/\//],
      [`${PASSWORD} not a url`, /^server_auth\.redis_url is not a URL/],
      [`redis:///0`, /^server_auth\.redis_url has no host/],
      [`redis://:${PASSWORD}@h:6379/cache`, /^server_auth\.redis_url has a path that is not a database number/],
    ];
    for (const [url, message] of cases) {
      const refusal = checked({ redisUrl: url });
      expect(refusal).toMatch(message);
      expect(refusal).not.toContain(PASSWORD);
    }
  });

  it("refuses a key prefix that is empty or has spaces", () => {
    expect(checked({ redisKeyPrefix: "" })).toMatch(/server_auth\.redis_key_prefix must be 1 to 100 printable ASCII characters/);
    expect(checked({ redisKeyPrefix: "my app:" })).toMatch(/redis_key_prefix/);
    expect(checked({ redisKeyPrefix: "pico-auth:" })).toBe("accepted");
  });

  it("redactRedisUrl drops user, password and query, and never returns an input that does not parse", () => {
    expect(redactRedisUrl(`redis://admin:${PASSWORD}@cache:6379/1`)).toBe("redis://cache:6379/1");
    expect(redactRedisUrl(`rediss://:${PASSWORD}@cache?password=${PASSWORD}`)).toBe("rediss://cache");
    expect(redactRedisUrl(`${PASSWORD}@@:`)).toBe("(an unparsable Redis URL)");
    expect(redisUrlProblem("redis://h")).toBeUndefined();
  });
});
