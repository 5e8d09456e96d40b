import { HarnessError } from "./harness-error.js";

export interface Options {
  readonly seconds: number;
  readonly maxRequests: number;
  readonly concurrency: number;
}

export function parseOptions(argv: readonly string[]): Options {
  const options = { seconds: 60, maxRequests: 1_000_000, concurrency: 8 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") continue;
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    const key = { "--seconds": "seconds", "--max-requests": "maxRequests", "--concurrency": "concurrency" }[name] as keyof typeof options | undefined;
    if (!key) throw new HarnessError(`unknown option ${arg}; usage: pnpm soak [--seconds N] [--max-requests M] [--concurrency C]`);
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new HarnessError(`${name} needs a positive integer`);
    options[key] = value;
  }
  if (options.seconds > 3_600) throw new HarnessError("--seconds is at most 3600: the soak is bounded");
  return options;
}
