import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AuthClientSettings } from "pico-client-auth";
import { WebSettings } from "pico-hono";
import { envVarName, getSettingsDefinition } from "pico-ioc";
import type { Constructor, SettingField } from "pico-ioc";
import { ServerAuthSettings } from "pico-server-auth";

/**
 * docs/configuration-reference.md is generated from the settings classes, so it cannot drift: this
 * test fails when the file differs from what the classes say. Regenerate with
 * `UPDATE_DOCS=1 npx vitest run examples/embed-in-app/test/config-reference.test.ts`.
 */
const target = fileURLToPath(new URL("../../../docs/configuration-reference.md", import.meta.url));
const SECTIONS: [Constructor, string][] = [
  [WebSettings, "pico-hono: the web layer, always loaded"],
  [AuthClientSettings, "pico-client-auth: token validation"],
  [ServerAuthSettings, "pico-server-auth: the auth server"],
];

function describeDefault(value: unknown, field: SettingField): string {
  if (value === undefined) return field.optional ? "(none)" : "**required**";
  return `\`${JSON.stringify(value)}\``;
}

function describeType(field: SettingField): string {
  const limits = [field.min !== undefined ? `≥ ${field.min}` : "", field.max !== undefined ? `≤ ${field.max}` : ""].filter(Boolean).join(", ");
  const choices = field.choices ? `; one of ${field.choices.map((c) => `\`${c}\``).join(", ")}` : "";
  // The env column shows a variable name only: say how a map is written there.
  const form = field.type === "string[] map" ? " (env: a JSON object)" : "";
  return `${field.type}${form}${limits ? ` (${limits})` : ""}${choices}`;
}

function render(): string {
  const lines = [
    "# Configuration reference",
    "",
    "Generated from the settings classes (`examples/embed-in-app/test/config-reference.test.ts` checks it).",
    "Every key can be set in the `config` object given to `Application` or, overriding it, with the",
    "environment variable shown. See [configuration.md](configuration.md) for the rules.",
  ];
  for (const [cls, title] of SECTIONS) {
    const definition = getSettingsDefinition(cls);
    if (!definition) throw new Error(`${cls.name} is not a settings class`);
    const defaults = new (cls as unknown as new () => Record<string, unknown>)();
    lines.push("", `## \`${definition.section}\` (${title})`, "", "| key | type | default | env | meaning |", "|---|---|---|---|---|");
    for (const field of definition.fields) {
      lines.push(`| \`${field.key}\` | ${describeType(field)} | ${describeDefault(defaults[field.property], field)} | \`${envVarName(definition.path, field.key)}\` | ${field.description ?? ""} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

describe("docs/configuration-reference.md", () => {
  it("matches the settings classes", () => {
    const expected = render();
    if (process.env.UPDATE_DOCS) writeFileSync(target, expected);
    expect(readFileSync(target, "utf8")).toBe(expected);
  });
});
