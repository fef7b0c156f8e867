/**
 * Run: `OPENAI_API_KEY=sk-… deno serve --port 8000 --allow-net --allow-env
 * examples/realtime-bridge/main.ts`, expose port 8000 as `wss://` (a tunnel), and point the
 * provider's media stream at `wss://<host>/twilio` (or `/telnyx`, `/plivo`, `/exotel`, `/vonage`,
 * `/genesys`, or `/media` to detect the provider). See README.md beside this file.
 *
 * Environment: `OPENAI_API_KEY` (required), `OPENAI_REALTIME_URL`
 * (default `wss://api.openai.com/v1/realtime`; `ws:` only to localhost, 127.0.0.0/8 or [::1], as
 * the key goes in its handshake), `OPENAI_REALTIME_MODEL` (default `gpt-realtime`),
 * `OPENAI_VOICE`, `BRIDGE_INSTRUCTIONS`, `LOCAL_BARGE_IN=1` (detect barge-in on the caller's audio
 * too), and per provider: `TWILIO_AUTH_TOKEN` (verifies Twilio's signature on `/twilio`, hangs up
 * through the REST API), `PLIVO_AUTH_TOKEN` (verifies Plivo's signature on `/plivo`; with
 * `PLIVO_AUTH_ID`, hangs up), `TELNYX_API_KEY` (hang-up), `PUBLIC_HOST` (the host the providers
 * call and sign, behind a tunnel) and `OPEN_PROVIDERS` (providers taken unchecked once a check is
 * configured). With no check configured every path is open to anyone.
 *
 * @module
 */

import { realtimeBridge } from "./bridge.ts";
import { OpenAIRealtime } from "./openai_realtime.ts";
import { checkedProviders, providerAuthorizer } from "./provider_checks.ts";
import { type BridgeSettings, readSettings } from "./settings.ts";

let settings: BridgeSettings;
try {
  settings = readSettings((name) => Deno.env.get(name));
} catch (error) {
  // A missing key or a bad setting: say which, before anything is served.
  console.error((error as Error).message);
  Deno.exit(2);
}
const { apiKey, url, model, voice, instructions, plivoAuthId, plivoAuthToken } = settings;
if (checkedProviders(settings).length === 0) {
  console.warn(
    "No provider check is configured (TWILIO_AUTH_TOKEN, PLIVO_AUTH_TOKEN): every path takes " +
      "calls from anyone who finds this server, each a paid model session",
  );
}

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
      // A model that talks back needs Genesys's bidirectional Audio Connector, never a Monitor;
      // "always", as "auto" would take an Audio Connector whose action defines no Inputs (its
      // open has no inputVariables) for a Monitor and drop the model's voice.
      genesys: { sendAudio: "always" },
      ...(settings.twilioAuthToken ? { twilio: { authToken: settings.twilioAuthToken } } : {}),
      ...(settings.telnyxApiKey ? { telnyx: { apiKey: settings.telnyxApiKey } } : {}),
      ...(plivoAuthId && plivoAuthToken
        ? { plivo: { authId: plivoAuthId, authToken: plivoAuthToken } }
        : {}),
    },
    authorize: providerAuthorizer(settings, console.warn),
    localBargeIn: settings.localBargeIn,
    log: console.log,
  }),
} satisfies Deno.ServeDefaultExport;
