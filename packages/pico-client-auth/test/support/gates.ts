/**
 * A controller with one route per requirement kind, for the claim-mapping tests: `/gates/role`
 * requires the role "admin", `/gates/group` the group "engineering", `/gates/scope` the scope
 * "orders:read"; `/gates/me` requires a token only and answers the identity's roles, groups, scopes.
 */
import { controller, get } from "pico-hono";
import { SecurityContext, requiresGroup, requiresRole, requiresScope } from "../../src/index.js";

@controller({ prefix: "/gates" })
export class Gates {
  @get("/me")
  me() {
    const { claims, roles, groups, scopes } = SecurityContext.current();
    return { sub: claims.sub, roles, groups, scopes };
  }

  @requiresRole("admin")
  @get("/role")
  role() {
    return "role";
  }

  @requiresGroup("engineering")
  @get("/group")
  group() {
    return "group";
  }

  @requiresScope("orders:read")
  @get("/scope")
  scope() {
    return "scope";
  }
}
