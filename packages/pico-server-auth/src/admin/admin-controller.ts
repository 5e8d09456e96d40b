import { RequestContext, controller, del, post } from "pico-hono";
import { inject } from "pico-ioc";
import { badRequest, notFound } from "../errors.js";
import { allowAnonymous, jsonObject, noStore } from "../http-input.js";
import { Sessions } from "../sessions/sessions.js";
import { ADDRESS_BINDINGS } from "../bindings/address-bindings.js";
import type { AddressBindings } from "../bindings/address-bindings.js";
import { AdminBearer } from "./admin-bearer.js";
import { REVOKE_SESSIONS_DOCS, STORE_DOWN, UNBIND_DOCS } from "../openapi-docs.js";

/** A subject is a wallet address (up to 128 characters) or the admin email (up to 320). */
const MAX_SUBJECT_LENGTH = 320;

/**
 * Admin-only routes. Public to pico-client-auth's guard: each checks the admin's access token itself
 * (AdminBearer), before it looks at anything else in the request.
 */
@allowAnonymous
@controller({ prefix: "/api/v1/auth/admin", tags: ["Auth admin"] })
export class AdminController {
  constructor(
    private readonly bearer: AdminBearer,
    private readonly sessions: Sessions,
    @inject(ADDRESS_BINDINGS) private readonly bindings: AddressBindings,
  ) {}

  @post("/sessions/revoke", {
    summary: "Ends every session of a subject (admin access token required)",
    responses: { ...STORE_DOWN, 400: "sub required", 401: "No valid admin access token", 403: "Not an admin" },
    openapi: REVOKE_SESSIONS_DOCS,
  })
  async revokeSessions(ctx: RequestContext) {
    await this.bearer.require(ctx);
    const { sub } = await jsonObject(ctx);
    if (typeof sub !== "string" || sub === "" || sub.length > MAX_SUBJECT_LENGTH) throw badRequest(`sub required: a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`);
    noStore(ctx);
    return { revoked: await this.sessions.revokeSubject(sub) };
  }

  @del("/bindings/:address", {
    summary: "Unbinds a wallet address from its key and ends the address's sessions (admin access token required)",
    responses: { ...STORE_DOWN, 401: "No valid admin access token", 403: "Not an admin", 404: "The address is not bound" },
    status: 204,
    openapi: UNBIND_DOCS,
  })
  async unbind(ctx: RequestContext<"/bindings/:address">): Promise<void> {
    await this.bearer.require(ctx);
    // Any case of a hex address finds it, as at sign-in; the sessions to end are those of the address as bound.
    const unbound = await this.bindings.unbind(ctx.params.address);
    if (unbound === undefined) throw notFound("address is not bound");
    // Whoever held the address must not keep using it through the sessions it already has. The
    // unbind is committed: ending them is retried, never a 5xx (an admin's retry would find no binding).
    await this.sessions.revokeSubjectEventually(unbound, undefined, "address_unbound");
  }
}
