import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { docCommands } from "../../test-support/doc-blocks/commands.js";
import { documentedPorts, holdPorts, standInPorts, withStandIns } from "../../test-support/doc-blocks/ports.js";
import { freePort } from "../../test-support/ports.js";

// The docs runner (test/docs.test.ts) runs each page on free ports in place of the ones it shows.

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });

describe("the ports a page documents", () => {
  it("are what its servers listen on or set, and the defaults; not what its commands only connect to", () => {
    const page = [
      "SERVER_AUTH__POSTGRES_URL=postgres://127.0.0.1:5432/app node a.js   # listens on 127.0.0.1:8100",
      "curl -s localhost:8100/x -H 'x: 127.0.0.1:6379'   # {}",
      "AUTH_PORT=9100 API_PORT=9200 node b.js   # listens on 127.0.0.1:9100 (auth) and :9200 (API)",
      "PORT=8101 node c.js   # listens on its port",
      "redis-cli -p 6380 ping",
    ].join("\n");
    expect(documentedPorts(docCommands(page, 1), [8100, 8200])).toEqual([8100, 8101, 8200, 9100, 9200]);
  });

  it("are replaced as whole numbers, wherever they stand; other numbers stay", () => {
    const ports = new Map([
      [8100, 41001],
      [8200, 41002],
    ]);
    const text = `PORT=8100 curl http://localhost:8100/a "127.0.0.1:8200" issuer: "http://[::1]:8100"
18100 81000 8100a 0x8100 v1.8100 5432 8100.`;
    expect(withStandIns(text, ports)).toBe(`PORT=41001 curl http://localhost:41001/a "127.0.0.1:41002" issuer: "http://[::1]:41001"
18100 81000 8100a 0x8100 v1.8100 5432 41001.`);
    expect(withStandIns(text, new Map())).toBe(text);
  });

  it("get distinct free stand-ins", async () => {
    const ports = await standInPorts([8100, 8101, 8200, 9100, 9200]);
    const standIns = [...ports.values()];
    expect([...ports.keys()]).toEqual([8100, 8101, 8200, 9100, 9200]);
    expect(new Set(standIns).size).toBe(5);
    expect(await Promise.all(standIns.map(bindable))).toEqual([true, true, true, true, true]);
  });
});

describe("holding the documented ports while the pages run", () => {
  it("nobody else can listen there, a request gets a 503 naming the port, and the release frees it", async () => {
    const port = await freePort();
    const release = await holdPorts([port]);
    try {
      expect(await bindable(port)).toBe(false);
      const res = await fetch(`http://127.0.0.1:${port}/api/profile`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { detail: string }).detail).toContain(`port ${port} is held by the docs tests`);
    } finally {
      await release();
    }
    expect(await bindable(port)).toBe(true);
  });

  it("a port another process already holds is left to it", async () => {
    const other = createServer();
    const port = await new Promise<number>((resolve) => other.listen(0, "127.0.0.1", () => resolve((other.address() as { port: number }).port)));
    try {
      const release = await holdPorts([port]);
      await release();
      expect(other.listening).toBe(true);
    } finally {
      other.close();
    }
  });
});
