/**
 * An `OrderedMedia` stage for a made-up provider ("Globex", 8 kHz in and out: no resampling),
 * bound to a recording context, for the reorder tests.
 *
 * @module
 */

import { OrderedMedia, TelephonyAudio } from "../../../src/serializers/telephony/mod.ts";
import type { OrderedMediaOptions } from "../../../src/serializers/telephony/ordered_media.ts";
import type { Frame } from "../../../src/frames.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { recordingContext } from "../fixtures/recording_context.ts";

/** The made-up provider's audio codec, set up for 8 kHz mono both ways. */
export function globexAudio(encoding: "mulaw" | "pcm16le" = "mulaw"): TelephonyAudio {
  const audio = new TelephonyAudio({ encoding, sampleRate: 8000, provider: "Globex" });
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  return audio;
}

/** The stage, with its counts and reports. */
export function boundStage(
  options: Partial<OrderedMediaOptions> = {},
  encoding: "mulaw" | "pcm16le" = "mulaw",
) {
  const audio = globexAudio(encoding);
  const ordered = new OrderedMedia({ audio, provider: "Globex", ...options });
  const { context, counted: counts, reported } = recordingContext();
  ordered.bind(context);
  return { ordered, counts, reported };
}

/**
 * The stage on a fake clock, for the wall-time bound's tests: `handedOn` collects the frames it
 * hands on between messages (`SerializerContext.inboundFrames`), `counted` its counts.
 */
export function clockedStage(encoding: "mulaw" | "pcm16le" = "mulaw") {
  const clock = new FakeClock();
  const handedOn: Frame[][] = [];
  const { context, counted } = recordingContext({
    clock,
    inboundFrames: (frames) => void handedOn.push(frames),
  });
  const ordered = new OrderedMedia({ audio: globexAudio(encoding), provider: "Globex" });
  ordered.bind(context);
  return { clock, handedOn, counted, ordered };
}
