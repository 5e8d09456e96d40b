import { HTTPException, RequestContext, controller, get, post } from "pico-hono";
import { GreetingService } from "./greeting-service.js";

@controller({ prefix: "/hello", tags: ["Hello"] })
export class HelloController {
  constructor(private readonly greetings: GreetingService) {}

  @get("", { summary: "Greet the world" })
  world() {
    return this.greetings.greet("world");
  }

  @get("/:name", { summary: "Greet someone by name" })
  someone(ctx: RequestContext<"/:name">) {
    return this.greetings.greet(ctx.params.name);
  }

  @post("", { status: 201, summary: "Greet the name in the JSON body" })
  async create(ctx: RequestContext) {
    const body = await ctx.json<{ name?: unknown }>();
    if (typeof body?.name !== "string" || body.name === "") {
      throw new HTTPException(422, 'body.name: expected a non-empty string');
    }
    return this.greetings.greet(body.name);
  }
}
