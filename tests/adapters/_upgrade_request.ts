/**
 * The WebSocket upgrade request the adapter tests hand an adapter (or `fetch` to a live server):
 * a client's opening handshake as RFC 6455 §4.1 has it, a GET with `Upgrade: websocket`,
 * `Connection: Upgrade`, a `Sec-WebSocket-Key` of 16 bytes in base64 (the RFC's own sample nonce,
 * §1.3) and `Sec-WebSocket-Version: 13`. A test that means a malformed handshake
 * (a key missing or too short, another version, another method) writes its own.
 *
 * @module
 */

/** The headers of a well-formed upgrade (RFC 6455, 4.1), named as `Headers` reads them. */
export const UPGRADE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
});

/** Options for {@linkcode upgradeRequest}. */
export interface UpgradeRequestOptions {
  /**
   * Where the request goes.
   *
   * @default {"http://127.0.0.1/ws"}
   */
  url?: string | URL;
  /**
   * Headers added to the upgrade's own (`origin`, `sec-websocket-protocol`, `host`), or replacing
   * one of them, by name.
   *
   * @default {{}}
   */
  headers?: Readonly<Record<string, string>>;
}

/**
 * A well-formed WebSocket upgrade request (see {@linkcode UPGRADE_HEADERS}), with `headers` added:
 * a new one each call, so that a test may read or consume it freely.
 *
 * @example An upgrade a browser on another origin sends
 * ```ts
 * import assert from "node:assert/strict";
 * import { upgradeRequest } from "./_upgrade_request.ts";
 *
 * const request = upgradeRequest({ headers: { origin: "https://evil.example" } });
 * assert.equal(request.method, "GET");
 * assert.equal(request.headers.get("upgrade"), "websocket");
 * assert.equal(request.headers.get("origin"), "https://evil.example");
 * ```
 */
export function upgradeRequest(options: UpgradeRequestOptions = {}): Request {
  const { url = "http://127.0.0.1/ws", headers = {} } = options;
  return new Request(url, { headers: { ...UPGRADE_HEADERS, ...headers } });
}
