/**
 * Per-message compression on Workers, declined: the `compression` option of the Cloudflare and
 * Hono adapters, checked, and the 101 header that declines it. From compatibility date 2023-08-15
 * (Cloudflare's `web_socket_compression` flag) workerd agrees `permessage-deflate` (RFC 7692) with
 * every client that offers it and inflates each message whole, up to its 32 MiB limit, before the
 * session can refuse it.
 *
 * @module
 */

/**
 * The `Sec-WebSocket-Extensions` of a 101 that agrees no compression. With a value of the Worker's
 * own, workerd does not fill in the client's offer (cloudflare/workerd, src/workerd/api/http.c++,
 * `Response::send`) but hands the value to its HTTP server, which agrees only a
 * `permessage-deflate` element of it and writes the header it agreed in place of the Worker's
 * (capnproto, c++/src/kj/compat/http.c++, `acceptWebSocket`, `MANUAL_COMPRESSION`): a value with
 * none leaves the 101 with no extension, and never reaches the client. The empty value that
 * workerd's compatibility flag describes for this (src/workerd/io/compatibility-date.capnp,
 * `webSocketCompression`) does not do it: kj reads an empty header as no header, and workerd fills
 * in the client's offer (workerd 1.20260730; tests/adapters/cloudflare_compression_test.ts checks
 * the 101). A private extension token (RFC 6455, 9.1) that names no extension.
 */
export const NO_COMPRESSION = "x-no-compression";

/**
 * Whether `compression` agrees compression: only `true` does. Anything but a boolean or
 * `undefined` throws a `TypeError`: plain JavaScript has no type checker, and a string such as
 * "false" (from an environment variable) would be truthy.
 */
export function agreesCompression(compression: boolean | undefined): boolean {
  if (compression !== undefined && typeof compression !== "boolean") {
    throw new TypeError(`compression must be a boolean, got ${typeof compression}`);
  }
  return compression === true;
}
