/**
 * Run: `PUBLIC_HOST=abc.ngrok.app TWILIO_AUTH_TOKEN=… deno serve --port 8000 --allow-net
 * --allow-env examples/twilio/main.ts`, then point the Twilio number's "A call comes in" webhook
 * at `https://abc.ngrok.app/twiml` (HTTP POST). See README.md beside this file.
 *
 * @module
 */

import { twilioBridge } from "./bridge.ts";
import { parsePublicHost } from "./public_host.ts";

let publicHost: string | undefined;
try {
  const text = Deno.env.get("PUBLIC_HOST");
  publicHost = text ? parsePublicHost(text) : undefined;
} catch (error) {
  // A bad host would be written into every TwiML and signed URL: refuse it before serving.
  console.error((error as Error).message);
  Deno.exit(2);
}
// Set to "" (a template's `TWILIO_AUTH_TOKEN=`, a secret that did not load) it is unset too: the
// bridge would run unverified either way, and must say so.
const authToken = Deno.env.get("TWILIO_AUTH_TOKEN") || undefined;
if (authToken !== undefined && authToken !== authToken.trim()) {
  // A space or line break pasted along with the token (a token has none) would be part of the
  // HMAC key: every request from Twilio would be refused as badly signed.
  console.error("TWILIO_AUTH_TOKEN has spaces or a line break around it: write the token alone");
  Deno.exit(2);
}
if (authToken === undefined) {
  console.warn("TWILIO_AUTH_TOKEN is not set: requests are not verified and calls are not hung up");
}

export default {
  fetch: twilioBridge({
    ...(publicHost ? { publicHost } : {}),
    ...(authToken ? { authToken } : {}),
    log: console.log,
    warn: console.warn,
  }),
} satisfies Deno.ServeDefaultExport;
