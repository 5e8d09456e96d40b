import { component } from "pico-ioc";
import { AdminLogin } from "../login/admin-login.js";
import { CREDENTIAL_STAMPS } from "./credential-stamps.js";
import type { CredentialStamp } from "./credential-stamps.js";

/** Admin sessions follow the admin account: a new password, or admin login turned off, ends them. */
@component({ provides: CREDENTIAL_STAMPS })
export class AdminSessionStamp implements CredentialStamp {
  readonly role = "admin";
  readonly changedDetail = "admin credentials changed or admin login disabled; sign in again";

  constructor(private readonly login: AdminLogin) {}

  /** One admin account: the subject does not matter. */
  current(): Promise<string | undefined> {
    return this.login.currentStamp();
  }
}
