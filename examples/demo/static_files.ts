/**
 * The demo page's files, served from a fixed list (no path ever reaches the file system from a
 * request, so there is nothing to traverse) with their content types.
 *
 * @module
 */

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** The page's files: the only ones served, each at `/<name>`, and the page at `/` too. */
const FILES = [
  "index.html",
  "style.css",
  "favicon.svg",
  "app.js",
  "audio_io.js",
  "echo_line.js",
  "event_log.js",
  "g711.js",
  "metrics_panel.js",
  "phone_line.js",
  "playback_ledger.js",
  "server_view.js",
  "timeline.js",
  "view_display.js",
  "wideband_line.js",
  "mic-worklet.js",
  "player-worklet.js",
];

/** URL path → file name in the public folder. */
const ROUTES: Record<string, string> = Object.fromEntries([
  ["/", "index.html"],
  ...FILES.map((name) => [`/${name}`, name]),
]);

/** Options for {@linkcode createStaticFiles}. */
export interface StaticFilesOptions {
  /**
   * The folder the page's files are read from.
   *
   * @default {new URL("./public/", import.meta.url)}
   */
  publicDir?: URL;
}

/**
 * A handler for the page's files: `null` when `pathname` is not one of them. Files are read once
 * and kept (they are a few kilobytes).
 *
 * @example Serving the page
 * ```ts
 * import { createStaticFiles } from "./static_files.ts";
 * import assert from "node:assert/strict";
 *
 * const files = createStaticFiles();
 * const page = await files(new Request("http://127.0.0.1/"));
 * assert.equal(page?.headers.get("content-type"), "text/html; charset=utf-8");
 * await page?.body?.cancel();
 * assert.equal(await files(new Request("http://127.0.0.1/ws")), null);
 * ```
 */
export function createStaticFiles(
  options: StaticFilesOptions = {},
): (request: Request) => Promise<Response | null> {
  const publicDir = options.publicDir ?? new URL("./public/", import.meta.url);
  const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  return async (request) => {
    const name = ROUTES[new URL(request.url).pathname];
    if (name === undefined) return null;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    let body = cache.get(name);
    if (!body) {
      body = Deno.readFile(new URL(name, publicDir));
      cache.set(name, body);
      // A failed read is not remembered: the next request tries again.
      body.catch(() => cache.delete(name));
    }
    const bytes = await body;
    const extension = name.slice(name.lastIndexOf(".") + 1);
    return new Response(request.method === "HEAD" ? null : bytes, {
      headers: {
        "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream",
        "content-length": String(bytes.byteLength),
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
        // Same-origin only: the page loads nothing from anywhere else.
        "content-security-policy":
          "default-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
      },
    });
  };
}
