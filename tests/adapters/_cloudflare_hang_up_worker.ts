/**
 * A Worker whose Twilio sessions hang the call up (an `end`) as soon as the call's `start` comes,
 * through Twilio's REST API served at `?api=` (an http origin), given up after 1000 ms; with
 * `?keep`, handing the `fetch` handler's `ctx.waitUntil` to the session. Each error a session
 * reports is posted to the API's origin, at `/reported`. `GET /log` answers with what the
 * sessions did since the last `GET /log`: `closed`, or an error's code and message.
 *
 * @module
 */
import { upgrade } from "../../src/adapters/cloudflare.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";

const log: string[] = [];

/** The part of Workers' `ExecutionContext` used here. */
interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  async fetch(request: Request, _env: unknown, ctx: Context): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return Response.json(log.splice(0));
    const api = url.searchParams.get("api")!;
    const serializer = new TwilioSerializer({
      accountSid: "AC1",
      authToken: "token",
      fetch: (input, init) => fetch(input.replace("https://api.twilio.com", api), init),
      hangUpTimeoutMs: 1000,
    });
    const keep = url.searchParams.has("keep");
    const { transport, response } = await upgrade(request, {
      serializer,
      ...(keep ? { waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) } : {}),
    });
    if (transport === null) return response;
    transport.addEventListener("error", ({ error }) => {
      const entry = `${error.code}: ${error.message}`;
      log.push(entry);
      ctx.waitUntil(fetch(`${api}/reported`, { method: "POST", body: entry }));
    });
    void transport.closed.then(() => log.push("closed"));
    transport.receive((frame) => {
      if (frame.type === "start") void transport.send({ type: "end" });
    });
    return response;
  },
};
