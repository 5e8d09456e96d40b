import "reflect-metadata";
import { describe, expect, expectTypeOf, it } from "vitest";
import { toSnakeCase } from "../../src/config/index.js";
import type { SettingsSection, SnakeCase } from "../../src/config/index.js";

// The same names through the type (checked by `tsc -p tsconfig.test.json`) and through the binder.
const NAMES = {
  accessTokenExpireMinutes: "access_token_expire_minutes",
  apiURL: "api_url",
  HTMLParser: "html_parser",
  parseHTMLString: "parse_html_string",
  siweChainId: "siwe_chain_id",
  argon2MemoryKib: "argon2_memory_kib",
  a1B: "a1_b",
  x: "x",
} as const;

expectTypeOf<SnakeCase<"accessTokenExpireMinutes">>().toEqualTypeOf<"access_token_expire_minutes">();
expectTypeOf<SnakeCase<"apiURL">>().toEqualTypeOf<"api_url">();
expectTypeOf<SnakeCase<"HTMLParser">>().toEqualTypeOf<"html_parser">();
expectTypeOf<SnakeCase<"parseHTMLString">>().toEqualTypeOf<"parse_html_string">();
expectTypeOf<SnakeCase<"siweChainId">>().toEqualTypeOf<"siwe_chain_id">();
expectTypeOf<SnakeCase<"argon2MemoryKib">>().toEqualTypeOf<"argon2_memory_kib">();
expectTypeOf<SnakeCase<"a1B">>().toEqualTypeOf<"a1_b">();
expectTypeOf<SnakeCase<"x">>().toEqualTypeOf<"x">();

class Example {
  apiURL: string = "";
  retries: number = 1;
  tags: string[] = [];
  secret?: string;
  describe(): string {
    return "methods are not settings";
  }
}

expectTypeOf<SettingsSection<Example>>().toEqualTypeOf<{
  readonly api_url?: string;
  readonly retries?: number;
  readonly tags?: readonly string[];
  readonly secret?: string;
}>();

describe("SnakeCase (the type behind typed config)", () => {
  it("renames exactly as the binder does at run time", () => {
    for (const [property, key] of Object.entries(NAMES)) expect(toSnakeCase(property), property).toBe(key);
  });
});
