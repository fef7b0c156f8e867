/**
 * Run: `PUBLIC_HOST=abc.ngrok.app TWILIO_AUTH_TOKEN=… deno serve --port 8000 --allow-net
 * --allow-env examples/twilio/main.ts`, then point the Twilio number's "A call comes in" webhook
 * at `https://abc.ngrok.app/twiml` (HTTP POST). See README.md beside this file.
 *
 * @module
 */

import { twilioBridge } from "./bridge.ts";

const publicHost = Deno.env.get("PUBLIC_HOST");
const authToken = Deno.env.get("TWILIO_AUTH_TOKEN");
if (authToken === undefined) {
  console.warn("TWILIO_AUTH_TOKEN is not set: requests are not verified and calls are not hung up");
}

export default {
  fetch: twilioBridge({
    ...(publicHost ? { publicHost } : {}),
    ...(authToken ? { authToken } : {}),
    log: console.log,
  }),
} satisfies Deno.ServeDefaultExport;
