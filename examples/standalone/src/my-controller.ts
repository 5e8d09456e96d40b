import { controller, get } from "pico-hono";
import { SecurityContext, requiresRole } from "pico-client-auth";

/** The API service's routes. Every route needs a valid token (pico-client-auth's guard); the dashboard also the admin role. */
@controller({ prefix: "/api", tags: ["API"] })
export class MyController {
  @requiresRole("admin")
  @get("/admin/dashboard")
  async adminDashboard() {
    const ctx = SecurityContext.current();
    return { message: `Welcome, ${ctx.claims.sub}` };
  }

  @get("/profile")
  async profile() {
    const ctx = SecurityContext.current();
    return { subject: ctx.claims.sub, role: ctx.claims.role };
  }
}
