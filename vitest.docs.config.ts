import { defineConfig } from "vitest/config";

// The Markdown code blocks run after every other test, on their own: they start servers on the
// documented ports (8100, 8200) and run the documented install and build commands.
export default defineConfig({
  test: {
    include: ["test/docs.test.ts"],
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
