/**
 * `PUBLIC_HOST`, read as the host name it must be. The same file stands in each example that
 * reads it (examples/twilio, examples/realtime-bridge), so that each example stands alone.
 *
 * @module
 */

/**
 * `text` if it is a host name, with an optional port (`abc123.ngrok.app`, `voice.example:8443`);
 * otherwise a RangeError saying what to write instead. A URL (`https://abc123.ngrok.app`, as
 * ngrok prints it), a path or a space would end up inside `wss://…/media` and inside the URL
 * whose signature is checked: the provider could not connect, or every request would be refused
 * as badly signed, with nothing to say why.
 *
 * @example What ngrok prints, and what it should be
 * ```ts
 * import { parsePublicHost } from "./public_host.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parsePublicHost("abc123.ngrok.app"), "abc123.ngrok.app");
 * assert.throws(() => parsePublicHost("https://abc123.ngrok.app"), /"abc123\.ngrok\.app"/);
 * ```
 */
export function parsePublicHost(text: string): string {
  if (isHost(text)) return text;
  // The host inside what was written (scheme, path and spaces off) is what was meant: say so,
  // rather than use it silently.
  const meant = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split(/[/?#]/)[0]!;
  throw new RangeError(
    "PUBLIC_HOST must be a host name such as abc123.ngrok.app (no scheme, path or spaces), " +
      `got ${JSON.stringify(text)}${isHost(meant) ? `: write ${JSON.stringify(meant)}` : ""}`,
  );
}

/** Whether `text` is a host, with an optional port, and nothing else. */
function isHost(text: string): boolean {
  if (text === "" || /[\s/?#@\\]/.test(text)) return false;
  try {
    return new URL(`https://${text}`).hostname !== "";
  } catch {
    return false;
  }
}
