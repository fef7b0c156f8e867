/**
 * The bridge's settings, read from the environment by `main.ts`.
 *
 * @module
 */

import type { TelephonyProvider } from "@x/ws-transport/detect";
import { PROVIDERS } from "./_telephony_socket.ts";
import { checkedProviders, type ProviderChecks } from "./provider_checks.ts";
import { parsePublicHost } from "./public_host.ts";
import { checkedRealtimeUrl } from "./realtime_url.ts";

/** What `main.ts` runs the bridge with. */
export interface BridgeSettings extends ProviderChecks {
  apiKey: string;
  url?: string | undefined;
  model?: string | undefined;
  voice?: string | undefined;
  instructions?: string | undefined;
  localBargeIn: boolean;
  telnyxApiKey?: string | undefined;
  plivoAuthId?: string | undefined;
}

/**
 * The settings in `env` (a variable set to "" counts as unset); a RangeError naming the first
 * that is missing or wrong, for `main.ts` to print before it serves anything.
 */
export function readSettings(env: (name: string) => string | undefined): BridgeSettings {
  const get = (name: string) => env(name) || undefined;
  const apiKey = get("OPENAI_API_KEY");
  if (apiKey === undefined) {
    throw new RangeError("OPENAI_API_KEY is not set: the bridge needs it to reach OpenAI");
  }
  const publicHost = get("PUBLIC_HOST");
  const plivoAuthId = get("PLIVO_AUTH_ID");
  const plivoAuthToken = get("PLIVO_AUTH_TOKEN");
  if (plivoAuthId !== undefined && plivoAuthToken === undefined) {
    // The id alone turns nothing on: the signature check needs only the token, the hang-up both.
    throw new RangeError(
      "PLIVO_AUTH_ID is set without PLIVO_AUTH_TOKEN: hanging Plivo calls up through its API " +
        "takes both (PLIVO_AUTH_TOKEN alone checks the signature on /plivo)",
    );
  }
  const settings: BridgeSettings = {
    apiKey,
    url: parseRealtimeUrl(get("OPENAI_REALTIME_URL")),
    model: get("OPENAI_REALTIME_MODEL"),
    voice: get("OPENAI_VOICE"),
    instructions: get("BRIDGE_INSTRUCTIONS"),
    localBargeIn: parseLocalBargeIn(get("LOCAL_BARGE_IN")),
    publicHost: publicHost === undefined ? undefined : parsePublicHost(publicHost),
    twilioAuthToken: get("TWILIO_AUTH_TOKEN"),
    telnyxApiKey: get("TELNYX_API_KEY"),
    plivoAuthId,
    plivoAuthToken,
    openProviders: [],
  };
  settings.openProviders = parseOpenProviders(get("OPEN_PROVIDERS") ?? "", settings);
  return settings;
}

/**
 * `OPENAI_REALTIME_URL`: unset (OpenAI's own), or a URL `OpenAIRealtime` takes (see
 * `checkedRealtimeUrl`). Read at start, not at the first call: a value the WebSocket cannot open
 * (no scheme, a fragment, `ftp:`) or a `ws:` one to another machine would otherwise let the bridge
 * serve and then hang up every call it takes, "the model is unavailable".
 */
function parseRealtimeUrl(text: string | undefined): string | undefined {
  return text === undefined ? undefined : checkedRealtimeUrl(text, "OPENAI_REALTIME_URL");
}

/**
 * `LOCAL_BARGE_IN`: "1" on, "0" (or unset) off. Anything else is refused: read as off, a "true" or
 * "yes" would leave the bridge's own barge-in detection off while its operator thinks it on.
 */
function parseLocalBargeIn(text: string | undefined): boolean {
  if (text === undefined || text === "0") return false;
  if (text === "1") return true;
  throw new RangeError(
    "LOCAL_BARGE_IN takes 1 (detect barge-in on the caller's audio too) or 0 (the model's own " +
      `detector alone, as when unset), got ${JSON.stringify(text)}`,
  );
}

/**
 * `OPEN_PROVIDERS` (comma-separated path names, e.g. `vonage,genesys`). A provider whose check is
 * configured cannot be listed: opening it would switch that check off without a word.
 */
function parseOpenProviders(text: string, checks: ProviderChecks): TelephonyProvider[] {
  const checkedBy = new Map(checkedProviders(checks));
  return text.split(",").map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const provider = PROVIDERS.find((name) => name === entry);
    if (provider === undefined) {
      throw new RangeError(
        `OPEN_PROVIDERS must list providers among ${PROVIDERS.join(", ")}, got ` +
          JSON.stringify(entry),
      );
    }
    const setting = checkedBy.get(provider);
    if (setting !== undefined) {
      throw new RangeError(
        `OPEN_PROVIDERS lists ${provider}, whose calls ${setting} checks: leave one of them out`,
      );
    }
    return provider;
  });
}
