import { createServer } from "node:net";

/** A port of 127.0.0.1 that was free a moment ago (and is closed now): for a server that must know its port before it starts, or for "nothing listens there". */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
