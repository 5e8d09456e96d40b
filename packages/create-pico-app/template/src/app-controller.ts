import { controller, get } from "pico-hono";
import { SecurityContext, requiresRole } from "pico-client-auth";
import { Greeter } from "./greeter.js";

/** Every route needs a valid bearer token, unless marked @allowAnonymous. */
@controller({ prefix: "/api", tags: ["API"] })
export class AppController {
  // Injected by type: tsc's emitDecoratorMetadata records `Greeter` as the parameter's type.
  constructor(private readonly greeter: Greeter) {}

  @requiresRole("admin")
  @get("/admin/dashboard")
  async adminDashboard() {
    return { message: this.greeter.welcome(SecurityContext.current().claims.sub) };
  }

  @get("/profile")
  async profile() {
    const ctx = SecurityContext.current();
    return { subject: ctx.claims.sub, role: ctx.claims.role };
  }
}
