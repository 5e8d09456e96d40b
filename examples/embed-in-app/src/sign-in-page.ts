import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Hono } from "hono";
import { WEB_EXTENSION } from "pico-hono";
import type { WebExtension } from "pico-hono";
import { component } from "pico-ioc";

const PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));
const PAGE_FILES: Record<string, string> = { "/": "index.html", "/app.js": "app.js", "/style.css": "style.css" };
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

/**
 * The sign-in page at `/`: static files, no build step, no CDN. The browser loads @noble/post-quantum
 * (and the two noble packages it imports) from this server through an import map, so ML-DSA-65 keys
 * are made and used in the browser; the key never leaves it.
 */
@component({ provides: WEB_EXTENSION })
export class SignInPage implements WebExtension {
  configureApp(app: Hono): void {
    for (const [path, file] of Object.entries(PAGE_FILES)) app.get(path, (c) => sendFile(c, join(PUBLIC_DIR, file)));
    for (const [name, dir] of Object.entries(nobleDirs())) {
      const prefix = `/vendor/@noble/${name}/`;
      app.get(`${prefix}*`, async (c) => {
        const file = c.req.path.slice(prefix.length);
        // A file name, or one sub-directory and a file name (noble's abstract/): no dot segments.
        if (!/^(?:[\w-][\w.-]*\/)?[\w-][\w.-]*\.js$/.test(file)) return new Response(JSON.stringify({ detail: "Not Found" }), { status: 404, headers: { "content-type": "application/json" } });
        return sendFile(c, join(dir, file));
      });
    }
  }
}

async function sendFile(c: Context, path: string): Promise<Response> {
  try {
    const body = await readFile(path);
    return c.body(body, 200, { "content-type": TYPES[path.split(".").pop() ?? ""] ?? "application/octet-stream", "cache-control": "no-cache" });
  } catch {
    return c.json({ detail: "Not Found" }, 404);
  }
}

/** Where the noble packages are installed (pnpm links the two inner ones under post-quantum's own node_modules). */
function nobleDirs(): Record<string, string> {
  const postQuantum = dirname(createRequire(import.meta.url).resolve("@noble/post-quantum/ml-dsa.js"));
  const inner = createRequire(join(postQuantum, "ml-dsa.js"));
  return {
    "post-quantum": postQuantum,
    hashes: dirname(inner.resolve("@noble/hashes/sha3.js")),
    curves: dirname(inner.resolve("@noble/curves/utils.js")),
  };
}
