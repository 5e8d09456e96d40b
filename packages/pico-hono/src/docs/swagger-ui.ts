import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Hono } from "hono";

/** The Swagger UI files the page needs, served from the swagger-ui-dist package: no CDN, works offline. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/**
 * The docs page's Content-Security-Policy: scripts and styles from this server only (no inline
 * script: the init code is a file of its own), images also from `data:` (Swagger UI's icons), calls
 * only to this server (the document, "Try it out"), and no one may frame it (clickjacking on the
 * Authorize dialog). `X-Frame-Options: DENY` says the same to browsers that predate frame-ancestors.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Serves the interactive docs page at `docsUrl`, reading `openapiUrl`. Assets are read on first request, then kept. */
export function mountSwaggerUi(hono: Hono, docsUrl: string, openapiUrl: string, title: string): string[] {
  const assetDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Promise<Uint8Array>>();
  const base = docsUrl.replace(/\/+$/, "");
  const page = pageHtml(base, title);
  const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(openapiUrl)}, dom_id: "#swagger-ui", deepLinking: true });\n`;

  const pageHeaders = { "content-security-policy": DOCS_CONTENT_SECURITY_POLICY, "x-frame-options": "DENY" };
  hono.get(docsUrl, (c) => c.html(page, 200, pageHeaders));
  // A separate script, not an inline one, so the page works under a strict Content-Security-Policy.
  hono.get(`${base}/swagger-ui-init.js`, (c) => c.body(init, 200, { "content-type": "text/javascript; charset=utf-8" }));
  for (const [file, type] of Object.entries(ASSETS)) {
    hono.get(`${base}/${file}`, async (c) => {
      let content = cache.get(file);
      if (!content) {
        content = readFile(join(assetDir, file));
        cache.set(file, content);
      }
      return c.body((await content) as Uint8Array<ArrayBuffer>, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
    });
  }
  return [docsUrl, `${base}/swagger-ui-init.js`, ...Object.keys(ASSETS).map((file) => `${base}/${file}`)];
}

function pageHtml(base: string, title: string): string {
  const safeTitle = escapeHtml(`${title} - API docs`);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${safeTitle}</title>
  <link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
  <link rel="stylesheet" href="${base}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${base}/swagger-ui-bundle.js"></script>
  <script src="${base}/swagger-ui-init.js"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
