import { component, createToken, injectAll } from "pico-ioc";
import type { RefreshFamily } from "../store/auth-store.js";

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
  /** The credential's stamp now; undefined when signing in with it is no longer possible. */
  current(): Promise<string | undefined>;
}

export const CREDENTIAL_STAMPS = createToken<CredentialStamp>("CredentialStamp");

/** The stamps of every role that has one; roles without (wallets) are never stamped. */
@component()
export class SessionStamps {
  readonly #byRole: ReadonlyMap<string, CredentialStamp>;

  constructor(@injectAll(CREDENTIAL_STAMPS) stamps: CredentialStamp[]) {
    this.#byRole = new Map(stamps.map((s) => [s.role, s]));
  }

  /** What a new session of `role` records. */
  async stampFor(role: string): Promise<string | undefined> {
    return this.#byRole.get(role)?.current();
  }

  /** Undefined while the credential `family` began with still holds; else the 401 detail to end it with. */
  async changed(family: RefreshFamily): Promise<string | undefined> {
    const source = this.#byRole.get(family.role);
    if (!source) return undefined;
    const now = await source.current();
    return now !== undefined && now === family.stamp ? undefined : source.changedDetail;
  }
}
