import { randomBytes } from "node:crypto";
import { DEFAULT_PORT } from "pico-boot";
import type { ApplicationConfig } from "pico-boot";
// Type-only imports: they load the `server_auth` and `auth_client` section types, so a misspelt key
// below fails tsc. Nothing is imported at run time: Application loads the modules by name.
import type {} from "pico-client-auth";
import type {} from "pico-server-auth";

type Env = Readonly<Record<string, string | undefined>>;

export const ADMIN_EMAIL = "admin@example.com";

/**
 * Where clients reach this server, for the issuer and the JWKS URL: `localhost` on `PORT` (8100 by
 * default), or `HOST` when it names one address or host name rather than a wildcard (`0.0.0.0`,
 * `::`: listening everywhere says nothing about the name clients use). `PORT=0` picks a free port
 * that is known only once listening, so the issuer keeps 8100 then; set SERVER_AUTH__ISSUER and
 * AUTH_CLIENT__ISSUER when clients use another name (behind a proxy: the public URL).
 */
export function publicOrigin(env: Env): string {
  const port = env.PORT && env.PORT !== "0" ? env.PORT : String(DEFAULT_PORT);
  const host = env.HOST?.trim() || "localhost";
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  let hostname: string;
  try {
    hostname = new URL(`http://${bracketed}`).hostname; // "0", "::0" and the like normalised
  } catch {
    hostname = bracketed; // not a host name: the issuer check at boot names it
  }
  const wildcard = hostname === "0.0.0.0" || hostname === "[::]";
  return `http://${wildcard ? "localhost" : bracketed}:${port}`;
}

/**
 * The user guide's configuration, with admin bootstrap on. The password comes from
 * SERVER_AUTH__ADMIN_PASSWORD (the environment overrides the config); without one, a strong password
 * is generated at boot and announced once on stderr (see `generatedPasswordNotice`): there is never
 * a fixed default.
 */
export function seedConfig(env: Env = process.env) {
  const generatedPassword = env.SERVER_AUTH__ADMIN_PASSWORD || env.SERVER_AUTH__ADMIN_PASSWORD_HASH ? undefined : randomBytes(18).toString("base64url");
  const issuer = publicOrigin(env);
  const config = {
    server_auth: {
      issuer,
      audience: "my-app",
      access_token_expire_minutes: 30,
      refresh_token_expire_days: 7,
      challenge_ttl_seconds: 120,
      supported_wallet_algorithms: ["ML-DSA-65", "Ed25519", "secp256k1"],
      auto_create_admin: true,
      admin_email: ADMIN_EMAIL,
      ...(generatedPassword ? { admin_password: generatedPassword } : {}),
    },
    auth_client: {
      issuer,
      audience: "my-app",
      jwks_url: `${issuer}/api/v1/auth/jwks`,
    },
  } satisfies ApplicationConfig<["pico_server_auth", "pico_client_auth"]>;
  return { config, generatedPassword };
}

/**
 * The line that announces a generated admin password, for stderr: never stdout, whose lines log
 * shippers collect. The password itself only when `show` (stderr is a terminal, or
 * SHOW_GENERATED_PASSWORD=1 asks for it); otherwise a line saying one was generated and how to
 * choose one.
 */
export function generatedPasswordNotice(password: string, show: boolean): string {
  return show
    ? `Admin login: ${ADMIN_EMAIL} / ${password} (generated for this run; set SERVER_AUTH__ADMIN_PASSWORD to choose one)\n`
    : `Admin login: ${ADMIN_EMAIL}, password generated for this run and not shown (stderr is not a terminal); set SERVER_AUTH__ADMIN_PASSWORD to choose one, or SHOW_GENERATED_PASSWORD=1 to print it on stderr\n`;
}

/** Whether the generated password may be printed: stderr is a terminal, or SHOW_GENERATED_PASSWORD=1. */
export const showGeneratedPassword = (env: Env): boolean => process.stderr.isTTY === true || env.SHOW_GENERATED_PASSWORD === "1";
