import { expect } from "vitest";

/** What a fake HTTP endpoint answers, changed by the test as it goes, and what it was asked. */
export interface EndpointState {
  fetches: number;
  inits: RequestInit[];
  body: unknown;
  status: number;
  down: boolean;
  delayMs: number;
}

/** A `fetch` for one URL: counts calls, can be slow or down, answers `state.body` (a string as is, else JSON). */
export function fakeEndpoint(url: string, body: unknown): { state: EndpointState; fetch: typeof globalThis.fetch } {
  const state: EndpointState = { fetches: 0, inits: [], body, status: 200, down: false, delayMs: 0 };
  const fetch = (async (requested: string, init: RequestInit) => {
    state.fetches++;
    state.inits.push(init);
    expect(requested).toBe(url);
    if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.down) throw new TypeError("fetch failed");
    return typeof state.body === "string" ? new Response(state.body, { status: state.status }) : Response.json(state.body, { status: state.status });
  }) as typeof globalThis.fetch;
  return { state, fetch };
}
