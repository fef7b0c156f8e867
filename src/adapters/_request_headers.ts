/**
 * Reading and setting a WebSocket upgrade's headers for the adapters: the subprotocols it offers
 * (and the check of a subprotocol to answer), and headers of the request's own (a runtime's
 * request headers are immutable, yet what Hono and `Deno.upgradeWebSocket` read is the request's
 * `headers` property).
 *
 * @module
 */

/**
 * Sets a header where Hono and the runtime read it: in headers of the request's own (a runtime's
 * own are immutable), which a second header set here replaces again (configurable).
 */
export function withHeader(request: Request, name: string, value: string): void {
  const headers = new Headers(request.headers);
  headers.set(name, value);
  Object.defineProperty(request, "headers", { value: headers, configurable: true });
}

/**
 * Gives the request's `Sec-WebSocket-Protocol` list written with ", " between its names, on Deno.
 * `Deno.upgradeWebSocket` finds the subprotocol it is to answer only in the list split at ", ",
 * throwing otherwise, where a list may have no space after its commas (RFC 9110, 5.6.1:
 * `#element => [ element ] *( OWS "," OWS [ element ] )`), and the `ws` client writes several so
 * (`a,b`). Other runtimes split it themselves.
 */
export function spaceSubprotocols(request: Request): void {
  if ((globalThis as { Deno?: unknown }).Deno === undefined) return; // only Deno splits it at ", "
  const offered = request.headers.get("sec-websocket-protocol");
  const spaced = offered?.split(",").map((name) => name.trim()).join(", ");
  if (spaced === undefined || spaced === offered) return;
  withHeader(request, "sec-websocket-protocol", spaced);
}

/**
 * Whether the client offered `protocol` in its `Sec-WebSocket-Protocol`, a comma-separated list
 * with or without spaces (RFC 6455, 4.1; RFC 9110, 5.6.1).
 */
export function offersSubprotocol(request: Request, protocol: string): boolean {
  const offered = request.headers.get("sec-websocket-protocol") ?? "";
  return offered.split(",").some((name) => name.trim() === protocol);
}

/**
 * A subprotocol name: a token (RFC 6455, 4.1: non-empty, U+0021 to U+007E without separators;
 * RFC 9110, 5.6.2: `tchar`), compared as it is written (RFC 7936: case-sensitive).
 */
const SUBPROTOCOL_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks a `protocol` option where the options are read (once for Node's `upgradeHandler`, at
 * each upgrade for Deno's, Bun's and Workers' `upgrade`): a `TypeError` that names it for one
 * that is no subprotocol name, which no client could offer (`""`, `"a,b"`, one with spaces), so
 * that every client would be answered none.
 */
export function checkSubprotocol(protocol: unknown): string | undefined {
  if (
    protocol === undefined || (typeof protocol === "string" && SUBPROTOCOL_NAME.test(protocol))
  ) {
    return protocol;
  }
  const shown = typeof protocol === "string" ? JSON.stringify(protocol) : typeof protocol;
  throw new TypeError(
    "protocol must be a subprotocol name (a token: letters, digits and !#$%&'*+-.^_`|~, as " +
      `RFC 6455 4.1 asks), got ${shown}`,
  );
}
