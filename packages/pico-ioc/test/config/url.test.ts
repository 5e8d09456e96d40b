import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bindSettings, configured, setting } from "../../src/config/index.js";
import { problemsOf } from "./helpers.js";

@configured("remote")
class Remote {
  @setting({ type: "url" }) issuer: string = "http://localhost:8100";
  @setting({ type: "url", optional: true }) feed: string = "";
  @setting({ type: "url", optional: true }) hook?: string;
}

const bind = (config: Record<string, unknown>, env: Record<string, string> = {}): Remote =>
  bindSettings([Remote], { remote: config }, env).get(Remote) as Remote;

describe("url settings", () => {
  it("accepts absolute http and https URLs and keeps them exactly as written", () => {
    const remote = bind({ issuer: "https://auth.example.com", feed: "http://[::1]:8100/api/v1/auth/revocations?x=1" }, { REMOTE__HOOK: "https://h.example/a/" });
    // "https://auth.example.com" would become "https://auth.example.com/" through URL#href: an issuer must not change.
    expect({ ...remote }).toEqual({ issuer: "https://auth.example.com", feed: "http://[::1]:8100/api/v1/auth/revocations?x=1", hook: "https://h.example/a/" });
  });

  it("accepts the empty string as none only when the setting is optional", () => {
    expect({ ...bind({ feed: "" }, { REMOTE__HOOK: "" }) }).toMatchObject({ feed: "", hook: "" });
    expect(problemsOf(() => bind({}, { REMOTE__ISSUER: "" }))).toEqual([
      { path: "remote.issuer", message: 'expected an absolute http(s) URL (such as "https://auth.example.com"), got "" (from env REMOTE__ISSUER)' },
    ]);
  });

  it("names the key or env variable, what was expected and what came", () => {
    expect(problemsOf(() => bind({ feed: "auth.example.com/feed" }, { REMOTE__ISSUER: "not-a-url" }))).toEqual([
      { path: "remote.issuer", message: 'expected an absolute http(s) URL (such as "https://auth.example.com"), got "not-a-url" (from env REMOTE__ISSUER)' },
      { path: "remote.feed", message: 'expected an absolute http(s) URL (such as "https://auth.example.com"), got "auth.example.com/feed" (from config)' },
    ]);
  });

  it("refuses other schemes, non-strings and white space", () => {
    expect(problemsOf(() => bind({ issuer: "ftp://example.com", feed: 42, hook: " https://example.com" }))).toEqual([
      { path: "remote.issuer", message: 'expected an absolute http(s) URL, got a ftp: URL: "ftp://example.com" (from config)' },
      { path: "remote.feed", message: "expected an absolute http(s) URL, got 42 (from config)" },
      { path: "remote.hook", message: 'expected an absolute http(s) URL, got " https://example.com" (leading or trailing white space) (from config)' },
    ]);
  });

  it("refuses credentials without repeating them", () => {
    const problems = problemsOf(() => bind({ issuer: "https://user:s3cret@auth.example.com" }));
    expect(problems).toEqual([{ path: "remote.issuer", message: "expected an absolute http(s) URL without user:password@, got a URL with credentials (from config)" }]);
    expect(JSON.stringify(problems)).not.toContain("s3cret");
  });

  it("does not repeat a URL that fails to parse when it may carry credentials (a space in the password, a port out of range, another scheme)", () => {
    const problems = problemsOf(() => bind({ issuer: "http://admin:top secret@host:99999/", feed: "http://admin:s3cret@host:99999/", hook: "ftp://u:ftp-s3cret@example.com" }));
    expect(problems).toEqual([
      { path: "remote.issuer", message: 'expected an absolute http(s) URL (such as "https://auth.example.com"), got an invalid URL (not shown: it may hold credentials) (from config)' },
      { path: "remote.feed", message: 'expected an absolute http(s) URL (such as "https://auth.example.com"), got an invalid URL (not shown: it may hold credentials) (from config)' },
      { path: "remote.hook", message: "expected an absolute http(s) URL without user:password@, got a URL with credentials (from config)" },
    ]);
    for (const secret of ["top secret", "s3cret"]) expect(JSON.stringify(problems)).not.toContain(secret);
  });
});

@configured("site")
class Site {
  @setting({ type: "path", optional: true }) docsUrl: string = "/docs";
  @setting({ type: "path" }) home: string = "/";
}

describe("path settings", () => {
  const bindSite = (site: Record<string, unknown>): Site => bindSettings([Site], { site }, {}).get(Site) as Site;

  it("accept a path starting with a single /, and \"\" (none) when optional", () => {
    expect({ ...bindSite({ docs_url: "/api/docs/" }) }).toEqual({ docsUrl: "/api/docs/", home: "/" });
    expect(bindSite({ docs_url: "" }).docsUrl).toBe("");
  });

  it("refuse what a route never matches, naming the key, what was expected and what came", () => {
    const expected = 'expected a URL path starting with "/" (such as "/docs"), without white space, "?" or "#", got';
    for (const bad of ["docs", "http://x/docs", "//evil.example/docs", "/do cs", "/docs?x", "/docs#a"]) {
      expect(problemsOf(() => bindSite({ docs_url: bad }))).toEqual([{ path: "site.docs_url", message: `${expected} ${JSON.stringify(bad)} (from config)` }]);
    }
    expect(problemsOf(() => bindSettings([Site], {}, { SITE__HOME: "" }))).toEqual([{ path: "site.home", message: `${expected} "" (from env SITE__HOME)` }]);
  });
});
