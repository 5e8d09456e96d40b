import { describe, expect, it } from "vitest";
import { checkStoreSharing } from "../src/config/store-sharing-check.js";
import { ServerAuthConfigurationError } from "../src/index.js";

describe("store: memory in a cluster worker", () => {
  it("fails boot, saying how many workers and what to use instead", () => {
    expect(() => checkStoreSharing("memory", { clusterWorker: true, workers: "2" })).toThrow(
      new ServerAuthConfigurationError(
        "server_auth.store = memory cannot be shared between processes, and this process is one of 2 workers (WORKERS, or run({ workers })): each would keep its own signing keys, sessions and admin. " +
          "Use store: sqlite (the default; workers share data_dir) or postgres, or run one process (WORKERS=1)",
      ),
    );
    expect(() => checkStoreSharing("memory", { clusterWorker: true })).toThrow("and this process is a cluster worker:");
  });

  it("is admitted in a process of its own, and every other store in a worker", () => {
    expect(() => checkStoreSharing("memory", { clusterWorker: false })).not.toThrow();
    for (const store of ["sqlite", "postgres"]) expect(() => checkStoreSharing(store, { clusterWorker: true, workers: "4" })).not.toThrow();
  });
});
