/**
 * Which Realtime endpoints the API key may be sent to: the rule `OpenAIRealtime` holds every URL
 * it is given to, and `settings.ts` holds `OPENAI_REALTIME_URL` to at start.
 *
 * @module
 */

/**
 * `text` if it is a `wss:` URL with no fragment, or a `ws:` one to this machine (`localhost`,
 * `127.0.0.0/8`, `[::1]`); else a RangeError that starts with `name` and says what to write.
 *
 * `ws:` to any other host is refused, `wss:` named instead: the key goes in the handshake
 * (`Authorization: Bearer …`), and over `ws:` that header crosses the network in clear, for
 * anyone on the path to read and spend. On this machine it never leaves it: a local test service
 * or a local proxy that speaks TLS onwards. An `http:`/`https:` URL is refused too, with its
 * `ws:`/`wss:` spelling to write: Deno's WebSocket would open it as that, but the setting names a
 * WebSocket endpoint. A fragment (`#` alone is an empty one) the WebSocket refuses as it opens:
 * refused here, before a call depends on it.
 *
 * @example A local test service, and a remote one over `ws:`
 * ```ts
 * import { checkedRealtimeUrl } from "./realtime_url.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkedRealtimeUrl("ws://127.0.0.1:8080/v1/realtime", "url"), "ws://127.0.0.1:8080/v1/realtime");
 * assert.throws(() => checkedRealtimeUrl("ws://example.com/v1/realtime", "url"), /wss:\/\/example\.com/);
 * ```
 */
export function checkedRealtimeUrl(text: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const fragment = text.includes("#");
  if (url !== undefined && (url.protocol === "ws:" || url.protocol === "wss:") && !fragment) {
    if (url.protocol === "wss:" || isLoopbackHost(url.hostname)) return text;
    throw new RangeError(
      `${name} must be a wss: URL to reach ${url.host}, got ${JSON.stringify(text)}: ` +
        "over ws: the API key (the handshake's Authorization header) would cross the network in " +
        "clear, so ws: is taken only to this machine (localhost, 127.0.0.0/8, [::1]): write " +
        JSON.stringify(securedSpelling(url)),
    );
  }
  // The URL meant, when only the scheme (or a fragment) is wrong: say so, rather than use it.
  let meant: string | undefined;
  if (url !== undefined && /^(?:http|https|ws|wss):$/.test(url.protocol)) {
    url.hash = "";
    const spelled = new URL(url.href.replace(/^http/, "ws"));
    // Never a ws: URL that the check above would refuse in turn.
    meant = spelled.protocol === "ws:" && !isLoopbackHost(spelled.hostname)
      ? securedSpelling(spelled)
      : spelled.href;
  }
  throw new RangeError(
    `${name} must be a ws: or wss: URL without a fragment, such as ` +
      `wss://api.openai.com/v1/realtime, got ${JSON.stringify(text)}` +
      (meant === undefined ? "" : `: write ${JSON.stringify(meant)}`),
  );
}

/** `url` (a `ws:` one) spelled `wss:`: the same endpoint, its key carried under TLS. */
function securedSpelling(url: URL): string {
  return url.href.replace(/^ws:/, "wss:");
}

/**
 * Whether a URL's `hostname` (as `URL` normalizes it: lower case, IPv4 in dotted decimal, IPv6 in
 * brackets and shortest form) names this machine: `localhost`, an address in 127.0.0.0/8, or
 * `[::1]`. Nothing else, though other names may resolve here too: a name is only as local as the
 * resolver says, and the key must not depend on that.
 */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
