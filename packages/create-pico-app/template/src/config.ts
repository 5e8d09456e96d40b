import { randomBytes } from "node:crypto";
import { DEFAULT_PORT } from "pico-boot";
import type { ApplicationConfig } from "pico-boot";
// Type-only imports: they bring in the `server_auth` and `auth_client` section types, so a misspelt
// key below fails tsc. Nothing is imported at run time: Application loads the modules by name.
import type {} from "pico-client-auth";
import type {} from "pico-server-auth";

type Env = Readonly<Record<string, string | undefined>>;

/** This package's name: Application loads this app's module (src/index.ts) by it. */
export const APP_NAME = "__APP_NAME__";
export const ADMIN_EMAIL = "admin@example.com";

/**
 * The app's configuration: the auth server issues tokens as `http://localhost:<PORT>` (8100 by
 * default; behind a proxy or under another name set SERVER_AUTH__ISSUER and AUTH_CLIENT__ISSUER to
 * the public URL) and the auth client accepts them; with equal issuers and no `jwks_url`, the client
 * reads the keys in-process. The admin password comes from SERVER_AUTH__ADMIN_PASSWORD; without
 * one, a strong one is generated for the run (never a fixed default).
 */
export function appConfig(env: Env = process.env) {
  const port = env.PORT && env.PORT !== "0" ? env.PORT : String(DEFAULT_PORT);
  const issuer = `http://localhost:${port}`;
  const generatedPassword = env.SERVER_AUTH__ADMIN_PASSWORD || env.SERVER_AUTH__ADMIN_PASSWORD_HASH ? undefined : randomBytes(18).toString("base64url");
  const config = {
    server_auth: {
      issuer,
      audience: APP_NAME,
      supported_wallet_algorithms: ["ML-DSA-65", "Ed25519", "secp256k1"],
      auto_create_admin: true,
      admin_email: ADMIN_EMAIL,
      ...(generatedPassword ? { admin_password: generatedPassword } : {}),
    },
    auth_client: { issuer, audience: APP_NAME },
  } satisfies ApplicationConfig<["pico_server_auth", "pico_client_auth"]>;
  return { config, generatedPassword };
}

/**
 * The line announcing a generated admin password, for stderr (log shippers collect stdout). The
 * password itself only when stderr is a terminal or SHOW_GENERATED_PASSWORD=1: a pipe or a journal
 * keeps what it gets.
 */
export function generatedPasswordNotice(password: string, env: Env): string {
  const show = process.stderr.isTTY === true || env.SHOW_GENERATED_PASSWORD === "1";
  return show
    ? `Admin login: ${ADMIN_EMAIL} / ${password} (generated for this run; set SERVER_AUTH__ADMIN_PASSWORD to choose one)\n`
    : `Admin login: ${ADMIN_EMAIL}, password generated for this run and not shown (stderr is not a terminal); set SERVER_AUTH__ADMIN_PASSWORD, or SHOW_GENERATED_PASSWORD=1 to print it\n`;
}
