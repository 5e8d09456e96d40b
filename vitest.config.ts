import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "pico-source" condition, so tests run
// against src/ without a build. Node itself gets the same condition, so module names that
// Application resolves at run time (through Node's resolver) land on the same source files.
export default defineConfig({
  ssr: { resolve: { conditions: ["pico-source", ...defaultServerConditions] } },
  // Test files are outside the packages' build tsconfigs, so state the decorator settings here too:
  // legacy decorators with design:* metadata, exactly as tsc emits them in the build.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    execArgv: ["--conditions=pico-source"],
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "test/interop/**/*.test.ts", "test/runtimes/**/*.test.ts"],
    testTimeout: 20_000,
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
