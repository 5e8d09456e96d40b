import { UsageError } from "./errors.js";

export const USAGE = `Usage: create-pico-app <directory> [--packages <folder of .tgz files>]

Makes a new pico app in <directory> (created; it must not exist or be empty); the package is named
after the directory's last segment.

  --packages <folder>  take the pico packages from the tarballs in <folder> (as \`pnpm pack\` makes them
                       in the repository) instead of the npm registry: for unreleased builds
  -h, --help           print this help
`;

export interface CliArguments {
  readonly directory: string;
  readonly packages?: string;
}

/** The command line, or `"help"`; a UsageError for anything else than one directory and the options above. */
export function parseArguments(argv: readonly string[]): CliArguments | "help" {
  const positional: string[] = [];
  let packages: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--packages" || arg.startsWith("--packages=")) {
      const value = arg === "--packages" ? argv[++i] : arg.slice("--packages=".length);
      if (!value) throw new UsageError("--packages needs a folder of .tgz files");
      packages = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length === 0) throw new UsageError("missing the app's directory, e.g. create-pico-app my-app");
  if (positional.length > 1) throw new UsageError(`one directory expected, got ${positional.map((p) => JSON.stringify(p)).join(", ")}`);
  return { directory: positional[0] as string, ...(packages === undefined ? {} : { packages }) };
}

/**
 * Why `name` cannot name the app's package, or undefined when it can. npm's rules for a new
 * package (lower case letters, digits, ".", "_" and "-", no leading dot or underscore, at most 214 characters), and not a
 * pico package's name: the app loads itself by its name, so it must not shadow a dependency.
 */
export function invalidAppName(name: string, reserved: readonly string[]): string | undefined {
  if (name.length === 0 || name.length > 214) return "a package name has 1 to 214 characters";
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) return "a package name is lower case letters, digits and . _ -, starting with a letter or a digit";
  if (name === "node_modules" || name === "favicon.ico") return `"${name}" is reserved by npm`;
  if (reserved.includes(name)) return `"${name}" is the name of a pico package the app depends on`;
  return undefined;
}
