/**
 * Which URLs the simulator dials with its own WebSocket: the command line's and `simulateCall`'s
 * (given no `connect` of its own) take the same, and refuse the same as bad usage. `simulateCall`
 * took an `http://` URL (Deno's `WebSocket` dials it as `ws://`, as the WebSockets Standard now
 * lets it) that the command line refused; and a URL no WebSocket can be made for failed as a
 * call that "could not connect" (a report, as though a bot were down) from `simulateCall`, where
 * the command line refused it.
 *
 * @module
 */

/** `ws://…` or `wss://…`, its scheme in any case (RFC 3986 §3.1: schemes are case-insensitive). */
const WEBSOCKET_SCHEME = /^wss?:\/\//i;

/**
 * Throws a `RangeError` naming it `name` (`url`, or the command line's "the URL") unless `url`
 * is a WebSocket URL: `ws://` or `wss://` (not `http(s)://`: the scheme says what is dialled, as
 * a platform's stream URL does, Twilio's `wss://…`), one the URL parser takes, with no
 * `#fragment` (the WebSockets Standard's constructor refuses one).
 */
export function assertWebSocketUrl(url: string, name: string): void {
  if (!WEBSOCKET_SCHEME.test(url)) {
    const http = /^(https?):\/\//i.exec(url)?.[1]?.toLowerCase();
    const hint = http === undefined
      ? ""
      : ` (the bot's WebSocket at that address is ${http === "https" ? "wss" : "ws"}://…)`;
    throw new RangeError(`${name} must start with ws:// or wss://, got ${url}${hint}`);
  }
  if (!URL.canParse(url)) throw new RangeError(`${name} is not a valid URL, got ${url}`);
  if (url.includes("#")) {
    throw new RangeError(`${name} must have no #fragment (a WebSocket URL has none), got ${url}`);
  }
}
