/**
 * Property-based fuzzing of config binding (fast-check): for any config tree (unknown sections and
 * keys, wrong types at every key, prototype-pollution keys, exotic objects) and any environment
 * (strings under known and unknown names), bindSettings either returns frozen settings whose values
 * have their declared types, choices and bounds, or throws a ConfigurationError listing problems.
 * Never a TypeError or any other crash.
 *
 * The seed is fixed (FUZZ_SEED overrides it) and printed with each property's run count.
 */
import "reflect-metadata";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bindSettings, configured, setting } from "../../src/config/index.js";
import { ConfigurationError } from "../../src/errors.js";
import type { Constructor } from "../../src/token.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const RUNS = { tree: 500, sections: 500, env: 500, both: 300 } as const;
const runs = (n: number) => ({ seed: SEED, numRuns: n });
const logRuns = (name: string, n: number) => console.log(`fuzz pico-ioc config ${name}: ${n} runs, seed ${SEED}`);

@configured("server")
class ServerSettings {
  @setting() name = "pico";
  @setting({ type: "integer", min: 1, max: 65535 }) port = 8100;
  @setting() ratio = 0.5;
  @setting() verbose = false;
  @setting({ choices: ["debug", "info", "warn"] }) level = "info";
  @setting({ type: "string[]", choices: ["read", "write"] }) scopes: string[] = [];
  @setting({ type: "number[]", min: 0 }) weights: number[] = [];
  @setting({ type: "string", optional: true }) secret?: string;
  @setting({ type: "string[] map" }) grants: Readonly<Record<string, readonly string[]>> = {};
}

@configured("database.primary")
class PrimaryDb {
  @setting({ type: "string" }) url!: string;
  @setting({ type: "integer", min: 0 }) poolSize = 10;
}

@configured("database.replica")
class ReplicaDb {
  @setting() url = "postgres://replica";
  @setting({ type: "string[]" }) hosts: string[] = ["a"];
}

const CLASSES: readonly Constructor[] = [ServerSettings, PrimaryDb, ReplicaDb];
const SECTIONS = { server: ["name", "port", "ratio", "verbose", "level", "scopes", "weights", "secret", "grants"], "database.primary": ["url", "pool_size"], "database.replica": ["url", "hosts"] } as const;
const ENV_NAMES = ["SERVER__NAME", "SERVER__PORT", "SERVER__RATIO", "SERVER__VERBOSE", "SERVER__LEVEL", "SERVER__SCOPES", "SERVER__WEIGHTS", "SERVER__SECRET", "SERVER__GRANTS", "DATABASE__PRIMARY__URL", "DATABASE__PRIMARY__POOL_SIZE", "DATABASE__REPLICA__URL", "DATABASE__REPLICA__HOSTS"];

/** Binding succeeds with well-typed frozen values, or fails with a ConfigurationError; nothing else. */
function expectBindsOrConfigError(config: unknown, env: Record<string, string | undefined>): void {
  let bound: Map<Constructor, object>;
  try {
    bound = bindSettings(CLASSES, config as Record<string, unknown>, env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) expect([typeof problem.path, typeof problem.message]).toEqual(["string", "string"]);
    expect(typeof error.message).toBe("string");
    return;
  }
  const server = bound.get(ServerSettings) as ServerSettings;
  const primary = bound.get(PrimaryDb) as PrimaryDb;
  const replica = bound.get(ReplicaDb) as ReplicaDb;
  for (const instance of [server, primary, replica]) expect(Object.isFrozen(instance)).toBe(true);
  expect(typeof server.name).toBe("string");
  expect(Number.isInteger(server.port) && server.port >= 1 && server.port <= 65535).toBe(true);
  expect(Number.isFinite(server.ratio)).toBe(true);
  expect(typeof server.verbose).toBe("boolean");
  expect(["debug", "info", "warn"]).toContain(server.level);
  expect(server.scopes.every((s) => s === "read" || s === "write")).toBe(true);
  expect(server.weights.every((w) => typeof w === "number" && w >= 0)).toBe(true);
  expect(server.secret === undefined || typeof server.secret === "string").toBe(true);
  expect(Object.values(server.grants).every((list) => Object.isFrozen(list) && list.every((s) => typeof s === "string"))).toBe(true);
  expect(typeof primary.url).toBe("string");
  expect(Number.isInteger(primary.poolSize) && primary.poolSize >= 0).toBe(true);
  expect(replica.hosts.every((h) => typeof h === "string")).toBe(true);
  // Nothing leaked onto Object.prototype from a "__proto__" key.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

const pollutionKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf");
const exotic = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});
const numberText = fc.oneof(fc.double().map(String), fc.integer().map(String), fc.constantFrom("", " ", "0x10", "1e3", "Infinity", "-0", "NaN", "1_000", " 8100 ", "65536", "0", "-1", "1.5"));
const listText = fc.oneof(
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("read", "write")), { maxLength: 4 }).map((items) => items.join(",")),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.constantFrom("[", "[1,", "[\"read\"]", "[1, -1]", '{"admin": ["*"]}', '{"a": "b"}', '{"__proto__": ["x"]}', "[" + "[".repeat(20_000) + "]".repeat(20_001), " , ", "read,,write"),
);
const envValue = fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), numberText, listText, fc.constantFrom("true", "FALSE", "yes", "on", "0", "1", "2", "debug", "Info"), fc.string({ minLength: 1, maxLength: 3 }).map((s) => s.repeat(5_000)));
const valueAtKey: fc.Arbitrary<unknown> = fc.oneof(exotic, envValue, fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(undefined, null, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e308, 70_000, 1.5, true, [], {}, ["read"], [1, 2], [[1]], Object.create(null) as object));

