import { WebSettings } from "pico-hono";
import { bindSettings } from "pico-ioc";
import type { ConfigTree, Env } from "pico-ioc";

/**
 * The `web` section, bound before the container is, so that boot can decide what METRICS is (and
 * load prom-client only when it is wanted). `undefined` when the section is invalid: the container's
 * own binding then reports it together with every other problem.
 */
export function earlyWebSettings(config: ConfigTree, env: Env): WebSettings | undefined {
  try {
    const web = config.web;
    return bindSettings([WebSettings], web === undefined ? {} : { web }, env).get(WebSettings) as WebSettings;
  } catch {
    return undefined;
  }
}
