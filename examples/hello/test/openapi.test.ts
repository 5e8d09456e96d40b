import { fileURLToPath } from "node:url";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("hello example's OpenAPI document", () => {
  it("is valid OpenAPI 3.1 according to an independent validator", async () => {
    const app = new Application({ moduleNames: ["hello"], root, env: {}, config: { web: { title: "Hello API", version: "1.0.0" } } });
    const response = await app.request("/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; info: unknown; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toEqual({ title: "Hello API", version: "1.0.0" });
    expect(Object.keys(document.paths)).toEqual(["/hello", "/hello/{name}"]);
    const world = (document.paths["/hello"] as { get: { parameters: unknown[] } }).get;
    expect(world.parameters).toEqual([{ name: "shout", in: "query", required: false, description: "Answer in capitals", schema: { type: "boolean", default: false } }]);

    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);

    // The validator is not a rubber stamp: a broken copy must fail.
    const broken = structuredClone(document) as { paths: Record<string, Record<string, { parameters: { in: string }[] }>> };
    (broken.paths["/hello/{name}"]?.get?.parameters[0] as { in: string }).in = "body";
    expect((await validate(broken as never)).valid).toBe(false);
    await app.stop();
  });
});
