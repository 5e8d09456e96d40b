import { LOGGER, component, inject } from "pico-ioc";
import type { Logger, OnDestroy, OnInit } from "pico-ioc";
import { GreetingSettings } from "./greeting-settings.js";

@component()
export class GreetingService implements OnInit, OnDestroy {
  #greeted = 0;

  constructor(
    private readonly settings: GreetingSettings,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  onInit(): void {
    this.logger.info(`hello: GreetingService ready (greeting "${this.settings.greeting}")`);
  }

  greet(name: string): { message: string; count: number } {
    this.#greeted += 1;
    return { message: `${this.settings.greeting}, ${name}!`, count: this.#greeted };
  }

  onDestroy(): void {
    this.logger.info(`hello: GreetingService destroyed after ${this.#greeted} greetings`);
  }
}
