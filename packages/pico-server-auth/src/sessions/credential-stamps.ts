import { component, createToken, injectAll } from "pico-ioc";
import type { RefreshFamily } from "./session-store.js";

/**
 * A credential that the sessions of one role follow: a session records the credential's stamp when it
 * begins, and dies at its next refresh (or admin request) once the stamp is another one or gone.
 * Provide more with `@component({ provides: CREDENTIAL_STAMPS })`.
 */
export interface CredentialStamp {
  /** The role of the sessions that follow this credential. */
  readonly role: string;
  /** The `detail` of the 401 a session of this role gets once its credential changed. */
  readonly changedDetail: string;
  /**
   * Whether a session of this role that recorded no stamp (started before the role had one) lives on;
   * false (the default): it ends at its next refresh.
   */
  readonly keepsUnstamped?: boolean;
  /** The stamp of the credential of `sub` (the session's subject) now; undefined when signing in with it is no longer possible. */
  current(sub: string): Promise<string | undefined>;
}

export const CREDENTIAL_STAMPS = createToken<CredentialStamp>("CredentialStamp");

/** The stamps of every role that has one (admin: the account; wallet: the key the address is bound to); roles without are never stamped. */
@component()
export class SessionStamps {
  readonly #byRole: ReadonlyMap<string, CredentialStamp>;

  constructor(@injectAll(CREDENTIAL_STAMPS) stamps: CredentialStamp[]) {
    this.#byRole = new Map(stamps.map((s) => [s.role, s]));
  }

  /** What a new session of `role` for `sub` records, when its sign-in names no stamp of its own: the credential's current one. */
  async stampFor(role: string, sub: string): Promise<string | undefined> {
    return this.#byRole.get(role)?.current(sub);
  }

  /** Undefined while the credential `family` began with still holds; else the 401 detail to end it with. */
  async changed(family: Pick<RefreshFamily, "role" | "sub" | "stamp">): Promise<string | undefined> {
    const source = this.#byRole.get(family.role);
    if (!source || (family.stamp === undefined && source.keepsUnstamped)) return undefined;
    const now = await source.current(family.sub);
    return now !== undefined && now === family.stamp ? undefined : source.changedDetail;
  }
}
