import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bindSettings, configured, setting } from "../../src/config/index.js";
import { problemsOf } from "./helpers.js";

@configured("typed")
class Typed {
  @setting() name = "n";
  @setting() ratio = 0.5;
  @setting({ type: "integer" }) count = 1;
  @setting() verbose = false;
  @setting({ type: "string[]" }) tags: string[] = [];
  @setting({ type: "number[]" }) ports: number[] = [];
}

@configured("limits")
class Limits {
  @setting({ choices: ["debug", "info", "warn"] }) level = "info";
  @setting({ type: "integer", min: 1, max: 65535 }) port = 8080;
  @setting({ type: "number[]", min: 0 }) weights: number[] = [];
  @setting({ type: "string[]", choices: ["read", "write"] }) scopes: string[] = [];
}

const fromEnv = (env: Record<string, string>): Typed => bindSettings([Typed], {}, env).get(Typed) as Typed;
const fromConfig = (typed: Record<string, unknown>): Typed => bindSettings([Typed], { typed }, {}).get(Typed) as Typed;

describe("coercion from strings", () => {
  it("parses every type from env strings", () => {
    const t = fromEnv({
      TYPED__NAME: " spaced ",
      TYPED__RATIO: "2.5e1",
      TYPED__COUNT: "42",
      TYPED__VERBOSE: "YES",
      TYPED__TAGS: " a, b ,c",
      TYPED__PORTS: "[80, \"443\"]",
    });
    expect({ ...t }).toEqual({ name: " spaced ", ratio: 25, count: 42, verbose: true, tags: ["a", "b", "c"], ports: [80, 443] });
  });

  it("parses strings found in the config tree the same way", () => {
    const t = fromConfig({ ratio: "-1.5", count: "7", verbose: "off", tags: '["x", "y"]', ports: "1,2" });
    expect({ ...t }).toEqual({ name: "n", ratio: -1.5, count: 7, verbose: false, tags: ["x", "y"], ports: [1, 2] });
  });

  it.each([
    ["true", true], ["FALSE", false], ["1", true], ["0", false], ["On", true], ["no", false],
  ])("reads boolean %j as %s", (raw, expected) => {
    expect(fromEnv({ TYPED__VERBOSE: raw }).verbose).toBe(expected);
  });

  it("reads an empty string as an empty list", () => {
    expect(fromEnv({ TYPED__TAGS: "", TYPED__PORTS: "" })).toMatchObject({ tags: [], ports: [] });
  });

  it("accepts values that already have the right type and freezes lists", () => {
    const t = fromConfig({ name: "cfg", ratio: 3, count: 4, verbose: true, tags: ["t"], ports: [1, "2"] });
    expect({ ...t }).toEqual({ name: "cfg", ratio: 3, count: 4, verbose: true, tags: ["t"], ports: [1, 2] });
    expect(Object.isFrozen(t.tags)).toBe(true);
  });
});

describe("type errors", () => {
  it("says what was expected, what came and where it came from", () => {
    const problems = problemsOf(() =>
      bindSettings([Typed], { typed: { name: 5, verbose: "maybe", tags: "[1" } }, { TYPED__COUNT: "abc", TYPED__RATIO: " " }),
    );
    expect(problems).toEqual([
      { path: "typed.name", message: "expected string, got 5 (from config)" },
      { path: "typed.ratio", message: 'expected number, got " " (from env TYPED__RATIO)' },
      { path: "typed.count", message: 'expected integer, got "abc" (from env TYPED__COUNT)' },
      { path: "typed.verbose", message: 'expected boolean, got "maybe" (from config)' },
      { path: "typed.tags", message: 'expected string[], got "[1" (not valid JSON) (from config)' },
    ]);
  });

  it("rejects non-integers, non-finite numbers and badly typed list items", () => {
    const problems = problemsOf(() =>
      bindSettings([Typed], { typed: { count: 1.5, ratio: "Infinity", verbose: 1, tags: ["a", 2], ports: "1,x" } }, {}),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'expected number, got "Infinity" (from config)',
      "expected integer, got 1.5 (from config)",
      "expected boolean, got 1 (from config)",
      'expected string[], got ["a",2]: item 1 expected string, got 2 (from config)',
      'expected number[], got "1,x": item 1 expected number, got "x" (from config)',
    ]);
  });

  it("rejects null and objects where a scalar is expected", () => {
    expect(problemsOf(() => fromConfig({ name: null, ratio: { a: 1 } }))).toEqual([
      { path: "typed.name", message: "expected string, got null (from config)" },
      { path: "typed.ratio", message: "expected number, got an object (from config)" },
    ]);
  });
});

describe("choices, min and max", () => {
  const limits = (config: Record<string, unknown>, env: Record<string, string> = {}): unknown =>
    bindSettings([Limits], { limits: config }, env);

  it("accepts values inside the limits", () => {
    const bound = bindSettings([Limits], { limits: { level: "warn", port: 1, weights: [0, 2], scopes: "read,write" } }, {});
    expect({ ...(bound.get(Limits) as Limits) }).toEqual({ level: "warn", port: 1, weights: [0, 2], scopes: ["read", "write"] });
  });

  it("reports values outside the limits", () => {
    expect(problemsOf(() => limits({ level: "trace", weights: [1, -1], scopes: ["read", "admin"] }, { LIMITS__PORT: "70000" }))).toEqual([
      { path: "limits.level", message: 'expected one of "debug", "info", "warn", got "trace" (from config)' },
      { path: "limits.port", message: "expected at most 65535, got 70000 (from env LIMITS__PORT)" },
      { path: "limits.weights", message: "expected at least 0, got -1 (from config)" },
      { path: "limits.scopes", message: 'expected one of "read", "write", got "admin" (from config)' },
    ]);
    expect(problemsOf(() => limits({ port: 0 }))).toEqual([{ path: "limits.port", message: "expected at least 1, got 0 (from config)" }]);
  });

  it("checks defaults too", () => {
    @configured("bad_default")
    class BadDefault {
      @setting({ choices: ["a", "b"] }) mode = "c";
    }
    expect(problemsOf(() => bindSettings([BadDefault], {}, {}))).toEqual([
      { path: "bad_default.mode", message: 'expected one of "a", "b", got "c" (from default)' },
    ]);
  });
});
