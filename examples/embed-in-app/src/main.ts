// The entry point. It enables V8's compile cache (Node >= 22.1; nothing on Node 20) before anything
// else is loaded, then loads the application: ESM compiles a file's whole static import graph
// before running it, so the app's modules must come through a dynamic import to use the cache.
import { enableCompileCache } from "pico-boot/compile-cache";

enableCompileCache();
await import("./app.js");
