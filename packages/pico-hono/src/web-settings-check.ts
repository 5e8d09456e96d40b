import { ConfigurationError } from "pico-ioc";
import type { ConfigProblem } from "pico-ioc";
import { trustedProxyProblems } from "./client/trusted-proxies.js";
import type { WebSettings } from "./web-settings.js";

/**
 * The `web` values that have the right type but cannot be used, all in one ConfigurationError, so
 * that a deployment with two of them wrong is fixed in one round. Run by whatever first needs the
 * section at boot: ClientAddresses (built with the container), and buildWebApp (an app without it).
 */
export function checkWebSettings(settings: WebSettings): void {
  const problems = [...trustedProxyProblems(settings.trustedProxies), ...metricsBearerProblems(settings)];
  if (problems.length > 0) throw new ConfigurationError(problems);
}

/** A bearer that would not be asked for (metrics on a port of their own) or that anyone could send (empty) is a mistake. */
function metricsBearerProblems(settings: WebSettings): ConfigProblem[] {
  const bearer = settings.metricsBearer;
  if (bearer === undefined) return [];
  if (bearer.trim() === "" || /\s/.test(bearer)) {
    return [{ path: "web.metrics_bearer", message: "expected a token without spaces (env WEB__METRICS_BEARER), got an empty or spaced value" }];
  }
  if (settings.metricsPort !== 0) {
    return [
      { path: "web.metrics_bearer", message: `is checked only on the main port, but web.metrics_port is ${settings.metricsPort}: protect that port at the network level and unset the bearer, or set metrics_port to 0` },
    ];
  }
  return [];
}
