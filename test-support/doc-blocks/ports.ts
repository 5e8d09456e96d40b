import { createServer } from "node:http";
import type { Server } from "node:http";
import { freePort } from "../ports.js";
import type { DocCommand } from "./commands.js";

/**
 * The ports a page's servers listen on as the page shows them (8100, 8200...): every `:PORT` in a
 * server line's "listens on" comment, every `NAME_PORT=PORT` / `PORT=PORT` its command sets, and
 * `defaults`, the ports servers take when no command sets one. Ports the page only connects to (a
 * database's 5432) are not among them: they are the machine's, and stay as written.
 */
export function documentedPorts(commands: readonly DocCommand[], defaults: Iterable<number>): number[] {
  const ports = new Set(defaults);
  for (const { command, comment, server } of commands) {
    if (!server) continue;
    for (const m of comment.matchAll(/:(\d{2,5})\b/g)) ports.add(Number(m[1]));
    for (const m of command.matchAll(/\b(?:[A-Z][A-Z0-9_]*_)?PORT=(\d{2,5})\b/g)) ports.add(Number(m[1]));
  }
  return [...ports].sort((a, b) => a - b);
}

/** A distinct free port of 127.0.0.1 for each documented port: where this run of a page listens instead. */
export async function standInPorts(documented: readonly number[]): Promise<Map<number, number>> {
  const ports = new Map<number, number>();
  const taken = new Set<number>();
  for (const port of documented) {
    let standIn = await freePort();
    // A port closed a moment ago can come back from the next bind to port 0.
    while (taken.has(standIn)) standIn = await freePort();
    taken.add(standIn);
    ports.set(port, standIn);
  }
  return ports;
}

/** `text` with every documented port, as a whole number, replaced by its stand-in. */
export function withStandIns(text: string, ports: ReadonlyMap<number, number>): string {
  if (ports.size === 0) return text;
  const pattern = new RegExp(`(?<![\\w.])(${[...ports.keys()].join("|")})(?![\\w])`, "g");
  return text.replace(pattern, (port) => String(ports.get(Number(port))));
}

/** How a failure message names the ports of a run: `8100→41623, 8200→39011`. */
export const describePorts = (ports: ReadonlyMap<number, number>): string => [...ports].map(([documented, standIn]) => `${documented}→${standIn}`).join(", ");

/**
 * Listens on each port of 127.0.0.1 and ::1 and answers every request with a 503 naming it, so that
 * a page run that used a documented port instead of its stand-in fails: its server cannot bind the
 * port, and its curl gets the 503. A port another process already holds is left to it: it is taken
 * either way. Resolves to the function that closes them.
 */
export async function holdPorts(ports: readonly number[]): Promise<() => Promise<void>> {
  const servers: Server[] = [];
  for (const port of ports) {
    for (const host of ["127.0.0.1", "::1"]) {
      const server = createServer((_req, res) => {
        res.writeHead(503, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ detail: `port ${port} is held by the docs tests (test-support/doc-blocks/ports.ts): a page's command reached the documented port, not its run's stand-in` }));
      });
      const listening = await new Promise<boolean>((resolve, reject) => {
        server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" || error.code === "EADDRNOTAVAIL" ? resolve(false) : reject(error)));
        server.listen({ port, host, exclusive: true }, () => resolve(true));
      });
      if (listening) servers.push(server);
    }
  }
  return async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()).closeAllConnections())));
  };
}
