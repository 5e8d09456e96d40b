/**
 * A diagnostic floor for the cache-hit path: bare Hono doing what any framework with an ambient
 * request identity must do, and nothing else. `GET /profile` runs an async handler inside
 * `AsyncLocalStorage.run` (which, on Node 20, puts a hook on every promise of the process) and
 * answers from the store. A process of its own: the hooks would slow bare Hono's floor too.
 * `PORT` from the environment, 127.0.0.1 only.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const identity = new AsyncLocalStorage<{ readonly subject: string }>();
const app = new Hono();
app.get("/hello", (c) => c.json({ hello: "world" }));
app.get("/profile", (c) =>
  identity.run({ subject: (c.req.header("authorization") ?? "").slice(-8) }, async () => {
    const current = identity.getStore();
    return c.json({ subject: current?.subject, role: "admin" });
  }),
);

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
