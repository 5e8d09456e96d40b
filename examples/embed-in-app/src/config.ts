import { randomBytes } from "node:crypto";

/**
 * The user guide's configuration, with admin bootstrap on. The password comes from
 * SERVER_AUTH__ADMIN_PASSWORD (the environment overrides the config); without one, a strong password
 * is generated at boot and printed once: there is never a fixed default.
 */
export function seedConfig(env: Readonly<Record<string, string | undefined>> = process.env) {
  const generatedPassword = env.SERVER_AUTH__ADMIN_PASSWORD || env.SERVER_AUTH__ADMIN_PASSWORD_HASH ? undefined : randomBytes(18).toString("base64url");
  const config = {
    server_auth: {
      issuer: "http://localhost:8100",
      audience: "my-app",
      access_token_expire_minutes: 30,
      refresh_token_expire_days: 7,
      challenge_ttl_seconds: 120,
      supported_wallet_algorithms: ["ML-DSA-65", "Ed25519", "secp256k1"],
      auto_create_admin: true,
      admin_email: "admin@example.com",
      ...(generatedPassword ? { admin_password: generatedPassword } : {}),
    },
    auth_client: {
      issuer: "http://localhost:8100",
      audience: "my-app",
      jwks_url: "http://localhost:8100/api/v1/auth/jwks",
    },
  };
  return { config, generatedPassword };
}
