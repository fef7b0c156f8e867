/**
 * The Twilio bridge: one fetch handler that answers Twilio's voice webhook with
 * `<Connect><Stream>` TwiML and accepts the media WebSocket that TwiML points at.
 *
 * @module
 */

import type { Clock, WebSocketTransport } from "@x/ws-transport";
import { upgrade } from "@x/ws-transport/deno";
import { TwilioSerializer, verifyTwilioSignature } from "@x/ws-transport/twilio";
import { echoBot } from "./echo_bot.ts";

/** Options for {@linkcode twilioBridge}. */
export interface TwilioBridgeOptions {
  /**
   * The public host Twilio reaches this server at (`abc.ngrok.app`). Needed behind a tunnel or
   * proxy, where the request's own host is not the public one; signatures are checked against it.
   *
   * @default {the request's Host header}
   */
  publicHost?: string;
  /**
   * The account's auth token. When set, requests must carry a valid `X-Twilio-Signature`, and
   * the call is hung up through the REST API when the bot ends it.
   *
   * @default {undefined}
   */
  authToken?: string;
  /**
   * The transport's output sample rate (the bot's audio); Twilio's 8 kHz μ-law is converted.
   *
   * @default {16000}
   */
  sampleRate?: number;
  /** Logs what happens; `console.log` in `main.ts`. */
  log?: (...data: unknown[]) => void;
  /**
   * Says why a request was refused (a missing or wrong signature, and the URL it was checked
   * against); `console.warn` in `main.ts`.
   *
   * @default {options.log}
   */
  warn?: (...data: unknown[]) => void;
  /**
   * The time source of every call (pacing, playback marks). Tests give the bridge and a simulated
   * caller one `FakeClock`, so that what a call measures is exact however busy the machine is.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Called with each call's transport as it starts.
   *
   * @default {undefined}
   */
  onSession?: (transport: WebSocketTransport) => void;
}

/**
 * A fetch handler for Twilio: `POST /twiml` (the number's "A call comes in" webhook) returns
 * TwiML connecting the call to `wss://{host}/media`; `GET /media` upgrades to the media stream,
 * where {@linkcode echoBot} talks to the caller.
 */
export function twilioBridge(
  options: TwilioBridgeOptions = {},
): (request: Request) => Promise<Response> {
  const log = options.log ?? (() => {});
  const warn = options.warn ?? log;
  const sampleRate = options.sampleRate ?? 16000;
  const { authToken } = options;
  const signed = async (request: Request, url: string) => {
    if (authToken === undefined) return true;
    if (await verifyTwilioSignature(request, { authToken, url })) return true;
    // The refusal itself says nothing to Twilio's caller: the reason goes to the operator, with
    // the URL checked, since a wrong PUBLIC_HOST or token is the usual cause.
    const header = request.headers.get("x-twilio-signature");
    warn(
      header === null
        ? `refused ${new URL(request.url).pathname}: no X-Twilio-Signature (not from Twilio)`
        : `refused ${new URL(request.url).pathname}: X-Twilio-Signature does not match ${url} ` +
          "(is PUBLIC_HOST the host Twilio calls, and TWILIO_AUTH_TOKEN this account's token?)",
    );
    return false;
  };

  return async (request) => {
    // The server builds `request.url` from the Host header, which any client writes: one that is
    // no host (`a b`, `h:99999`) is a bad request, not a server error with a stack in the log.
    const url = URL.parse(request.url);
    if (url === null) return new Response("Bad Host header", { status: 400 });
    const host = options.publicHost ?? url.host;
    if (url.pathname === "/twiml") {
      const publicUrl = `https://${host}${url.pathname}${url.search}`;
      if (!(await signed(request, publicUrl))) {
        return new Response("Bad signature", { status: 403 });
      }
      let from = url.searchParams.get("From") ?? "";
      if (request.method === "POST") {
        // Twilio posts a form; anything else is not Twilio (checked above when a token is set).
        const form = await request.formData().catch(() => null);
        if (form === null) return new Response("Expected a form", { status: 400 });
        from = String(form.get("From") ?? "");
      }
      const twiml = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Connect>
    <Stream url="wss://${escapeXml(host)}/media">
      <Parameter name="caller" value="${escapeXml(from)}"/>
    </Stream>
  </Connect>
</Response>`;
      return new Response(twiml, { headers: { "content-type": "text/xml" } });
    }
    if (url.pathname === "/media") {
      const serializer = new TwilioSerializer(authToken === undefined ? {} : { authToken });
      const { transport, response } = await upgrade(request, {
        serializer,
        audioIn: { sampleRate, channels: 1 },
        audioOut: { sampleRate, channels: 1, chunkMs: 20 },
        authorize: (req) => signed(req, `wss://${host}${url.pathname}${url.search}`),
        ...(options.clock ? { clock: options.clock } : {}),
      });
      if (!transport) return response;
      options.onSession?.(transport);
      transport.addEventListener("error", (e) => log("transport error:", (e as ErrorEvent).error));
      transport.addEventListener("disconnected", () => log("call", serializer.callSid, "ended"));
      transport.readable
        .pipeThrough(echoBot({ sampleRate, onEvent: (frame) => log("event:", frame) }))
        .pipeTo(transport.writable)
        .catch((error) => log("session ended:", error));
      return response;
    }
    return new Response("Not found", { status: 404 });
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
