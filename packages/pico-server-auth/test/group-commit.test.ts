import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { GroupCommit } from "../src/store/group-commit.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function database(): { path: string; db: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), "pico-group-commit-"));
  dirs.push(dir);
  const path = join(dir, "db.sqlite");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE t (v TEXT PRIMARY KEY) STRICT");
  return { path, db };
}

describe("GroupCommit", () => {
  it("runs the calls of one turn in one transaction, in order; a failing call is rolled back alone", async () => {
    const { path, db } = database();
    const other = new Database(path, { readonly: true });
    const commits = new GroupCommit(db);
    const insert = db.prepare<[string]>("INSERT INTO t (v) VALUES (?)");
    const seenByOther: number[] = [];
    const results = await Promise.allSettled([
      commits.run(() => insert.run("a").changes),
      commits.run(() => {
        // "a" is not committed yet: another connection cannot see it, so both calls share a transaction.
        seenByOther.push((other.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n);
        return db.inTransaction;
      }),
      commits.run(() => {
        insert.run("b");
        insert.run("a"); // duplicate: this call fails, and its "b" must go with it
      }),
      commits.run(() => (db.prepare("SELECT group_concat(v) AS vs FROM t").get() as { vs: string }).vs),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([1, true, "UNIQUE constraint failed: t.v", "a"]);
    expect(seenByOther).toEqual([0]);
    expect(other.prepare("SELECT v FROM t").all()).toEqual([{ v: "a" }]);
    other.close();
    db.close();
  });

  it("calls of later turns get a transaction of their own; a flush after close rejects them", async () => {
    const { db } = database();
    const commits = new GroupCommit(db);
    const insert = db.prepare<[string]>("INSERT INTO t (v) VALUES (?)");
    await commits.run(() => insert.run("first"));
    expect(db.inTransaction).toBe(false);
    await commits.run(() => insert.run("second"));
    const pending = commits.run(() => insert.run("third"));
    db.close();
    await expect(pending).rejects.toThrow("the database was closed before this call ran");
  });
});
