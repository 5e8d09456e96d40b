import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../../../test-support/services.js";
import type { Instance } from "../../../../test-support/instances.js";
import { ADMIN_EMAIL } from "../../src/config.js";
import { Deployment, PROOF_TIMEOUT_MS } from "./deployment.js";
import { call } from "./http.js";
import type { Answer } from "./http.js";
import { ed25519Wallet } from "./wallet.js";

const LOGIN_MAX_FAILURES = 5;
const CHALLENGES_PER_CLIENT = 6;
const GIVE_UP = 40;

// Each client is a loopback address of its own (Linux routes 127.0.0.0/8 to lo), bound as the
// connection's source: the instances count them apart, as they would distinct hosts.
const CLIENTS = { loginOnOne: "127.0.0.2", loginSpread: "127.0.0.3", challengeOnOne: "127.0.0.4", challengeSpread: "127.0.0.5" };

/** The number of the first attempt answered 429 (each sent to `target(i)`); every earlier one must be `allowed`. */
async function attemptsUntil429(target: (i: number) => Instance, attempt: (instance: Instance) => Promise<Answer>, allowed: number): Promise<number> {
  for (let i = 0; i < GIVE_UP; i++) {
    const answer = await attempt(target(i));
    if (answer.status === 429) return i + 1;
    expect(answer.status, answer.text).toBe(allowed);
  }
  throw new Error(`no 429 in ${GIVE_UP} attempts`);
}

describe.skipIf(!serviceAvailable("postgres") || !serviceAvailable("redis"))("login and challenge limits count across instances", { timeout: PROOF_TIMEOUT_MS }, () => {
  const deployment = new Deployment({ env: { SERVER_AUTH__LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES), SERVER_AUTH__CHALLENGES_PER_CLIENT: String(CHALLENGES_PER_CLIENT) } });
  let instances: [Instance, Instance, Instance];
  beforeAll(async () => {
    instances = (await deployment.start(3)) as [Instance, Instance, Instance];
  });
  afterAll(() => deployment.close());

  it("failed logins spread over 3 instances get the 429 after the same total as on one instance", async () => {
    const failedLogin = (localAddress: string) => (instance: Instance) =>
      call(instance.url, "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: "not the admin password" }, localAddress });
    const onOne = await attemptsUntil429(() => instances[0], failedLogin(CLIENTS.loginOnOne), 401);
    const spread = await attemptsUntil429((i) => instances[i % 3] as Instance, failedLogin(CLIENTS.loginSpread), 401);
    expect(onOne).toBe(LOGIN_MAX_FAILURES + 1);
    // Counted per instance, the spread client would get 3 × 5 failures before its first 429.
    expect(spread, deployment.output()).toBe(onOne);
  });

  it("challenges spread over 3 instances get the 429 after the same total as on one instance", async () => {
    const askChallenge = (localAddress: string) => (instance: Instance) => {
      const wallet = ed25519Wallet();
      return call(instance.url, "/api/v1/auth/challenge", { body: { address: wallet.address, algorithm: wallet.algorithm }, localAddress });
    };
    const onOne = await attemptsUntil429(() => instances[0], askChallenge(CLIENTS.challengeOnOne), 200);
    const spread = await attemptsUntil429((i) => instances[i % 3] as Instance, askChallenge(CLIENTS.challengeSpread), 200);
    expect(onOne).toBe(CHALLENGES_PER_CLIENT + 1);
    expect(spread, deployment.output()).toBe(onOne);
  });
});
