/**
 * One server of nosniff-cost.mjs: the seed app (examples/embed-in-app, built), served the way
 * pico-boot's listen() serves it, with X-Content-Type-Options set by VARIANT:
 *   none       — not at all (the floor);
 *   listener   — one res.setHeader in a wrapper of Node's request listener (what pico-boot does);
 *   middleware — an app-wide Hono middleware setting it after the route (`await next(); c.header(...)`),
 *                as hono/secure-headers does: covers every response;
 *   fetch      — a wrapper of the app's fetch setting it on the Response Hono returns (headers.set);
 *   middleware-before — one setting it before the route (`c.header(...); return next()`): cheaper,
 *                but lost on routes that return a Response of their own.
 * Prints the port once listening.
 */
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { Application } from "pico-boot";
import { WEB_EXTENSION } from "pico-hono";
import { component } from "pico-ioc";

const root = fileURLToPath(new URL("../../examples/embed-in-app/", import.meta.url));
const { seedConfig } = await import(new URL("dist/config.js", `file://${root}`).href);
const variant = process.env.VARIANT;
const env = { SERVER_AUTH__ADMIN_PASSWORD: "bench-password-123", SERVER_AUTH__STORE: "memory" };

class NosniffMiddleware {
  configureApp(app) {
    app.use(async (c, next) => {
      await next();
      c.header("X-Content-Type-Options", "nosniff");
    });
  }
}
component({ provides: WEB_EXTENSION })(NosniffMiddleware);
class NosniffBefore {
  configureApp(app) {
    app.use((c, next) => {
      c.header("X-Content-Type-Options", "nosniff");
      return next();
    });
  }
}
component({ provides: WEB_EXTENSION })(NosniffBefore);

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
// VARIANT=cors: web.cors_origins set (the client then sends, or not, an Origin), nosniff as pico-boot sets it.
const config = { ...seedConfig(env).config, ...(variant === "cors" ? { web: { cors_origins: ["https://spa.example"] } } : {}) };
const app = new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config, root, env, logger: quiet, components: variant === "middleware" ? [NosniffMiddleware] : variant === "middleware-before" ? [NosniffBefore] : [] });
await app.init();
const addNosniff = (res) => {
  try {
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set("X-Content-Type-Options", "nosniff");
    return copy;
  }
};
const fetchWithNosniff = (req, env) => {
  const res = app.hono.fetch(req, env);
  return res instanceof Promise ? res.then(addNosniff) : addNosniff(res);
};
const toHono = getRequestListener(variant === "fetch" ? fetchWithNosniff : app.hono.fetch);
const listener =
  variant === "listener" || variant === "cors"
    ? (req, res) => {
        res.setHeader("X-Content-Type-Options", "nosniff");
        return toHono(req, res);
      }
    : toHono;
const server = createServer({ requireHostHeader: false }, listener);
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
