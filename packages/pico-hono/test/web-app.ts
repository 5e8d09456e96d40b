import { PicoContainer } from "pico-ioc";
import type { Constructor, Logger } from "pico-ioc";
import { buildWebApp, getControllerDefinition } from "../src/index.js";
import type { WebApp } from "../src/index.js";

export interface CapturingLogger extends Logger {
  readonly errors: unknown[][];
}

export function capturingLogger(): CapturingLogger {
  const errors: unknown[][] = [];
  return { debug: () => {}, info: () => {}, warn: () => {}, error: (...args: unknown[]) => void errors.push(args), errors };
}

/** A container of `components` and the web app of the controllers among them. */
export async function webApp(components: Constructor[], logger: Logger = capturingLogger()): Promise<WebApp & { container: PicoContainer }> {
  const container = await PicoContainer.create({ components });
  const controllers = components.filter((c) => getControllerDefinition(c) !== undefined);
  return { ...buildWebApp(container, controllers, logger), container };
}

export async function json(response: Response): Promise<unknown> {
  return response.json() as Promise<unknown>;
}
