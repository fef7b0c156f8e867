/**
 * An `OrderedMedia` stage for a made-up provider ("Globex", 8 kHz in and out: no resampling),
 * bound to a context that keeps what it counts and reports, for the reorder tests.
 *
 * @module
 */

import { OrderedMedia, TelephonyAudio } from "../../../src/serializers/telephony/mod.ts";
import type { OrderedMediaOptions } from "../../../src/serializers/telephony/ordered_media.ts";
import type { TransportError } from "../../../src/errors.ts";

/** The stage, with its counts and reports. */
export function boundStage(
  options: Partial<OrderedMediaOptions> = {},
  encoding: "mulaw" | "pcm16le" = "mulaw",
) {
  const audio = new TelephonyAudio({ encoding, sampleRate: 8000, provider: "Globex" });
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  const ordered = new OrderedMedia({ audio, provider: "Globex", ...options });
  const counts: Record<string, number> = {};
  const reported: TransportError[] = [];
  ordered.bind({
    send() {},
    report: (error) => void reported.push(error),
    count(counter, amount = 1) {
      counts[counter] = (counts[counter] ?? 0) + amount;
    },
  });
  return { ordered, counts, reported };
}
