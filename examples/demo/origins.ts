/**
 * The origins the demo may be reached at, from the host and port it listens on.
 *
 * @module
 */

/** Names every machine gives its own loopback interface. */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];
/** Listening on these means "every interface", loopback included. */
const WILDCARD_HOSTS = ["0.0.0.0", "::", "[::]"];

/**
 * The `http://` origins of a server listening on `hostname:port`: that address itself and,
 * when it is a loopback or wildcard address, the loopback names (`127.0.0.1`, `localhost`,
 * `[::1]`) on the same port. No other name: a page served under a name the server was not
 * configured with (a DNS-rebinding attack points one at 127.0.0.1) is refused.
 *
 * @example A demo on the default address
 * ```ts
 * import { demoOrigins } from "./origins.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(demoOrigins("127.0.0.1", 8000), [
 *   "http://127.0.0.1:8000",
 *   "http://localhost:8000",
 *   "http://[::1]:8000",
 * ]);
 * assert.deepEqual(demoOrigins("voice.example", 80), ["http://voice.example"]);
 * ```
 */
export function demoOrigins(hostname: string, port: number): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`port must be a whole number from 1 to 65535, got ${port}`);
  }
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  const names = LOOPBACK_HOSTS.includes(host) || WILDCARD_HOSTS.includes(host)
    ? [...new Set([...(WILDCARD_HOSTS.includes(host) ? [] : [host]), ...LOOPBACK_HOSTS])]
    : [host];
  // Through URL, so the default port and letter case come out as browsers send them.
  return names.map((name) => new URL(`http://${name}:${port}`).origin);
}

/**
 * The origins of `ORIGINS` (comma-separated, e.g. `https://demo.example`), each as a browser
 * sends it; a RangeError naming the first that is not an origin (`demo.example` has no scheme;
 * `https://demo.example/path` has a path, which an origin never has: taken as its origin, a
 * setting meant for one path would quietly open the whole host).
 */
export function parseOrigins(text: string): string[] {
  return text.split(",").map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      // Named below.
    }
    if (url === undefined || url.origin === "null") {
      throw new RangeError(
        `ORIGINS must list origins such as https://demo.example, got ${JSON.stringify(entry)}`,
      );
    }
    // A lone trailing slash is no path (`new URL` adds it to every origin anyway).
    if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
      throw new RangeError(
        `ORIGINS must list origins, which have no path, query or user: ` +
          `${JSON.stringify(entry)} is not one (its origin is ${url.origin})`,
      );
    }
    return url.origin;
  });
}

/** The port a URL of each scheme leaves out, which a Host header may name or leave out. */
const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  "http:": "80",
  "ws:": "80",
  "https:": "443",
  "wss:": "443",
};

/**
 * Whether `origin` is served at the host of `url`, a request's URL (built from its Host header):
 * the same name and the same port, where a port left out on either side is the origin's default.
 * A proxy in front of the demo may send `Host: demo.example:443` or `Host: demo.example` for
 * `https://demo.example`: both are its host.
 *
 * @example
 * ```ts
 * import { servesHost } from "./origins.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(servesHost("https://demo.example", new URL("http://demo.example:443/")));
 * assert.ok(servesHost("https://demo.example", new URL("http://demo.example/")));
 * assert.ok(!servesHost("https://demo.example", new URL("http://demo.example:8443/")));
 * ```
 */
export function servesHost(origin: string, url: URL): boolean {
  const served = new URL(origin);
  if (served.hostname !== url.hostname) return false;
  const fallback = DEFAULT_PORTS[served.protocol] ?? "";
  return (url.port || fallback) === (served.port || fallback);
}
