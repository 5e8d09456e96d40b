import { controller, get } from "pico-hono";
import { SecurityContext, requiresRole } from "pico-client-auth";

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
    return {
      subject: ctx.claims.sub,
      role: ctx.claims.role,
    };
  }
}
