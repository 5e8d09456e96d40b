import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../src/index.js";
import { RestartBudget } from "../src/workers/restart-budget.js";
import { workerCount } from "../src/workers/worker-count.js";

describe("workerCount", () => {
  it("is 1 by default, the option when given, and WORKERS over the option", () => {
    expect(workerCount(undefined, {})).toBe(1);
    expect(workerCount(3, {})).toBe(3);
    expect(workerCount(3, { WORKERS: "2" })).toBe(2);
    expect(workerCount(3, { WORKERS: "" })).toBe(3);
  });

  it("0 is one per core", () => {
    expect(workerCount(0, {})).toBe(availableParallelism());
    expect(workerCount(undefined, { WORKERS: "0" })).toBe(availableParallelism());
  });

  it.each([
    [undefined, "-1", '"workers" expected an integer from 0 to 256 (0: one per core), got "-1" from WORKERS'],
    [undefined, "2.5", '"workers" expected an integer from 0 to 256 (0: one per core), got "2.5" from WORKERS'],
    [undefined, "257", '"workers" expected an integer from 0 to 256 (0: one per core), got "257" from WORKERS'],
    [1.5, undefined, '"workers" expected an integer from 0 to 256 (0: one per core), got 1.5 from the "workers" option of run()'],
    [Number.NaN, undefined, '"workers" expected an integer from 0 to 256 (0: one per core), got null from the "workers" option of run()'],
  ])("refuses option %s / WORKERS %s, naming where the value came from", (option, env, message) => {
    expect(() => workerCount(option, env === undefined ? {} : { WORKERS: env })).toThrow(new InvalidOptionsError(message));
  });
});

describe("RestartBudget", () => {
  it("doubles the delay with each death in the window, up to the cap, then refuses", () => {
    const budget = new RestartBudget({ maxRestarts: 5, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 1000 });
    expect([0, 1, 2, 3, 4].map((i) => budget.onDeath(i * 1000))).toEqual([100, 200, 400, 800, 1000]);
    expect(budget.onDeath(5000)).toBeUndefined();
  });

  it("forgets deaths older than the window", () => {
    const budget = new RestartBudget({ maxRestarts: 2, windowMs: 10_000, baseDelayMs: 100 });
    expect(budget.onDeath(0)).toBe(100);
    expect(budget.onDeath(1000)).toBe(200);
    expect(budget.onDeath(10_500)).toBe(200); // the death at 0 has left the window
    expect(budget.onDeath(10_600)).toBeUndefined(); // three within 10 s: 1000, 10 500, 10 600
  });
});
