import { fileURLToPath } from "node:url";
import { Application } from "pico-boot";
import type { Constructor } from "pico-ioc";
import { SecurityContext } from "pico-client-auth";
import { controller, get } from "pico-hono";
import { bearer, quiet } from "../../packages/pico-client-auth/test/app.js";
import type { StandInIdp } from "../../test-support/stand-in-idp.js";

/** The workspace root: its dev dependencies include every package, so module names resolve from here. */
export const workspaceRoot = fileURLToPath(new URL("../..", import.meta.url));

// Not a literal list: the config below is then checked at boot only, so these tests can name settings
// (role_claims, ...) before the AuthClientSettings of the branch they run on declares them.
const CLIENT_MODULES: string[] = ["pico_client_auth"];

/** What the API service saw of the caller: the identity pico-client-auth built from the token. */
export interface Seen {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
}

@controller({ prefix: "/api" })
export class WhoAmI {
  @get("/me")
  me(): Seen {
    const { claims, roles, groups, scopes } = SecurityContext.current();
    return { sub: claims.sub, roles, groups, scopes };
  }
}

/**
 * An API service in front of the stand-in IdP: a real Application with pico_client_auth and the
 * given controllers. `jwks_url` is the IdP's, unless `discover` leaves it unset.
 */
export function apiFor(idp: StandInIdp, authClient: Record<string, unknown> = {}, { discover = false, components = [WhoAmI] as Constructor[] } = {}): Application {
  return new Application({
    moduleNames: CLIENT_MODULES,
    root: workspaceRoot,
    autoPlugins: false,
    env: {},
    envFile: false,
    logger: quiet,
    components,
    config: {
      auth_client: { issuer: idp.urls.issuer, audience: idp.audience, ...(discover ? {} : { jwks_url: idp.urls.jwks }), ...authClient },
    },
  });
}

export { bearer, quiet };

/** Status and JSON body of GET `path` with `token`. */
export async function call(app: Application, path: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.request(path, bearer(token));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
