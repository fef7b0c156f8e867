/**
 * Run: `OPENAI_API_KEY=sk-… deno serve --port 8000 --allow-net --allow-env
 * examples/realtime-bridge/main.ts`, expose port 8000 as `wss://` (a tunnel), and point the
 * provider's media stream at `wss://<host>/twilio` (or `/telnyx`, `/plivo`, `/exotel`, `/vonage`,
 * `/genesys`, or `/media` to detect the provider). See README.md beside this file.
 *
 * Environment: `OPENAI_API_KEY` (required), `OPENAI_REALTIME_URL`
 * (default `wss://api.openai.com/v1/realtime`), `OPENAI_REALTIME_MODEL` (default `gpt-realtime`),
 * `OPENAI_VOICE`, `BRIDGE_INSTRUCTIONS`, `LOCAL_BARGE_IN=1` (detect barge-in on the caller's audio
 * too), and per provider: `TWILIO_AUTH_TOKEN` (verifies Twilio's signature on `/twilio`, hangs up
 * through the REST API), `TELNYX_API_KEY`, `PLIVO_AUTH_ID` + `PLIVO_AUTH_TOKEN` (hang-up).
 *
 * @module
 */

import { verifyTwilioSignature } from "@x/ws-transport/twilio";
import { realtimeBridge } from "./bridge.ts";
import { OpenAIRealtime } from "./openai_realtime.ts";

const env = (name: string) => Deno.env.get(name) || undefined;
const apiKey = env("OPENAI_API_KEY");
if (apiKey === undefined) throw new Error("OPENAI_API_KEY is not set");
const twilioAuthToken = env("TWILIO_AUTH_TOKEN");
const telnyxApiKey = env("TELNYX_API_KEY");
const plivoAuthId = env("PLIVO_AUTH_ID");
const plivoAuthToken = env("PLIVO_AUTH_TOKEN");
const publicHost = env("PUBLIC_HOST");
const url = env("OPENAI_REALTIME_URL");
const model = env("OPENAI_REALTIME_MODEL");
const voice = env("OPENAI_VOICE");
const instructions = env("BRIDGE_INSTRUCTIONS");

export default {
  fetch: realtimeBridge({
    model: ({ provider }) =>
      new OpenAIRealtime({
        apiKey,
        ...(url ? { url } : {}),
        ...(model ? { model } : {}),
        ...(voice ? { voice } : {}),
        ...(instructions ? { instructions } : {}),
        // Vonage streams 16 kHz linear PCM: keep it wideband. The others are 8 kHz phone lines,
        // where μ-law both ways is their own format, with no resampling at all.
        audioFormat: provider === "vonage" ? "audio/pcm" : "audio/pcmu",
      }),
    providers: {
      // A model that talks back needs Genesys's bidirectional Audio Connector, never a Monitor.
      genesys: { sendAudio: "always" },
      ...(twilioAuthToken ? { twilio: { authToken: twilioAuthToken } } : {}),
      ...(telnyxApiKey ? { telnyx: { apiKey: telnyxApiKey } } : {}),
      ...(plivoAuthId && plivoAuthToken
        ? { plivo: { authId: plivoAuthId, authToken: plivoAuthToken } }
        : {}),
    },
    authorize: (request, provider) => {
      if (twilioAuthToken === undefined) return true;
      // With Twilio's calls checked, a caller that names no provider in its path (`/media`)
      // could say it is Twilio unchecked: point each provider at its own path then.
      if (provider === undefined) return false;
      if (provider !== "twilio") return true;
      // Twilio signs the URL it called; behind a tunnel that is the public one, not ours.
      const url = new URL(request.url);
      const signedUrl = `wss://${publicHost ?? url.host}${url.pathname}${url.search}`;
      return verifyTwilioSignature(request, { authToken: twilioAuthToken, url: signedUrl });
    },
    localBargeIn: env("LOCAL_BARGE_IN") === "1",
    log: console.log,
  }),
} satisfies Deno.ServeDefaultExport;
