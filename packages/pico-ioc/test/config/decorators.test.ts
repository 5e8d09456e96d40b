import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { configured, getSettingsDefinition, setting } from "../../src/config/index.js";
import type { SettingOptions } from "../../src/config/index.js";
import { DecoratorMisuseError } from "../../src/errors.js";
import { getComponentDefinition } from "../../src/metadata/component.js";

@configured("server_auth")
class AuthSettings {
  @setting() issuer!: string;
  @setting() accessTokenExpireMinutes = 30;
  @setting() enabled: boolean = true;
  @setting() already_snake = "x";
  @setting() apiURL = "http://localhost";
  @setting({ key: "admin_pw", optional: true, description: "Admin password" }) adminPassword?: string;
  @setting({ type: "integer", min: 1, max: 10, choices: [1, 5, 10] }) level = 5;
  @setting({ type: "string[]" }) scopes: string[] = [];
  @setting({ type: "number[]" }) ports!: number[];
}

describe("@setting / @configured metadata", () => {
  const definition = getSettingsDefinition(AuthSettings);

  it("records section, path and target", () => {
    expect(definition?.target).toBe(AuthSettings);
    expect(definition?.section).toBe("server_auth");
    expect(definition?.path).toEqual(["server_auth"]);
  });

  it("derives snake_case keys from property names and honours an explicit key", () => {
    expect(definition?.fields.map((f) => [f.property, f.key])).toEqual([
      ["issuer", "issuer"],
      ["accessTokenExpireMinutes", "access_token_expire_minutes"],
      ["enabled", "enabled"],
      ["already_snake", "already_snake"],
      ["apiURL", "api_url"],
      ["adminPassword", "admin_pw"],
      ["level", "level"],
      ["scopes", "scopes"],
      ["ports", "ports"],
    ]);
  });

  it("infers types from declared types and defaults, and keeps explicit ones", () => {
    expect(definition?.fields.map((f) => f.type)).toEqual([
      "string", "number", "boolean", "string", "string", "string", "integer", "string[]", "number[]",
    ]);
  });

  it("keeps the options of each field", () => {
    expect(definition?.fields.find((f) => f.property === "adminPassword")).toEqual({
      property: "adminPassword", key: "admin_pw", type: "string", optional: true, description: "Admin password",
    });
    expect(definition?.fields.find((f) => f.property === "level")).toEqual({
      property: "level", key: "level", type: "integer", optional: false, choices: [1, 5, 10], min: 1, max: 10,
    });
  });

  it("registers the class as a non-primary singleton component keyed by itself", () => {
    expect(getComponentDefinition(AuthSettings)).toEqual({
      target: AuthSettings, scope: "singleton", keys: [AuthSettings], primary: false, fallback: false,
    });
  });

  it("returns undefined for anything that is not a settings class", () => {
    class Plain {}
    expect(getSettingsDefinition(Plain)).toBeUndefined();
    expect(getSettingsDefinition("server_auth")).toBeUndefined();
  });

  it("splits dotted sections into a path", () => {
    @configured("database.primary")
    class Primary {
      @setting() url = "postgres://";
    }
    expect(getSettingsDefinition(Primary)?.path).toEqual(["database", "primary"]);
  });
});

describe("decorator misuse", () => {
  it.each(["ServerAuth", "server-auth", "1st", "", "database..primary", "a__b", "trailing_"])(
    "rejects section %j",
    (section) => {
      expect(() => configured(section)).toThrow(DecoratorMisuseError);
    },
  );

  it("names the bad section in the message", () => {
    expect(() => configured("Server")).toThrow(
      '@configured: section expected dot-separated snake_case names (a-z, 0-9, single underscores), got "Server"',
    );
  });

  it("rejects unknown options", () => {
    expect(() => setting({ defualt: 3 } as SettingOptions)).toThrow(
      '@setting: unknown option "defualt"; expected one of type, key, optional, choices, min, max, description',
    );
  });

  it("rejects an uninferable type, naming Class.property", () => {
    expect(() => {
      @configured("things")
      class Things {
        @setting() when: Date | undefined;
      }
      return Things;
    }).toThrow(/^@setting on Things\.when: cannot infer the type/);
  });

  it("asks for an explicit type on lists", () => {
    expect(() => {
      class Lists {
        @setting() hosts: string[] = [];
      }
      return Lists;
    }).toThrow('@setting on Lists.hosts: list settings need an explicit type: { type: "string[]" } or { type: "number[]" }');
  });

  it("rejects a @configured class without settings", () => {
    expect(() => {
      @configured("empty")
      class Empty {}
      return Empty;
    }).toThrow("@configured on Empty: no @setting fields; declare at least one");
  });

  it("rejects min/max on a non-numeric setting and mistyped choices", () => {
    expect(() => {
      @configured("bad")
      class Bad {
        @setting({ min: 1 }) name = "x";
      }
      return Bad;
    }).toThrow('@setting on Bad.name: "min"/"max" apply to number, integer and number[] settings, not string');
    expect(() => {
      @configured("bad")
      class Bad {
        @setting({ choices: ["a", 2] }) name = "a";
      }
      return Bad;
    }).toThrow('@setting on Bad.name: "choices" must be values of type string, got 2');
  });

  it("rejects two fields with the same key and bad option values", () => {
    expect(() => {
      @configured("dup")
      class Dup {
        @setting() fooBar = 1;
        @setting({ key: "foo_bar" }) other = 2;
      }
      return Dup;
    }).toThrow('@setting on Dup.other: key "foo_bar" is already used by Dup.fooBar');
    expect(() => setting({ key: "Bad-Key" })(Object.prototype, "x")).toThrow(DecoratorMisuseError);
    expect(() => setting({ type: "date" as never })).toThrow('@setting: "type" expected one of');
    expect(() => setting({ min: 5, max: 1 })).toThrow('@setting: "min" (5) is greater than "max" (1)');
  });
});
