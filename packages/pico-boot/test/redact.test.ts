import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/index.js";
import { redactSecrets, scrubUrlPasswords } from "../src/logging/redact.js";

/** Everything a logger at debug wrote, as text, and the logger. */
function captured() {
  let text = "";
  const stream = new Writable({ write: (chunk, _encoding, done) => ((text += chunk.toString()), done()) });
  return { logger: createLogger({ level: "debug", destination: stream }), text: () => text };
}

/** What an HTTP SDK throws: the request it made, headers included, on the error's own fields. */
function sdkError(): Error {
  const cause = Object.assign(new Error("connect ECONNREFUSED postgres://app:cause-S3cret@db/app"), { code: "ECONNREFUSED", password: "cause-pw" });
  return Object.assign(new Error("request failed", { cause }), {
    config: { url: "https://api.example.com/v1", headers: { Authorization: "Bearer sdk-bearer-0123456789", "X-Api-Key": "sdk-api-key" } },
    database_url: "postgres://app:own-S3cret@db/app",
  });
}

describe("redaction in log lines", () => {
  it("an error under any field (not only err), in an array, or as a cause: message, stack, own fields and causes redacted", () => {
    const { logger, text } = captured();
    logger.error("z", { error: sdkError() });
    logger.error("y", { failures: [sdkError()], job: { last: sdkError() } });
    logger.error("x", { err: sdkError() });
    logger.error("w", { error: new AggregateError([sdkError()], "all failed") });
    for (const secret of ["sdk-bearer-0123456789", "sdk-api-key", "own-S3cret", "cause-S3cret", "cause-pw"]) expect(text(), secret).not.toContain(secret);
    const [first] = text().split("\n").map((line) => (line ? (JSON.parse(line) as Record<string, unknown>) : {}));
    // Still readable: the type, the message, the stack, the cause, the fields that are no secret.
    expect(first?.error).toMatchObject({
      type: "Error",
      message: "request failed",
      stack: expect.stringContaining("redact.test.ts"),
      config: { url: "https://api.example.com/v1", headers: { Authorization: "[redacted]", "X-Api-Key": "[redacted]" } },
      database_url: "postgres://app:[redacted]@db/app",
      cause: { type: "Error", code: "ECONNREFUSED", password: "[redacted]", message: "connect ECONNREFUSED postgres://app:[redacted]@db/app" },
    });
  });

  it("secret-named fields at any depth; a cycle or a pathological depth is replaced, never printed unread", () => {
    const { logger, text } = captured();
    logger.info("deep", { a: { b: { c: { d: { password: "DEEP-5" } } } }, list: [[[[[[{ token: "DEEP-LIST" }]]]]]] });
    let chain: Record<string, unknown> = { password: "DEEP-100" };
    for (let i = 0; i < 100; i++) chain = { next: chain };
    const cyclic: Record<string, unknown> = { password: "CYCLE-PW" };
    cyclic.self = cyclic;
    logger.info("chain", { chain, cyclic });
    for (const secret of ["DEEP-5", "DEEP-LIST", "DEEP-100", "CYCLE-PW"]) expect(text(), secret).not.toContain(secret);
    expect(redactSecrets({ a: { b: { c: { d: { e: { f: { password: "x" } } } } } } })).toStrictEqual({ a: { b: { c: { d: { e: { f: { password: "[redacted]" } } } } } } });
    expect(JSON.stringify(redactSecrets({ chain }))).toContain('"[too deep]"');
    expect(redactSecrets({ cyclic })).toMatchObject({ cyclic: { password: "[redacted]", self: "[circular]" } });
  });

  it("every secret name, in any case, with - or _ or neither; other names and booleans untouched", () => {
    const names = [
      "password", "PASSWORD", "passwd", "pwd", "admin_password", "adminPassword", "admin_password_hash", "adminPasswordHash", "new_password", "sslpassword",
      "token", "access_token", "accessToken", "refresh_token", "id_token", "idToken",
      "authorization", "Authorization", "proxy-authorization", "Proxy-Authorization", "x-agent-authorization",
      "x-api-key", "X-API-KEY", "apiKey", "api_key", "api-key", "credentials", "secret", "client_secret", "clientSecret",
      "private_key", "privateKey", "key_encryption_key", "keyEncryptionKey", "key_encryption_key_previous", "keyEncryptionKeyPrevious",
      "bearer", "metrics_bearer", "metricsBearer", "revocation_bearer", "revocationBearer", "revocation_feed_bearer", "revocationFeedBearer",
      "signature", "cookie", "Cookie", "set-cookie", "Set-Cookie",
    ];
    const fields = Object.fromEntries(names.map((name) => [name, `value-of-${name}`]));
    expect(redactSecrets(fields)).toStrictEqual(Object.fromEntries(names.map((name) => [name, "[redacted]"])));
    const plain = { token_type: "Bearer", expires_in: 900, key: "k", keys: ["a"], max_token_length: 4096, allow_weak_admin_password: true, route: "/api/:id", email: "a@b.c" };
    expect(redactSecrets(plain)).toBe(plain);
    // A value written through its toJSON (a URL object) is redacted as written.
    expect(redactSecrets({ store: new URL("postgres://app:url-obj-S3cret@db/app") })).toStrictEqual({ store: "postgres://app:[redacted]@db/app" });
  });
});