/** A section object: its own keys (each any value), pollution keys, unknown keys; "__proto__" as an own key. */
function section(keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(fc.tuple(fc.oneof(fc.constantFrom(...keys), pollutionKey, fc.string({ maxLength: 10 })), valueAtKey), { maxLength: keys.length + 3 }).map((entries) => Object.fromEntries(entries));
}

const configTree: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: exotic },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        server: fc.oneof(section(SECTIONS.server), valueAtKey),
        database: fc.oneof(fc.record({ primary: fc.oneof(section(SECTIONS["database.primary"]), valueAtKey), replica: fc.oneof(section(SECTIONS["database.replica"]), valueAtKey) }, { requiredKeys: [] }), valueAtKey),
        other: valueAtKey,
      },
      { requiredKeys: [] },
    ).chain((tree) => fc.array(fc.tuple(pollutionKey, valueAtKey), { maxLength: 2 }).map((extra) => Object.fromEntries([...Object.entries(tree), ...extra]))),
  },
);

const envName = fc.oneof(
  fc.constantFrom(...ENV_NAMES),
  fc.tuple(fc.constantFrom("SERVER", "DATABASE", "DATABASE__PRIMARY", "DATABASE__REPLICA", "OTHER", "", "__PROTO__", "CONSTRUCTOR"), fc.constantFrom("__", "_", "___", "__X__"), fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("PORT", "URL", "__PROTO__", "CONSTRUCTOR", "", "PRIMARY", "PRIMARY__URL__X"))).map(([a, b, c]) => `${a}${b}${c}`),
  fc.string({ maxLength: 20 }),
);
const environment = fc.array(fc.tuple(envName, fc.option(envValue, { nil: undefined })), { maxLength: 8 }).map((entries) => Object.fromEntries(entries) as Record<string, string | undefined>);

describe("fuzz: config binding succeeds with typed values or throws a ConfigurationError", () => {
  it(`any config tree, empty env (${RUNS.tree} runs)`, () => {
    logRuns("tree", RUNS.tree);
    fc.assert(fc.property(configTree, (config) => expectBindsOrConfigError(config, { DATABASE__PRIMARY__URL: "postgres://p" })), runs(RUNS.tree));
  });

  it(`sections with wrong types at each key, unknown and pollution keys (${RUNS.sections} runs)`, () => {
    logRuns("sections", RUNS.sections);
    const tree = fc.record({ server: section(SECTIONS.server), database: fc.record({ primary: section(SECTIONS["database.primary"]), replica: section(SECTIONS["database.replica"]) }) });
    fc.assert(fc.property(tree, (config) => expectBindsOrConfigError(config, {})), runs(RUNS.sections));
  });

  it(`env strings under known and unknown names (${RUNS.env} runs)`, () => {
    logRuns("env", RUNS.env);
    fc.assert(fc.property(environment, (env) => expectBindsOrConfigError({}, env)), runs(RUNS.env));
  });

  it(`config tree and env together (${RUNS.both} runs)`, () => {
    logRuns("tree and env", RUNS.both);
    fc.assert(fc.property(configTree, environment, (config, env) => expectBindsOrConfigError(config, env)), runs(RUNS.both));
  });
});
