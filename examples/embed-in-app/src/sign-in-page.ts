import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Hono } from "hono";
import { WEB_EXTENSION } from "pico-hono";
import type { WebExtension } from "pico-hono";
import { component } from "pico-ioc";

const PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));
const PAGE_FILES: Record<string, string> = { "/app.js": "app.js", "/style.css": "style.css" };
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

/** On every file of the page: no MIME sniffing (a script is only run as one), no Referer leaving the page. */
const STATIC_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

/**
 * The page's Content-Security-Policy: scripts only from this server, plus the inline import map,
 * allowed by the SHA-256 of its exact text (no 'unsafe-inline'); nothing may frame the page.
 */
export function contentSecurityPolicy(html: string): string {
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => `'sha256-${createHash("sha256").update(m[1] ?? "", "utf8").digest("base64")}'`);
  return [
    "default-src 'none'",
    `script-src 'self' ${inline.join(" ")}`.trim(),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The sign-in page at `/`: static files, no build step, no CDN. The browser loads @noble/post-quantum
 * (and the two noble packages it imports) from this server through an import map, so ML-DSA-65 keys
 * are made and used in the browser; the key never leaves it. The HTML is read once, at boot, so the
 * hash of its import map in the Content-Security-Policy always matches the page served.
 */
@component({ provides: WEB_EXTENSION })
export class SignInPage implements WebExtension {
  configureApp(app: Hono): void {
    const html = readFileSync(join(PUBLIC_DIR, "index.html"));
    const htmlHeaders = { ...STATIC_HEADERS, "content-type": TYPES.html as string, "cache-control": "no-cache", "content-security-policy": contentSecurityPolicy(html.toString("utf8")), "x-frame-options": "DENY" };
    app.get("/", (c) => c.body(html, 200, htmlHeaders));
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
    return c.body(body, 200, { ...STATIC_HEADERS, "content-type": TYPES[path.split(".").pop() ?? ""] ?? "application/octet-stream", "cache-control": "no-cache" });
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
