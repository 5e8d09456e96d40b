/**
 * V8's on-disk compile cache for an application's entry point, where the runtime has one
 * (`module.enableCompileCache`, Node >= 22.1). A program's main imports this module alone, calls
 * `enableCompileCache()`, then imports the rest of the program dynamically: every module compiled
 * after the call (pico's ~300, hono, tsyringe, ...) is then read from the cache on the next start.
 * The call must come before those imports: ESM compiles the whole static import graph of a file
 * before running any of it, so a main that imports `pico-boot` statically is compiled uncached.
 *
 * Kept free of imports besides `node:module`, so importing it costs nothing.
 */
import module from "node:module";

/** What `enableCompileCache` did; `unsupported` on a runtime without the API (Node 20). */
export type CompileCacheStatus = "enabled" | "already-enabled" | "disabled" | "failed" | "unsupported";

export interface CompileCacheResult {
  readonly status: CompileCacheStatus;
  /** The cache directory, when enabled. */
  readonly directory?: string;
  /** Node's reason, when it failed (for instance a directory it cannot write). */
  readonly message?: string;
}

interface NodeCompileCache {
  enableCompileCache?: () => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: Record<string, number> };
}

const node = module as unknown as NodeCompileCache;

/**
 * Turns the compile cache on for this process, in Node's own place: `NODE_COMPILE_CACHE` when set,
 * otherwise `<os temp dir>/node-compile-cache`, which is writable wherever the app runs and never
 * inside an installed package. `NODE_DISABLE_COMPILE_CACHE=1` turns it off (`disabled`). Never
 * throws: a cache that cannot be written costs the start its speed, not the start itself (`failed`).
 */
export function enableCompileCache(): CompileCacheResult {
  if (typeof node.enableCompileCache !== "function") return { status: "unsupported" };
  let result: ReturnType<NonNullable<NodeCompileCache["enableCompileCache"]>>;
  try {
    result = node.enableCompileCache();
  } catch (error) {
    return { status: "failed", message: error instanceof Error ? error.message : String(error) };
  }
  const names = node.constants?.compileCacheStatus ?? {};
  const name = Object.keys(names).find((key) => names[key] === result.status);
  const status: CompileCacheStatus = name === "ENABLED" ? "enabled" : name === "ALREADY_ENABLED" ? "already-enabled" : name === "DISABLED" ? "disabled" : "failed";
  return {
    status,
    ...(result.directory !== undefined ? { directory: result.directory } : {}),
    ...(result.message !== undefined ? { message: result.message } : {}),
  };
}

/**
 * Writes what was compiled so far to the cache now (Node >= 22.10), rather than at exit only: a
 * process that is killed (SIGKILL, a crash) never reaches exit, and its next start would compile
 * everything again. A no-op without the API or with the cache off, and cheap when nothing is new.
 */
export function flushCompileCache(): void {
  try {
    node.flushCompileCache?.();
  } catch {
    // Only speed is at stake: the next start compiles what the cache lacks.
  }
}
