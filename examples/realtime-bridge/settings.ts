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
 * `OPENAI_REALTIME_URL`: a `wss:` URL with no fragment, a `ws:` one only to this machine
 * (`localhost`, `127.0.0.0/8`, `[::1]`), or unset (OpenAI's own). Read at start, not at the first
 * call: a value the WebSocket cannot open (no scheme, a fragment, `ftp:`) would otherwise let the
 * bridge serve and then hang up every call it takes, "the model is unavailable". An
 * `http:`/`https:` one is refused too, with its `ws:`/`wss:` spelling to write: Deno's WebSocket
 * would open it as that, but the setting names a WebSocket endpoint, as the README writes it.
 *
 * `ws:` to any other host is refused, `wss:` named instead: the bridge sends the API key on every
 * call's handshake (`Authorization: Bearer …`), and over `ws:` that header crosses the network in
 * clear, for anyone on the path to read and spend. On this machine it never leaves it: a local
 * test service (as the tests' fake) or a local proxy that speaks TLS onwards.
 */
function parseRealtimeUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // `#` alone is a fragment too (an empty one), which the WebSocket refuses as any other.
  const fragment = text.includes("#");
  if (url !== undefined && (url.protocol === "ws:" || url.protocol === "wss:") && !fragment) {
    if (url.protocol === "wss:" || isLoopbackHost(url.hostname)) return text;
    throw new RangeError(
      `OPENAI_REALTIME_URL must be a wss: URL to reach ${url.host}, got ${JSON.stringify(text)}: ` +
        "over ws: the API key (the handshake's Authorization header) would cross the network in " +
        "clear, so ws: is taken only to this machine (localhost, 127.0.0.0/8, [::1]): write " +
        JSON.stringify(securedSpelling(url)),
    );
  }
  // The URL meant, when only the scheme (or a fragment) is wrong: say so, rather than use it.
  let meant: string | undefined;
  if (url !== undefined && /^(?:http|https|ws|wss):$/.test(url.protocol)) {
    url.hash = "";
    const spelled = new URL(url.href.replace(/^http/, "ws"));
    // Never a ws: URL that the check above would refuse in turn.
    meant = spelled.protocol === "ws:" && !isLoopbackHost(spelled.hostname)
      ? securedSpelling(spelled)
      : spelled.href;
  }
  throw new RangeError(
    "OPENAI_REALTIME_URL must be a ws: or wss: URL without a fragment, such as " +
      `wss://api.openai.com/v1/realtime, got ${JSON.stringify(text)}` +
      (meant === undefined ? "" : `: write ${JSON.stringify(meant)}`),
  );
}

/** `url` (a `ws:` one) spelled `wss:`: the same endpoint, its key carried under TLS. */
function securedSpelling(url: URL): string {
  return url.href.replace(/^ws:/, "wss:");
}

/**
 * Whether a URL's `hostname` (as `URL` normalizes it: lower case, IPv4 in dotted decimal, IPv6 in
 * brackets and shortest form) names this machine: `localhost`, an address in 127.0.0.0/8, or
 * `[::1]`. Nothing else, though other names may resolve here too: a name is only as local as the
 * resolver says, and the key must not depend on that.
 */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
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
