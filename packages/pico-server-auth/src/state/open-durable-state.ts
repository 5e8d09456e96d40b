import type { Logger, Metrics } from "pico-ioc";
import type { ServerAuthSettings } from "../settings.js";
import { instrumentState, storeDuration } from "../store/instrument-port.js";
import { StoreOutageLog } from "../store/outage-log.js";
import type { DurableState } from "./durable-state.js";

/**
 * The backend `server_auth.store` names, with every port instrumented (latency histogram, outage
 * log). SQLite's native addon and PostgreSQL's client are imported only when used.
 */
export async function openDurableState(settings: ServerAuthSettings, logger: Logger, metrics: Metrics): Promise<DurableState> {
  const state = await openBackend(settings, logger);
  return instrumentState(state, { duration: storeDuration(metrics), outages: new StoreOutageLog(logger) });
}

async function openBackend(settings: ServerAuthSettings, logger: Logger): Promise<DurableState> {
  switch (settings.store) {
    case "memory": {
      logger.warn("pico-server-auth: server_auth.store is memory: signing keys, wallet bindings and sessions are lost on restart");
      const { memoryState } = await import("../store/memory-store.js");
      return memoryState();
    }
    case "postgres":
      return openPostgres(settings, logger);
    default: {
      const { openSqliteState } = await import("../store/sqlite-state.js");
      return openSqliteState(settings, logger);
    }
  }
}

/**
 * The PostgreSQL backend (src/state/postgres, subpath pico-server-auth/postgres), loaded only for
 * store: postgres; the settings check has made sure postgres_url is set and well formed by then.
 */
async function openPostgres(settings: ServerAuthSettings, logger: Logger): Promise<DurableState> {
  const { openPostgresState } = await import("./postgres/index.js");
  return openPostgresState(settings, logger);
}
