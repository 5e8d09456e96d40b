import { component } from "pico-ioc";

/** A component: injected into AppController by its constructor's parameter type. */
@component()
export class Greeter {
  welcome(subject: string): string {
    return `Welcome, ${subject}`;
  }
}