describe("secrets in text", () => {
  it("the whole userinfo of a token-only URL; the password after user:, to the last @ before the path", () => {
    expect(scrubUrlPasswords("cloning https://ghp_T0KEN123@github.com/o/r.git")).toBe("cloning https://[redacted]@github.com/o/r.git");
    expect(scrubUrlPasswords("https://x-access-token:ghs_T0K@github.com")).toBe("https://x-access-token:[redacted]@github.com");
    expect(scrubUrlPasswords("postgres://app:p@ss@word@db:5432/app?x=1")).toBe("postgres://app:[redacted]@db:5432/app?x=1");
  });

  it("a password with spaces or quotes, raw or JSON-escaped", () => {
    expect(scrubUrlPasswords("http://admin:top secret@host:99999/")).toBe("http://admin:[redacted]@host:99999/");
    expect(scrubUrlPasswords(`postgres://app:it's"quoted@db/app`)).toBe("postgres://app:[redacted]@db/app");
    const json = JSON.stringify({ url: `postgres://app:q"uo te@db/app`, email: "admin@example.com" });
    expect(scrubUrlPasswords(json)).toBe('{"url":"postgres://app:[redacted]@db/app","email":"admin@example.com"}');
    expect(scrubUrlPasswords(JSON.stringify(json))).not.toContain("uo te");
  });

  it("secret-named query parameters and connection-string options; others kept", () => {
    // A user alone reads as a token: it goes too.
    expect(scrubUrlPasswords("postgres://u@h/db?password=QP1&sslmode=require")).toBe("postgres://[redacted]@h/db?password=[redacted]&sslmode=require");
    expect(scrubUrlPasswords("postgres://h/db?sslmode=verify-full&sslpassword=QP2")).toBe("postgres://h/db?sslmode=verify-full&sslpassword=[redacted]");
    expect(scrubUrlPasswords("GET /cb?code=abc&token=QP3 and /x?access_token=QP4#f")).toBe("GET /cb?code=abc&token=[redacted] and /x?access_token=[redacted]#f");
    expect(scrubUrlPasswords("host=db user=app password=QP5 dbname=app")).toBe("host=db user=app password=[redacted] dbname=app");
    expect(scrubUrlPasswords("Server=db;Password=QP6;Database=app")).toBe("Server=db;Password=[redacted];Database=app");
  });

  it("a bearer token in text; the word bearer in prose kept", () => {
    expect(scrubUrlPasswords("sent Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln")).toBe("sent Authorization: Bearer [redacted]");
    expect(scrubUrlPasswords("a JSON body with refresh_token, or an Authorization: Bearer access token, required")).toBe("a JSON body with refresh_token, or an Authorization: Bearer access token, required");
  });

  it("leaves URLs without credentials, e-mail addresses and JSON alone", () => {
    expect(scrubUrlPasswords("http://localhost:8100/api and admin@example.com")).toBe("http://localhost:8100/api and admin@example.com");
    expect(scrubUrlPasswords('{"issuer":"http://localhost:8100","admin_email":"admin@example.com"}')).toBe('{"issuer":"http://localhost:8100","admin_email":"admin@example.com"}');
    expect(scrubUrlPasswords("listening on http://127.0.0.1:8100 (x=1, y=2)")).toBe("listening on http://127.0.0.1:8100 (x=1, y=2)");
  });
});
