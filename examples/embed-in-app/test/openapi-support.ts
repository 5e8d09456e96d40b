import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Application } from "pico-boot";
import { seedConfig } from "../src/config.js";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const ADMIN = { email: "admin@example.com", password: "a-long-test-password" };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The seed app (examples/embed-in-app) with a known admin password and a memory store; `server` adds server_auth settings. */
export function seedApp(server: Record<string, unknown> = {}): Application {
  const env = { SERVER_AUTH__ADMIN_PASSWORD: ADMIN.password, SERVER_AUTH__STORE: "memory" };
  const { config } = seedConfig(env);
  return new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: { ...config, server_auth: { ...config.server_auth, ...server } }, root, env, logger: quiet });
}

export type OpenApi = {
  paths: Record<string, Record<string, { security?: unknown; requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>>;
} & Record<string, unknown>;
export type JsonSchema = { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;

/** The live /openapi.json of `app`. */
export async function openapiOf(app: Application): Promise<OpenApi> {
  const res = await app.request("/openapi.json");
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApi;
}

/** Runs a command without a shell; resolves with its exit code and output, whatever the code. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
