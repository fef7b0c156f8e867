/**
 * The hosted telephony providers whose far ends acknowledge playout marks, as the playback tests
 * run them against their simulated far ends (`_provider_call.ts`): each serializer at its line's
 * rate and chunk size.
 *
 * @module
 */

import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { ProviderCase } from "./_provider_call.ts";

export const TWILIO: ProviderCase = {
  protocol: "twilio",
  serializer: () => new TwilioSerializer(),
  rate: 8000,
  chunkMs: 20,
};

/** Twilio, Telnyx, Plivo, Exotel and Vonage. */
export const HOSTED_MARKING_PROVIDERS: readonly ProviderCase[] = [
  TWILIO,
  { protocol: "telnyx", serializer: () => new TelnyxSerializer(), rate: 8000, chunkMs: 20 },
  { protocol: "plivo", serializer: () => new PlivoSerializer(), rate: 8000, chunkMs: 20 },
  {
    protocol: "exotel",
    serializer: () => new ExotelSerializer(),
    rate: 8000,
    // Exotel's documented minimum chunk is 3,200 bytes (200 ms at 8 kHz): the first mark stands
    // after it, and a mark after every chunk keeps the acknowledgements within the 250 ms the
    // others get.
    chunkMs: 200,
    transport: { markIntervalMs: 200 },
  },
  { protocol: "vonage", serializer: () => new VonageSerializer(), rate: 16000, chunkMs: 20 },
];
