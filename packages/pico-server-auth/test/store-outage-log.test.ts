import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../src/errors.js";
import { OUTAGE_LOG_INTERVAL_MS, StoreOutageLog } from "../src/store/outage-log.js";

/** A StoreOutageLog on a clock the test moves, keeping its lines as "level: message". */
function outageLog() {
  const lines: string[] = [];
  const clock = { now: Date.parse("2026-12-06T03:00:00Z") };
  const at = (level: string) => (message: unknown) => void lines.push(`${level}: ${String(message)}`);
  const log = new StoreOutageLog({ debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, () => clock.now);
  return { log, lines, clock };
}
const full = new StoreUnavailableError("disk full");

describe("StoreOutageLog: a store outage is logged when it starts and when it ends, not per failed call", () => {
  it("1,000 failed calls within a minute: one line; the end: one line counting them all", () => {
    const { log, lines, clock } = outageLog();
    for (let i = 0; i < 1000; i++) {
      log.failed(i % 2 ? "redeemRefresh" : "createFamily", full);
      clock.now += 10;
    }
    expect(lines).toStrictEqual([
      "error: pico-server-auth: the auth store is unavailable (disk full): requests that need it answer 503 until it recovers (1 call so far). Logged again when it recovers, and at most once a minute while it lasts",
    ]);
    log.succeeded("createFamily");
    log.succeeded("redeemRefresh");
    expect(lines.slice(1)).toStrictEqual(["warn: pico-server-auth: the auth store works again, after 10.0 s unavailable since 2026-12-06T03:00:00.000Z: 1000 calls failed with 503 meanwhile"]);
  });

  it("a read that works does not end an outage of writes (a full disk still serves reads); each failed method must work again", () => {
    const { log, lines } = outageLog();
    log.failed("revokeFamily", full);
    log.failed("createFamily", full);
    log.succeeded("binding");
    log.succeeded("familyOfRefresh");
    log.succeeded("revokeFamily");
    expect(lines).toHaveLength(1);
    log.succeeded("createFamily");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^warn: pico-server-auth: the auth store works again, .*: 2 calls failed/);
  });

  it("a long outage: a reminder at most once a minute, counting the calls failed since the last line", () => {
    const { log, lines, clock } = outageLog();
    log.failed("prune", full);
    for (let i = 0; i < 5; i++) {
      clock.now += OUTAGE_LOG_INTERVAL_MS / 4;
      log.failed("prune", full);
    }
    expect(lines).toStrictEqual([
      expect.stringMatching(/^error: pico-server-auth: the auth store is unavailable \(disk full\)/),
      "error: pico-server-auth: the auth store is still unavailable (disk full), since 2026-12-06T03:00:00.000Z: 4 calls failed with 503 since the last line",
    ]);
  });

  it("a store that keeps failing and recovering logs at most one start (and its end) per minute", () => {
    const { log, lines, clock } = outageLog();
    for (let i = 0; i < 100; i++) {
      log.failed("familyOfRefresh", full);
      log.succeeded("familyOfRefresh");
      clock.now += 100;
    }
    expect(lines).toStrictEqual([expect.stringMatching(/^error: pico-server-auth: the auth store is unavailable /), expect.stringMatching(/^warn: pico-server-auth: the auth store works again, /)]);
    clock.now += OUTAGE_LOG_INTERVAL_MS;
    log.failed("familyOfRefresh", full);
    expect(lines[2]).toBe(
      "error: pico-server-auth: the auth store is unavailable (disk full): requests that need it answer 503 until it recovers (100 calls so far). Logged again when it recovers, and at most once a minute while it lasts",
    );
  });
});
