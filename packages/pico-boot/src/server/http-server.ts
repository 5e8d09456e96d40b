import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { ListenError } from "../errors.js";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Stops accepting, lets in-flight requests finish, then closes what is left after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

export async function listen(hono: Hono, port: number, host: string): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: hono.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new ListenError(host, port, error)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host: address.address,
    close: (timeoutMs) => closeGracefully(server, timeoutMs),
  };
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // A keep-alive socket goes idle when its in-flight response ends; close it then, not at its keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 20);
    deadline.unref();
    sweep.unref();
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
