#!/usr/bin/env node
import { relative } from "node:path";
import { USAGE, parseArguments } from "./arguments.js";
import { UsageError } from "./errors.js";
import { scaffold } from "./scaffold.js";

try {
  const parsed = parseArguments(process.argv.slice(2));
  if (parsed === "help") {
    process.stdout.write(USAGE);
  } else {
    const { name, directory } = scaffold(parsed);
    const cd = relative(process.cwd(), directory) || ".";
    process.stdout.write(
      `Created ${name} in ${directory}. Next:\n\n` +
        `  cd ${cd}\n  npm install\n  npm test\n  SERVER_AUTH__ADMIN_PASSWORD='a long password' npm start   # http://127.0.0.1:8100\n\n` +
        `See README.md there (why the app builds with tsc, the routes, the settings).\n`,
    );
  }
} catch (error) {
  // A usage error is the caller's to fix: its message and exit code 2, no stack.
  if (error instanceof UsageError) {
    process.stderr.write(`create-pico-app: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw error;
}
