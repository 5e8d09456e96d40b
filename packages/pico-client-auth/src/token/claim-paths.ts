/**
 * Claim mapping: where roles, groups and scopes come from (`auth_client.role_claims`, `group_claims`,
 * `scope_claims`, `group_match`). Paths are parsed once per settings object; what a token grants is
 * read once per verified (frozen, cached) claims object, so a repeated token costs a WeakMap lookup.
 * @module
 */
import { AuthConfigurationError, invalidToken } from "../errors.js";

/** How a required group matches the token's groups: exactly, or also by the last `/` segment (Keycloak's full paths). */
export type GroupMatch = "full_path" | "last_segment";

export const GROUP_MATCHES: readonly GroupMatch[] = Object.freeze(["full_path", "last_segment"]);

/** The settings a mapping is built from (a subset of AuthClientSettings). */
export interface ClaimMappingSettings {
  readonly roleClaims: readonly string[];
  readonly groupClaims: readonly string[];
  readonly scopeClaims: readonly string[];
  readonly groupMatch: string;
}

/** What one token grants, as the configured paths read it. Every list is frozen and deduplicated. */
export interface MappedClaims {
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
}

/** A configured path: tried first as one top-level claim name, then as dotted segments. */
interface ClaimPath {
  readonly path: string;
  /** undefined when the path has no dot: the whole-name lookup is then the only one. */
  readonly segments: readonly string[] | undefined;
}

type Split = (value: string) => readonly string[];

const NONE: readonly string[] = Object.freeze([]);
const MAX_PATH_LENGTH = 256;
// Printable ASCII without space: a path is echoed in 401 details and in WWW-Authenticate, which
// carries only ASCII (anything else would make the header, and the response, fail).
const PATH_CHARACTERS = /^[\x21-\x7e]+$/;

/** Roles and groups: a string is one value (group names may contain spaces). */
const asOneValue: Split = (value) => (value === "" ? NONE : [value]);
/** Scopes: a string is the OAuth 2 space-separated list (RFC 6749 §3.3). */
const bySpaces: Split = (value) => value.split(" ").filter((scope) => scope !== "");

/**
 * The claim mapping of one settings object. checkClaims calls `read` on every newly verified token:
 * a value of the wrong type at a configured path is a 401 then, before the token is cached.
 */
export class ClaimMapping {
  readonly groupMatch: GroupMatch;
  readonly #roles: readonly ClaimPath[];
  readonly #groups: readonly ClaimPath[];
  readonly #scopes: readonly ClaimPath[];
  readonly #read = new WeakMap<object, MappedClaims>();

  constructor(settings: ClaimMappingSettings) {
    this.#roles = compilePaths("role_claims", settings.roleClaims);
    this.#groups = compilePaths("group_claims", settings.groupClaims);
    this.#scopes = compilePaths("scope_claims", settings.scopeClaims);
    if (!(GROUP_MATCHES as readonly string[]).includes(settings.groupMatch)) {
      throw new AuthConfigurationError(`auth_client.group_match must be one of "full_path", "last_segment", got ${JSON.stringify(settings.groupMatch)}`);
    }
    this.groupMatch = settings.groupMatch as GroupMatch;
  }

  /** Roles, groups and scopes of `claims`; a 401 error when a configured path holds anything but a string or strings. */
  read(claims: object): MappedClaims {
    let mapped = this.#read.get(claims);
    if (!mapped) {
      mapped = Object.freeze({
        roles: collect(claims, this.#roles, asOneValue),
        groups: collect(claims, this.#groups, asOneValue),
        scopes: collect(claims, this.#scopes, bySpaces),
      });
      this.#read.set(claims, mapped);
    }
    return mapped;
  }

  /** Union of `role_claims` in their configured order, deduplicated (`["role", "roles"]`: `role` first). */
  rolesOf(claims: object): readonly string[] {
    return this.read(claims).roles;
  }

  groupsOf(claims: object): readonly string[] {
    return this.read(claims).groups;
  }

  scopesOf(claims: object): readonly string[] {
    return this.read(claims).scopes;
  }
}

const mappings = new WeakMap<ClaimMappingSettings, ClaimMapping>();

/** The mapping of a settings object, built (and its paths checked) on first use. */
export function claimMappingOf(settings: ClaimMappingSettings): ClaimMapping {
  let mapping = mappings.get(settings);
  if (!mapping) {
    mapping = new ClaimMapping(settings);
    mappings.set(settings, mapping);
  }
  return mapping;
}

/**
 * Whether a granted group satisfies a required one. `last_segment`: a granted `/a/b` also satisfies
 * `b`; a required name containing `/` still needs the full path. No string is allocated.
 */
export function groupSatisfies(granted: string, required: string, match: GroupMatch): boolean {
  if (granted === required) return true;
  if (match !== "last_segment" || required.includes("/")) return false;
  const at = granted.length - required.length;
  return at > 0 && granted.charCodeAt(at - 1) === 0x2f && granted.endsWith(required);
}

function compilePaths(key: string, paths: readonly string[]): readonly ClaimPath[] {
  if (!Array.isArray(paths)) throw new AuthConfigurationError(`auth_client.${key} must be a list of claim paths, got ${typeof paths}`);
  return Object.freeze(paths.map((path, index) => {
    const problem = pathProblem(path);
    if (problem) throw new AuthConfigurationError(`auth_client.${key}[${index}] ${problem}, got ${JSON.stringify(path)}`);
    return Object.freeze({ path, segments: path.includes(".") ? Object.freeze(path.split(".")) : undefined });
  }));
}

function pathProblem(path: unknown): string | undefined {
  const expected = 'must be a claim name or a dotted path such as "realm_access.roles"';
  if (typeof path !== "string" || path === "") return `${expected} (a non-empty string)`;
  if (path.length > MAX_PATH_LENGTH) return `${expected}, at most ${MAX_PATH_LENGTH} characters`;
  if (!PATH_CHARACTERS.test(path)) return `${expected}, in printable ASCII without white space`;
  if (path.startsWith(".") || path.endsWith(".") || path.includes("..")) return `${expected}, without an empty segment (leading, trailing or double ".")`;
  return undefined;
}

/** The union, in path order, of the values at `paths`; frozen, deduplicated (a Set: a token may list thousands). */
function collect(claims: object, paths: readonly ClaimPath[], split: Split): readonly string[] {
  let values: Set<string> | undefined;
  for (const path of paths) {
    const found = valueAt(claims, path);
    if (found === undefined) continue;
    const items = typeof found === "string" ? split(found) : stringItems(found, path.path);
    for (const item of items) {
      if (item !== "") (values ??= new Set()).add(item);
    }
  }
  return values ? Object.freeze([...values]) : NONE;
}

function stringItems(value: unknown, path: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw invalidToken(`Invalid token: "${path}" claim must be a string or an array of strings`);
  }
  return value;
}

/**
 * The whole path as one top-level claim (Auth0's "https://example.com/roles"), else its dotted
 * segments through nested objects (never arrays). Own properties only: a "__proto__", "constructor"
 * or "prototype" segment never reaches Object.prototype. undefined when the path is absent.
 */
function valueAt(claims: object, { path, segments }: ClaimPath): unknown {
  if (Object.hasOwn(claims, path)) return (claims as Record<string, unknown>)[path];
  if (!segments) return undefined;
  let current: unknown = claims;
  for (const segment of segments) {
    if (current === null || typeof current !== "object" || Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
