import { spawnSync } from "node:child_process";
import { Agent } from "node:http";
import { call } from "./http.js";
import type { Answer, CallOptions } from "./http.js";

/**
 * The process that holds the server side (`server`, host:port) of the connection from `client`
 * (host:port), as Linux's `ss` shows it: with node:cluster the primary accepts and hands the socket
 * to a worker, so this tells which worker answered, without the app having to say.
 */
export function acceptingPid(server: string, client: string, primaryPid: number): number {
  const { stdout, stderr, status } = spawnSync("ss", ["-Htnp", "state", "established", `( src ${server} and dst ${client} )`], { encoding: "utf8" });
  if (status !== 0) throw new Error(`ss: ${stderr}`);
  const holders = [...stdout.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  const [pid] = new Set(holders.filter((holder) => holder !== primaryPid));
  if (pid === undefined) {
    throw new Error(holders.includes(primaryPid) ? `the program's own process (${primaryPid}) answered: it runs no workers` : `no process holds ${server} ← ${client}:\n${stdout}`);
  }
  return pid;
}

/**
 * One request on a connection of its own, kept open until the process that accepted it is known:
 * the answer and that process's pid.
 */
export async function callWithPid<T = unknown>(base: string, path: string, primaryPid: number, options: CallOptions = {}): Promise<Answer<T> & { readonly pid: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const answer = await call<T>(base, path, { ...options, agent });
    return { ...answer, pid: acceptingPid(new URL(base).host, `${answer.localAddress}:${answer.localPort}`, primaryPid) };
  } finally {
    agent.destroy();
  }
}
