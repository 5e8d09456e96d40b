import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import createClient from "openapi-fetch";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";
import { ADMIN, openapiOf, run, seedApp } from "./openapi-support.js";
import type { OpenApi } from "./openapi-support.js";

const require = createRequire(import.meta.url);
/** The repository's own compiler (TypeScript 7), as an app that uses the generated types would run it. */
const TSC = join(dirname(require.resolve("typescript/package.json")), "bin/tsc");
const OPENAPI_FETCH_TYPES = join(dirname(require.resolve("openapi-fetch")), "index.d.mts");

/** What a typed client of the seed app writes: login → profile, every type taken from /openapi.json. */
const CLIENT = `import type createClient from "openapi-fetch";
import type { paths } from "./schema.js";

export async function loginThenProfile(create: typeof createClient, baseUrl: string, email: string, password: string) {
  const client = create<paths>({ baseUrl });
  const login = await client.POST("/api/v1/auth/login", { body: { email, password } });
  if (!login.data) throw new Error(\`login answered \${login.response.status}: \${login.error?.detail}\`);
  const tokenType: "Bearer" = login.data.token_type;
  const expiresIn: number = login.data.expires_in;
  const profile = await client.GET("/api/profile", { headers: { Authorization: \`\${tokenType} \${login.data.access_token}\` } });
  if (!profile.data) throw new Error(\`profile answered \${profile.response.status}: \${profile.error?.detail}\`);
  return { status: profile.response.status, expiresIn, profile: profile.data };
}
`;

/** Calls the typed client would refuse: a login without its password, a token type that is not Bearer. */
const WRONG = `import type createClient from "openapi-fetch";
import type { paths } from "./schema.js";

export async function wrong(create: typeof createClient) {
  const client = create<paths>({ baseUrl: "http://localhost" });
  const login = await client.POST("/api/v1/auth/login", { body: { email: "admin@example.com" } });
  const tokenType: "Basic" | undefined = login.data?.token_type;
  return tokenType;
}
`;

/** Writes `document`'s types, `sources` and a strict tsconfig to a new directory; runs `tsc --noEmit -p` there. */
async function compile(dir: string, document: unknown, sources: Record<string, string>): Promise<{ code: number | null; output: string }> {
  await writeFile(join(dir, "schema.d.ts"), astToString(await openapiTS(document as Parameters<typeof openapiTS>[0])));
  for (const [file, text] of Object.entries(sources)) await writeFile(join(dir, file), text);
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const compilerOptions = { strict: true, noUncheckedIndexedAccess: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023", "DOM"], types: [], noEmit: true, skipLibCheck: false, paths: { "openapi-fetch": [OPENAPI_FETCH_TYPES] } };
  await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: Object.keys(sources) }));
  const { code, stdout, stderr } = await run(process.execPath, [TSC, "--noEmit", "-p", join(dir, "tsconfig.json")], { cwd: dir });
  return { code, output: stdout + stderr };
}

/** `file(line,col): error TSxxxx` of tsc's output, without the columns and messages. */
const errorLines = (output: string) => [...output.matchAll(/^([\w.-]+\.ts)\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);

describe("a typed client generated from the seed app's /openapi.json", () => {
  it("compiles a login → profile call and runs it; a wrong call, or a login without a documented body, does not compile", async () => {
    const app = seedApp();
    const dir = await mkdtemp(join(tmpdir(), "pico-typed-client-"));
    try {
      const document = await openapiOf(app);
      const good = await compile(dir, document, { "client.ts": CLIENT });
      expect(good, good.output).toMatchObject({ code: 0 });

      // The compiled client works against the live server.
      const { url } = await app.start({ port: 0 });
      const { loginThenProfile } = (await import(pathToFileURL(join(dir, "client.ts")).href)) as { loginThenProfile: (create: typeof createClient, baseUrl: string, email: string, password: string) => Promise<unknown> };
      expect(await loginThenProfile(createClient, url, ADMIN.email, ADMIN.password)).toEqual({ status: 200, expiresIn: 1800, profile: { subject: ADMIN.email, role: "admin" } });

      const wrong = await compile(dir, document, { "wrong.ts": WRONG });
      expect(errorLines(wrong.output), wrong.output).toEqual(["wrong.ts:6 TS2322", "wrong.ts:7 TS2322"]);

      // As before issue 15: login documented without a request body (openapi-typescript: requestBody?: never).
      const undocumented = structuredClone(document) as OpenApi;
      delete undocumented.paths["/api/v1/auth/login"]?.post?.requestBody;
      const broken = await compile(dir, undocumented, { "client.ts": CLIENT });
      expect(broken.code, broken.output).not.toBe(0);
      expect(broken.output).toMatch(/^client\.ts\(6,\d+\): error TS2322: Type '\{ email: string; password: string; \}' is not assignable to type 'undefined'/m);
    } finally {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
