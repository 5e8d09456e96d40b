import { randomBytes } from "node:crypto";

type EnvLike = Readonly<Record<string, string | undefined>>;

export const DEFAULT_AUTH_PORT = 8100;
export const DEFAULT_API_PORT = 8200;
export const ADMIN_EMAIL = "admin@example.com";
const AUDIENCE = "my-api";

/**
 * A fixed port from the environment. 0 ("any free port") is refused: the API has to know the auth
 * service's address before either process starts, because it is baked into the issuer and JWKS URL.
 */
export function portFrom(env: EnvLike, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) throw new Error(`${name} expected a port from 1 to 65535, got ${JSON.stringify(raw)}`);
  return port;
}

/** The tokens' `iss`: both services derive it from the auth port, so they cannot disagree. */
export const issuerFor = (authPort: number) => `http://127.0.0.1:${authPort}`;

/**
 * The auth service: listens on PORT (default 8100), admin bootstrap on. The password comes from
 * SERVER_AUTH__ADMIN_PASSWORD (the environment overrides the config); without one a strong password
 * is generated at boot and announced once on stderr (see `generatedPasswordNotice`): there is never
 * a fixed default.
 */
export function authServiceConfig(env: EnvLike = process.env) {
  const port = portFrom(env, "PORT", DEFAULT_AUTH_PORT);
  const generatedPassword = env.SERVER_AUTH__ADMIN_PASSWORD || env.SERVER_AUTH__ADMIN_PASSWORD_HASH ? undefined : randomBytes(18).toString("base64url");
  const config = {
    server_auth: {
      issuer: issuerFor(port),
      audience: AUDIENCE,
      auto_create_admin: true,
      admin_email: ADMIN_EMAIL,
      ...(generatedPassword ? { admin_password: generatedPassword } : {}),
      // The feed the API services poll for revoked tokens, behind a credential they share.
      ...(env.REVOCATION_BEARER ? { revocation_feed_bearer: env.REVOCATION_BEARER } : {}),
    },
  };
  return { config, generatedPassword, port };
}

/**
 * The API service: listens on PORT (default 8200) and trusts the auth service on AUTH_PORT (default
 * 8100). Different processes, so the keys come over HTTP from the JWKS URL, and revoked tokens from the
 * auth service's feed when REVOCATION_BEARER is set (http is allowed only because it is loopback).
 */
export function apiServiceConfig(env: EnvLike = process.env) {
  const port = portFrom(env, "PORT", DEFAULT_API_PORT);
  const issuer = issuerFor(portFrom(env, "AUTH_PORT", DEFAULT_AUTH_PORT));
  const config = {
    auth_client: {
      issuer,
      audience: AUDIENCE,
      jwks_url: `${issuer}/api/v1/auth/jwks`,
      ...(env.REVOCATION_BEARER ? { revocation_endpoint: `${issuer}/api/v1/auth/revocations`, revocation_bearer: env.REVOCATION_BEARER } : {}),
    },
  };
  return { config, port };
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
export const showGeneratedPassword = (env: EnvLike): boolean => process.stderr.isTTY === true || env.SHOW_GENERATED_PASSWORD === "1";
