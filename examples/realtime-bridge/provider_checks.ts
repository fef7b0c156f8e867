/**
 * Which calls the bridge takes: {@linkcode providerAuthorizer}, the `authorize` hook `main.ts`
 * gives `realtimeBridge`, from the provider checks configured.
 *
 * @module
 */

import type { TelephonyProvider } from "@x/ws-transport/detect";
import { verifyPlivoSignature } from "@x/ws-transport/plivo";
import { verifyTwilioSignature } from "@x/ws-transport/twilio";

/** The checks configured (from `TWILIO_AUTH_TOKEN`, `PLIVO_AUTH_TOKEN`, …; see `main.ts`). */
export interface ProviderChecks {
  /** Checks `X-Twilio-Signature` on `/twilio`. */
  twilioAuthToken?: string | undefined;
  /** Checks `X-Plivo-Signature-V3` (or `-Ma-V3`: the main account's token) on `/plivo`. */
  plivoAuthToken?: string | undefined;
  /** The host the providers call (behind a tunnel, not the request's own): the URL they sign. */
  publicHost?: string | undefined;
  /** Providers whose paths take calls unchecked while other providers' calls are checked. */
  openProviders: readonly TelephonyProvider[];
}

/** The providers whose upgrade a signature check guards, with the setting that turns it on. */
export function checkedProviders(checks: ProviderChecks): [TelephonyProvider, string][] {
  const checked: [TelephonyProvider, string][] = [];
  if (checks.twilioAuthToken !== undefined) checked.push(["twilio", "TWILIO_AUTH_TOKEN"]);
  if (checks.plivoAuthToken !== undefined) checked.push(["plivo", "PLIVO_AUTH_TOKEN"]);
  return checked;
}

/**
 * The `authorize` hook for `checks`. With no check configured every path is open. Once one is,
 * each call must pass its provider's check: a provider with none configured (Telnyx, Exotel,
 * Vonage and Genesys have none here) is refused unless `openProviders` names it, and so is the
 * detecting path (`/media`, `/`), where a caller that names no provider could claim to be any
 * unchecked one. Says through `warn` why each request was refused.
 */
export function providerAuthorizer(
  checks: ProviderChecks,
  warn: (...data: unknown[]) => void,
): (request: Request, provider: TelephonyProvider | undefined) => Promise<boolean> {
  const checked = checkedProviders(checks);
  const settings = checked.map(([, setting]) => setting).join(" and ");
  return async (request, provider) => {
    if (checked.length === 0) return true;
    const url = new URL(request.url);
    const refuse = (why: string) => (warn(`refused ${url.pathname}: ${why}`), false);
    if (provider === undefined) {
      return refuse(
        `with ${settings} set, the detecting path takes no calls: point each provider at its own path`,
      );
    }
    if (checks.openProviders.includes(provider)) return true;
    // The providers sign the URL they called; behind a tunnel that is the public one, not ours.
    const signedUrl = `wss://${checks.publicHost ?? url.host}${url.pathname}${url.search}`;
    const verdict = (valid: boolean, headers: string[], setting: string) =>
      valid || refuse(
        headers.some((header) => request.headers.has(header))
          ? `${headers.join(" / ")} does not match ${signedUrl} (is PUBLIC_HOST the host the ` +
            `provider calls, and ${setting} this account's?)`
          : `no ${headers.join(" or ")}`,
      );
    if (provider === "twilio" && checks.twilioAuthToken !== undefined) {
      const valid = await verifyTwilioSignature(request, {
        authToken: checks.twilioAuthToken,
        url: signedUrl,
      });
      return verdict(valid, ["x-twilio-signature"], "TWILIO_AUTH_TOKEN");
    }
    if (provider === "plivo" && checks.plivoAuthToken !== undefined) {
      const valid = await verifyPlivoSignature(request, {
        authToken: checks.plivoAuthToken,
        url: signedUrl,
      });
      return verdict(
        valid,
        ["x-plivo-signature-v3", "x-plivo-signature-ma-v3"],
        "PLIVO_AUTH_TOKEN",
      );
    }
    return refuse(
      `${provider} calls have no check here and ${settings} is set: list ${provider} in ` +
        "OPEN_PROVIDERS to take its calls unchecked",
    );
  };
}
