import { createHash } from "node:crypto";
import { ErrorReply } from "@redis/client";
import type { RedisClient } from "./redis-connection.js";

/**
 * A Lua script run by its SHA1 (EVALSHA), sent in full (EVAL) only when Redis does not know it: the
 * first time, and after a restart emptied its script cache. A script runs atomically: nothing else
 * runs on Redis between its first and last command.
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha1: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha1 = createHash("sha1").update(source).digest("hex");
  }

  /** Runs the script; failures reach the caller as the client threw them (RedisConnection.run maps them). */
  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    try {
      return await client.evalSha(this.#sha1, options);
    } catch (error) {
      if (!(error instanceof ErrorReply && error.message.startsWith("NOSCRIPT"))) throw error;
      return await client.eval(this.#source, options);
    }
  }
}
