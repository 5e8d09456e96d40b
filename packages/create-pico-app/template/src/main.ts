// The entry point. It turns on V8's compile cache (Node >= 22.1; nothing on Node 20) before anything
// else is loaded, then loads the app: ESM compiles a file's whole static import graph before running
// it, so the app's modules must come through a dynamic import to be read from the cache on the next
// start. The cache lives in NODE_COMPILE_CACHE, else in the OS temp dir (see pico-boot's docs).
import { enableCompileCache } from "pico-boot/compile-cache";

enableCompileCache();
await import("./app.js");
