import { describe, expect, it } from "vitest";
import { PicoContainer } from "pico-ioc";
import { HTTPException, RequestContext, WebSettings, buildWebApp, controller, post } from "../src/index.js";
import type { ResponseFields } from "../src/index.js";
import { capturingLogger, json, webApp } from "./web-app.js";

/** An error of another package, exposed, that adds OAuth's fields to the body. */
class OAuthLikeError extends Error {
  readonly status = 400;
  readonly expose = true;
  readonly responseFields: ResponseFields = { error: "invalid_grant", error_description: "expired", detail: "overridden?" };
}

@controller({ prefix: "/f" })
class Forms {
  @post("/token")
  async token(ctx: RequestContext) {
    return { fields: await ctx.formOrJson() };
  }
  @post("/json")
  async json(ctx: RequestContext) {
    return ctx.json();
  }
  @post("/oauth")
  oauth() {
    throw new OAuthLikeError("the subject token has expired");
  }
  @post("/http")
  http() {
    throw new HTTPException(400, "bad scope", { responseFields: { error: "invalid_scope", detail: "ignored", count: 3 as unknown as string } });
  }
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_TYPE = { "content-type": "application/json" };

async function postTo(path: string, body: string | undefined, headers: Record<string, string>): Promise<[number, unknown]> {
  const { hono } = await webApp([Forms]);
  const res = await hono.request(path, { method: "POST", ...(body !== undefined && { body }), headers });
  return [res.status, await json(res)];
}

describe("RequestContext.formOrJson()", () => {
  it("reads a form: percent-decoding, + as a space, charset parameter allowed", async () => {
    const body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&scope=profile:read+billing:*&empty=";
    expect(await postTo("/f/token", body, { "content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8" })).toEqual([
      200,
      { fields: { grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", scope: "profile:read billing:*", empty: "" } },
    ]);
  });

  it("reads a JSON object of strings", async () => {
    expect(await postTo("/f/token", '{"scope": "a b", "actor": "bot"}', JSON_TYPE)).toEqual([200, { fields: { scope: "a b", actor: "bot" } }]);
  });

  it("keeps a __proto__ field as a field", async () => {
    expect(await postTo("/f/token", "__proto__=x&a=1", FORM)).toEqual([200, { fields: { ["__proto__"]: "x", a: "1" } }]);
  });

  it("refuses a repeated form parameter (RFC 6749 §3.2)", async () => {
    expect(await postTo("/f/token", "scope=a&actor=b&scope=c", FORM)).toEqual([
      400,
      { detail: 'Form parameter "scope" is repeated: each parameter may appear once (RFC 6749 §3.2)' },
    ]);
  });

  it.each([
    ['["a"]', "Expected a JSON object body, got an array"],
    ["null", "Expected a JSON object body, got null"],
    ['"text"', 'Expected a JSON object body, got "text"'],
    ['{"scope": ["a", "b"]}', 'JSON body field "scope" expected a string, got an array'],
    ['{"spend_limit": 10}', 'JSON body field "spend_limit" expected a string, got 10'],
    ['{"a": null}', 'JSON body field "a" expected a string, got null'],
  ])("refuses the JSON body %s with a 400 naming the problem", async (body, detail) => {
    expect(await postTo("/f/token", body, JSON_TYPE)).toEqual([400, { detail }]);
  });

  it("400 for malformed JSON and for an empty body", async () => {
    const [status, body] = await postTo("/f/token", "{oops", JSON_TYPE);
    expect([status, (body as { detail: string }).detail]).toEqual([400, expect.stringMatching(/^Malformed JSON body: /)]);
    expect(await postTo("/f/token", undefined, FORM)).toEqual([400, { detail: "Expected a form or JSON body, got an empty body" }]);
  });

  it("415 for any other content type, naming both accepted types", async () => {
    const both = "Expected a form body (Content-Type: application/x-www-form-urlencoded) or a JSON body (Content-Type: application/json)";
    expect(await postTo("/f/token", "a=1", { "content-type": "text/plain" })).toEqual([415, { detail: `${both}, got "text/plain"` }]);
    expect(await postTo("/f/token", "a=1", { "content-type": "multipart/form-data; boundary=x" })).toEqual([415, { detail: `${both}, got "multipart/form-data; boundary=x"` }]);
    expect(await postTo("/f/token", "a=1", {})).toEqual([415, { detail: `${both}, got "text/plain;charset=UTF-8"` }]);
  });

  it("leaves json() as it was: a form is still a 415 there", async () => {
    expect(await postTo("/f/json", "a=1", FORM)).toEqual([415, { detail: 'Expected a JSON body (Content-Type: application/json), got "application/x-www-form-urlencoded"' }]);
  });

  it("keeps the body limit, counted or declared", async () => {
    const container = await PicoContainer.create({ components: [WebSettings, Forms], config: { web: { body_limit: 64 } }, env: {} });
    const { hono } = buildWebApp(container, [Forms], capturingLogger());
    const send = (body: string) => hono.request("/f/token", { method: "POST", body, headers: FORM });
    expect((await send(`a=${"x".repeat(60)}`)).status).toBe(200);
    const res = await send(`a=${"x".repeat(63)}`);
    expect([res.status, await json(res)]).toEqual([413, { detail: "Request body is larger than the limit of 64 bytes" }]);
  });
});

describe("responseFields of exposed errors", () => {
  it("join the body after detail, and never replace detail", async () => {
    expect(await postTo("/f/oauth", undefined, {})).toEqual([
      400,
      { detail: "the subject token has expired", error: "invalid_grant", error_description: "expired" },
    ]);
  });

  it("HTTPException takes them as an option; only string values are sent", async () => {
    const { hono } = await webApp([Forms]);
    const res = await hono.request("/f/http", { method: "POST" });
    const body = await json(res);
    expect(body).toEqual({ detail: "bad scope", error: "invalid_scope" });
    expect(Object.keys(body as object)).toEqual(["detail", "error"]);
  });
});
