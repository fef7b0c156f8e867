/**
 * The bridge's settings, read from the environment by `main.ts`.
 *
 * @module
 */

import type { TelephonyProvider } from "@x/ws-transport/detect";
import { PROVIDERS } from "./_telephony_socket.ts";
import { checkedProviders, type ProviderChecks } from "./provider_checks.ts";
import { parsePublicHost } from "./public_host.ts";

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
  const settings: BridgeSettings = {
    apiKey,
    url: get("OPENAI_REALTIME_URL"),
    model: get("OPENAI_REALTIME_MODEL"),
    voice: get("OPENAI_VOICE"),
    instructions: get("BRIDGE_INSTRUCTIONS"),
    localBargeIn: get("LOCAL_BARGE_IN") === "1",
    publicHost: publicHost === undefined ? undefined : parsePublicHost(publicHost),
    twilioAuthToken: get("TWILIO_AUTH_TOKEN"),
    telnyxApiKey: get("TELNYX_API_KEY"),
    plivoAuthId: get("PLIVO_AUTH_ID"),
    plivoAuthToken: get("PLIVO_AUTH_TOKEN"),
    openProviders: [],
  };
  settings.openProviders = parseOpenProviders(get("OPEN_PROVIDERS") ?? "", settings);
  return settings;
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
