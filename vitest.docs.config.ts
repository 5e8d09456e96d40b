import { defineConfig } from "vitest/config";

// The Markdown code blocks run after every other test, on their own: they run the documented install
// and build commands, and start servers (on free ports standing in for the documented 8100, 8200...).
export default defineConfig({
  test: {
    include: ["test/docs.test.ts"],
    fileParallelism: false,
    testTimeout: 20_000,
    // As in vitest.config.ts: what the pages put in the temp dir goes in one folder, removed at the end.
    globalSetup: ["test-support/temp-root.ts"],
  },
});
