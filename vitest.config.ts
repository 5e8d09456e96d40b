import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "pico-source" condition, so tests run
// against src/ without a build. Node itself gets the same condition, so module names that
// Application resolves at run time (through Node's resolver) land on the same source files.
export default defineConfig({
  ssr: { resolve: { conditions: ["pico-source", ...defaultServerConditions] } },
  // Test files are outside the packages' build tsconfigs: Vite takes their options from
  // tsconfig.test.json through the root tsconfig.json's references (test/workspace pins that). The
  // decorator settings are stated here too: legacy decorators with design:* metadata, as tsc emits them.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    execArgv: ["--conditions=pico-source"],
    // test/<folder>/: interop, workspace, bench, runtimes; test/docs.test.ts runs under vitest.docs.config.ts.
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "test/*/**/*.test.ts"],
    testTimeout: 20_000,
    // Everything the tests put in the temp dir lands in one folder per run, removed at its end.
    globalSetup: ["test-support/temp-root.ts"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
