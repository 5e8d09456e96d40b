import { configured, setting } from "pico-ioc";

/**
 * The `web` config section (env: `WEB__TITLE`, `WEB__DOCS_URL`, ...).
 * An empty `docs_url` or `openapi_url` turns that endpoint off (no docs page without the document).
 */
@configured("web")
export class WebSettings {
  @setting({ description: "API title in the OpenAPI document and the docs page" })
  title: string = "pico-boot application";

  @setting({ description: "API version in the OpenAPI document" })
  version: string = "0.1.0";

  @setting({ type: "string", optional: true, description: "API description in the OpenAPI document (Markdown)" })
  description?: string;

  @setting({ type: "path", optional: true, description: 'Path of the interactive docs page; "" turns it off' })
  docsUrl: string = "/docs";

  @setting({ type: "path", optional: true, description: 'Path of the OpenAPI document; "" turns it (and the docs page) off' })
  openapiUrl: string = "/openapi.json";

  @setting({ type: "integer", min: 0, description: "Largest accepted request body, in bytes (413 above)" })
  bodyLimit: number = 1024 * 1024;

  @setting({
    type: "string[]",
    description: "Reverse proxies whose forwarded header is believed: addresses, CIDRs (10.0.0.0/8, fd00::/8) and names (loopback, private, uniquelocal, linklocal). None by default: the client is the TCP peer",
  })
  trustedProxies: string[] = [];

  @setting({
    choices: ["x-forwarded-for", "forwarded"],
    description: "The header the trusted proxies set (X-Forwarded-For, or RFC 7239 Forwarded); the other is ignored, as a proxy passes it on from the client unchanged",
  })
  forwardedHeader: string = "x-forwarded-for";

  @setting({
    type: "string[]",
    description: 'Origins allowed to call the API from a browser (CORS), exact, e.g. "https://app.example.com"; none by default',
  })
  corsOrigins: string[] = [];

  @setting({ description: "Serve GET /metrics (Prometheus text format) and count request durations; off costs nothing per request" })
  metrics: boolean = false;

  @setting({ type: "integer", min: 0, max: 65535, description: "Port of a separate listener for /metrics (same host); 0 serves it on the main port" })
  metricsPort: number = 0;

  @setting({ type: "string", optional: true, description: "Bearer token /metrics requires on the main port (only with metrics_port 0); unset: anonymous" })
  metricsBearer?: string;

  @setting({ type: "integer", min: 1, max: 60000, description: "How long each /readyz check may take before it counts as not ready, in ms" })
  readinessTimeoutMs: number = 2000;
}
