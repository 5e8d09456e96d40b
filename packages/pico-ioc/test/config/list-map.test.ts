import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bindSettings, configured, getSettingsDefinition, setting } from "../../src/config/index.js";
import { problemsOf } from "./helpers.js";

@configured("grants")
class Grants {
  @setting({ type: "string[] map" }) roleScopes: Readonly<Record<string, readonly string[]>> = {};
  @setting({ type: "string[] map", optional: true }) extra?: Readonly<Record<string, readonly string[]>>;
}

const fromEnv = (env: Record<string, string>): Grants => bindSettings([Grants], {}, env).get(Grants) as Grants;
const fromConfig = (grants: Record<string, unknown>): Grants => bindSettings([Grants], { grants }, {}).get(Grants) as Grants;

describe('"string[] map" settings', () => {
  it("records the type and keeps the default", () => {
    expect(getSettingsDefinition(Grants)?.fields.map((f) => f.type)).toEqual(["string[] map", "string[] map"]);
    expect(fromEnv({}).roleScopes).toEqual({});
    expect(fromEnv({}).extra).toBeUndefined();
  });

  it("reads a JSON object from the environment", () => {
    const grants = fromEnv({ GRANTS__ROLE_SCOPES: ' {"admin": ["*"], "wallet": ["profile:read", "billing:*"]} ' });
    expect(grants.roleScopes).toEqual({ admin: ["*"], wallet: ["profile:read", "billing:*"] });
  });

  it("reads an empty env string as an empty object", () => {
    expect(fromEnv({ GRANTS__ROLE_SCOPES: "" }).roleScopes).toEqual({});
  });

  it("takes an object from the config tree, and a JSON string there too, and freezes the result", () => {
    const grants = fromConfig({ role_scopes: { admin: ["*"] }, extra: '{"a": []}' });
    expect(grants.roleScopes).toEqual({ admin: ["*"] });
    expect(grants.extra).toEqual({ a: [] });
    expect(Object.isFrozen(grants.roleScopes)).toBe(true);
    expect(Object.isFrozen(grants.roleScopes.admin)).toBe(true);
  });

  it("keeps a __proto__ key as a plain key, never as the prototype", () => {
    const grants = fromEnv({ GRANTS__ROLE_SCOPES: '{"__proto__": ["x"]}' });
    expect(Object.getPrototypeOf(grants.roleScopes)).toBe(Object.prototype);
    expect(Object.keys(grants.roleScopes)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).length).toBeUndefined();
  });

  it("names the key, what was expected and what came", () => {
    const expected = 'expected string[] map (an object of string lists, such as {"admin": ["*"]})';
    const problems = problemsOf(() =>
      bindSettings([Grants], { grants: { extra: { admin: "*" } } }, { GRANTS__ROLE_SCOPES: '{"wallet": ["a", 3]}' }),
    );
    expect(problems).toEqual([
      { path: "grants.role_scopes", message: `${expected}: key "wallet" item 1 expected string, got 3 (from env GRANTS__ROLE_SCOPES)` },
      { path: "grants.extra", message: `${expected}: key "admin" expected string[], got "*" (from config)` },
    ]);
  });

  it.each([
    ['{"admin": ["*"]', '"{\\"admin\\": [\\"*\\"]" (not valid JSON)'],
    ['["*"]', '["*"]'],
    ["admin=*", '"admin=*" (not valid JSON)'],
    ["null", "null"],
    ["5", "5"],
  ])("refuses env %j", (raw, got) => {
    expect(problemsOf(() => fromEnv({ GRANTS__ROLE_SCOPES: raw }))).toEqual([
      { path: "grants.role_scopes", message: `expected string[] map (an object of string lists, such as {"admin": ["*"]}), got ${got} (from env GRANTS__ROLE_SCOPES)` },
    ]);
  });

  it.each([[["a"]], [new Map([["a", ["b"]]])], [5], [null], [{ a: [["nested"]] }], [{ a: null }]])("refuses config value %o", (value) => {
    const problems = problemsOf(() => fromConfig({ role_scopes: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/^expected string\[\] map .* \(from config\)$/);
  });

  it("refuses choices on a map, and asks for the type when the default is an object", () => {
    expect(() => {
      class WithChoices {
        @setting({ type: "string[] map", choices: ["a"] }) grants = {};
      }
      return configured("with_choices")(WithChoices);
    }).toThrow('@setting on WithChoices.grants: "choices" do not apply to string[] map settings');
    expect(() => {
      class Untyped {
        @setting() grants = {};
      }
      return configured("untyped")(Untyped);
    }).toThrow('@setting on Untyped.grants: object settings need an explicit type: { type: "string[] map" }');
  });
});
