import { RequestContext, controller, get, post } from "pico-hono";
import { z } from "zod";
import { GreetingService } from "./greeting-service.js";

const Greeting = z.object({ message: z.string(), count: z.number().int() });

const greetWorld = {
  summary: "Greet the world",
  query: z.object({ shout: z.boolean().default(false).describe("Answer in capitals") }),
  response: Greeting,
} as const;

const greetSomeone = {
  summary: "Greet someone by name",
  params: z.object({ name: z.string().min(1).max(100) }),
  response: Greeting,
} as const;

const greetFromBody = {
  summary: "Greet the name in the JSON body",
  status: 201,
  body: z.object({ name: z.string().min(1).max(100) }),
  response: Greeting,
} as const;

@controller({ prefix: "/hello", tags: ["Hello"] })
export class HelloController {
  constructor(private readonly greetings: GreetingService) {}

  @get("", greetWorld)
  world(ctx: RequestContext<"", typeof greetWorld>) {
    const greeting = this.greetings.greet("world");
    return ctx.query.shout ? { ...greeting, message: greeting.message.toUpperCase() } : greeting;
  }

  @get("/:name", greetSomeone)
  someone(ctx: RequestContext<"/:name", typeof greetSomeone>) {
    return this.greetings.greet(ctx.params.name);
  }

  @post("", greetFromBody)
  create(ctx: RequestContext<"", typeof greetFromBody>) {
    return this.greetings.greet(ctx.body.name);
  }
}
