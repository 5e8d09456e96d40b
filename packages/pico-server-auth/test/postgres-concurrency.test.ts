import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedeemOutcome } from "../src/sessions/session-store.js";
import type { DurableState } from "../src/state/durable-state.js";
import { FEED_LOCK, LOCK_CLASS } from "../src/state/postgres/locks.js";
import { createTestDatabase } from "./postgres-support.js";

// Several pools on one database stand for several instances: what one instance's process could not
// show (its calls share nothing but PostgreSQL).
const database = await createTestDatabase();
let instances: DurableState[];
beforeAll(async () => {
  if (database) instances = await Promise.all(Array.from({ length: 5 }, () => database.open()));
});
afterAll(() => database?.drop());

const NOW = 1_800_000_000;

describe.skipIf(!database)("PostgreSQL store under concurrency", () => {
  it("addSigningKey from 5 instances at once on an empty store: exactly one true, one key", async () => {
    const results = await Promise.all(
      instances.map((state, i) => state.signingKeys.addSigningKey({ kid: `boot-${i}`, alg: "EdDSA", material: "m", createdAt: NOW }, undefined)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const keys = await instances[0]!.signingKeys.signingKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.kid).toBe(`boot-${results.indexOf(true)}`);
    // The same for a rotation: everyone saw the same active key, one of them replaces it.
    const active = keys[0]!.kid;
    const rotations = await Promise.all(
      instances.map((state, i) => state.signingKeys.addSigningKey({ kid: `rotate-${i}`, alg: "EdDSA", material: "m", createdAt: NOW + 90 }, active)),
    );
    expect(rotations.filter(Boolean)).toHaveLength(1);
    expect((await instances[1]!.signingKeys.signingKeys()).filter((k) => k.retiredAt === undefined)).toHaveLength(1);
  });

  it("50 concurrent redeems of one refresh token over 3 instances: exactly one rotated, and the family revoked", async () => {
    const family = { id: "race-family", sub: "0xrace", role: "wallet", claims: {}, currentHash: "race-0", expiresAt: NOW + 3600, startedAt: NOW };
    await instances[0]!.sessions.createFamily(family, { jti: "race-access-0", exp: NOW + 900 });
    const outcomes: RedeemOutcome[] = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        instances[i % 3]!.sessions.redeemRefresh("race-0", { hash: `race-next-${i}`, expiresAt: NOW + 3600 }, { jti: `race-access-${i + 1}`, exp: NOW + 900 }, NOW + 1),
      ),
    );
    const count = (outcome: string) => outcomes.filter((o) => o.outcome === outcome).length;
    expect(count("rotated")).toBe(1);
    // The first one after the rotation revokes; the rest find the family revoked already.
    expect(count("reused")).toBe(1);
    expect(count("revoked")).toBe(48);
    expect((await instances[2]!.sessions.family("race-family"))?.revokedAt).toBe(NOW + 1);
    const rotated = outcomes.find((o) => o.outcome === "rotated");
    const feed = await instances[1]!.revocations.revokedSince(undefined, NOW);
    const winner = rotated?.outcome === "rotated" ? Number(rotated.family.currentHash.replace("race-next-", "")) : Number.NaN;
    // Both access tokens the family was issued are in the feed, so every instance refuses them.
    expect(feed.revoked.map((t) => t.jti).filter((jti) => jti.startsWith("race-"))).toEqual(["race-access-0", `race-access-${winner + 1}`]);
  });

  it("a revocation that commits after a reader's cursor, though it began earlier, is still read from that cursor", async () => {
    const [writer, reader] = [instances[0]!, instances[1]!];
    await writer.sessions.createFamily({ id: "late-family", sub: "s", role: "r", claims: {}, currentHash: "late-h", expiresAt: NOW + 3600, startedAt: NOW }, { jti: "late-jti", exp: NOW + 900 });
    // Another instance's revoking transaction, stopped half-way: it holds the feed lock and has drawn its seq.
    const slow = new pg.Client({ connectionString: database!.url });
    await slow.connect();
    try {
      await slow.query("BEGIN");
      await slow.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, FEED_LOCK]);
      await slow.query("INSERT INTO pico_auth_revocation_feed (jti, exp) VALUES ('slow-jti', $1)", [NOW + 900]);
      const revoking = writer.sessions.revokeFamily("late-family", NOW + 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Without the lock, `revoking` would have committed a higher seq by now, and this cursor would pass the slow entry.
      const cursor = (await reader.revocations.revokedSince(undefined, NOW)).cursor;
      await slow.query("COMMIT");
      expect(await revoking).toBe(true);
      const after = await reader.revocations.revokedSince(cursor, NOW);
      expect(after.revoked.map((t) => t.jti)).toEqual(["slow-jti", "late-jti"]);
    } finally {
      await slow.end();
    }
  });

  it("a reader following the feed with its cursor never misses an entry while 3 instances revoke concurrently", async () => {
    const families = Array.from({ length: 60 }, (_, i) => ({ id: `feed-race-${i}`, sub: `feed-sub-${i % 7}`, role: "r", claims: {}, currentHash: `feed-race-h-${i}`, expiresAt: NOW + 3600, startedAt: NOW }));
    await Promise.all(families.map((f, i) => instances[i % 3]!.sessions.createFamily(f, { jti: `${f.id}-jti`, exp: NOW + 900 })));
    const reader = instances[4]!;
    let cursor = (await reader.revocations.revokedSince(undefined, NOW)).cursor;
    const seen = new Set<string>();
    let writing = true;
    const follow = (async () => {
      while (writing) {
        const changes = await reader.revocations.revokedSince(cursor, NOW);
        for (const t of changes.revoked) seen.add(t.jti);
        cursor = changes.cursor;
      }
    })();
    await Promise.all(
      families.map((f, i) => (i % 4 === 0 ? instances[i % 3]!.sessions.revokeSubject(f.sub, NOW + 1) : instances[i % 3]!.sessions.revokeFamily(f.id, NOW + 1))),
    );
    writing = false;
    await follow;
    for (const t of (await reader.revocations.revokedSince(cursor, NOW)).revoked) seen.add(t.jti);
    expect([...seen].filter((jti) => jti.startsWith("feed-race-")).sort()).toEqual(families.map((f) => `${f.id}-jti`).sort());
  });
});
