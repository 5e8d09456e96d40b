import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "pico-ioc";
import { PostgresChangeSignal } from "../src/state/postgres/change-signal.js";
import { openPostgresState } from "../src/state/postgres/index.js";
import type { ChangeSignal } from "../src/sync/change-signal.js";
import { createTestDatabase, recordingLogger, settingsFor } from "./postgres-support.js";

const database = await createTestDatabase();
afterAll(() => database?.drop());

/** Resolves with how many times `topic` reached `signal` within `ms`. */
function heard(signal: ChangeSignal, topic: "signing-keys" | "revocations", ms = 1000): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    const stop = signal.subscribe(topic, () => count++);
    setTimeout(() => {
      stop();
      resolve(count);
    }, ms);
  });
}

/** Waits until `listener` was called for `topic`, failing after `ms`. */
function next(signal: ChangeSignal, topic: "signing-keys" | "revocations", ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${topic} signal within ${ms} ms`)), ms);
    const stop = signal.subscribe(topic, () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

describe.skipIf(!database)("PostgreSQL change signal (LISTEN/NOTIFY)", () => {
  const db = database!;

  it("delivers a topic to the other instances, not back to the one that published it", async () => {
    const [a, b, c] = await Promise.all([db.open(), db.open(), db.open()]);
    const onB = heard(b.signal!, "revocations", 500);
    const onC = heard(c.signal!, "revocations", 500);
    const onA = heard(a.signal!, "revocations", 500);
    const otherTopic = heard(b.signal!, "signing-keys", 500);
    await a.signal!.publish("revocations");
    expect([await onB, await onC, await onA, await otherTopic]).toEqual([1, 1, 0, 0]);
  });

  it("keeps deployments apart that share one database by schema: their channels differ", async () => {
    await db.sql("CREATE SCHEMA other_deployment");
    const url = new URL(db.url);
    url.searchParams.set("options", "-c search_path=other_deployment");
    const [here, there] = await Promise.all([db.open(), openPostgresState(settingsFor(url.href), silentLogger)]);
    try {
      expect((here.signal as PostgresChangeSignal).channel("revocations")).not.toBe((there.signal as PostgresChangeSignal).channel("revocations"));
      const onThere = heard(there.signal!, "revocations", 500);
      const onHere = heard(here.signal!, "revocations", 500);
      await db.open().then((publisher) => publisher.signal!.publish("revocations"));
      expect([await onHere, await onThere]).toEqual([1, 0]);
    } finally {
      await there.close();
    }
  });

  it("stops calling a listener once unsubscribed", async () => {
    const [a, b] = await Promise.all([db.open(), db.open()]);
    let calls = 0;
    const stop = b.signal!.subscribe("signing-keys", () => calls++);
    const delivered = next(b.signal!, "signing-keys");
    await a.signal!.publish("signing-keys");
    await delivered;
    stop();
    const again = next(b.signal!, "signing-keys");
    await a.signal!.publish("signing-keys");
    await again;
    expect(calls).toBe(1);
  });

  it("listens again after its connection is terminated, calling every listener once to catch up", async () => {
    const logger = recordingLogger();
    const [a, b] = await Promise.all([db.open(), db.open(logger)]);
    const caughtUp = Promise.all([next(b.signal!, "revocations"), next(b.signal!, "signing-keys")]);
    expect(await db.terminateConnections()).toBeGreaterThan(0);
    await caughtUp;
    expect(logger.lines.some((line) => line.includes("LISTEN connection") && line.includes("lost"))).toBe(true);
    expect(logger.lines.some((line) => line.includes("LISTEN connection restored"))).toBe(true);
    const delivered = next(b.signal!, "revocations");
    // The publisher's pool lost its connections too: the first publish may be lost (best effort), never thrown.
    await a.signal!.publish("revocations");
    await a.signal!.publish("revocations");
    await delivered;
  });

  it("publish never throws: not when the database refuses connections, not after close", async () => {
    const state = await db.open();
    await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    try {
      await db.terminateConnections();
      await expect(state.signal!.publish("signing-keys")).resolves.toBeUndefined();
    } finally {
      await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
    }
    await state.close();
    await expect(state.signal!.publish("signing-keys")).resolves.toBeUndefined();
  });
});
