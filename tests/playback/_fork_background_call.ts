/**
 * A jambonz or FreeSWITCH call with background audio filling the slots between replies, against
 * the simulator's mod_audio_fork far end (`simulatedForkModule`, built from
 * jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899): what the
 * fork_background_*_test.ts files share.
 *
 * @module
 */

import type { FrameSerializer, OutboundMixer } from "../../mod.ts";
import { PLAYOUT_END_MARK_PREFIX } from "../../src/playback.ts";
import { simulatedForkModule } from "../serializers/fixtures/fork_serializers.ts";
import { level, narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";

/** The background's sample value (the reply's are 100 and up, silence 0). */
export const FORK_BACKGROUND = 7;

/**
 * The call on a fresh serializer from `make`, the module reading it (`playedRuns`) and the bot's
 * `receive` handler set. The background is level {@linkcode FORK_BACKGROUND}, a 40 ms fill (the
 * transport's chunk at 8 kHz), not mixed in speech. With `stopsAtEndMark`, it leaves its slots
 * empty from the first end-of-speech mark the serializer is handed on (`filling()` then false):
 * the mark's command, held for the background's next chunk, has none to ride with.
 */
export function forkBackgroundCall(
  make: () => FrameSerializer,
  { stopsAtEndMark = false }: { stopsAtEndMark?: boolean } = {},
) {
  let filling = true;
  let wake = () => {};
  const background: OutboundMixer = {
    attach(_format, wakeUp) {
      wake = wakeUp;
    },
    mix: (chunk) => chunk,
    fill: () =>
      filling
        ? { type: "audio", audio: level(40, FORK_BACKGROUND), sampleRate: 8000, channels: 1 }
        : undefined,
    detach() {},
  };
  const serializer = make();
  if (stopsAtEndMark) {
    // Stopped as the serializer is handed the mark: the background's very next slot finds it so.
    const serialize = serializer.serialize.bind(serializer);
    serializer.serialize = (frame) => {
      if (frame.type === "mark" && frame.name.startsWith(PLAYOUT_END_MARK_PREFIX)) filling = false;
      return serialize(frame);
    };
  }
  const { clock, pair, transport } = narrowbandCall(serializer, { background });
  const { playedRuns } = simulatedForkModule(clock, pair);
  transport.receive(() => {});
  // `stop`: the background leaves its slots empty from now on, whatever marks are pending;
  // `resume`: it has chunks again, and wakes the transport (a stream short of a chunk for a read).
  const resume = () => {
    filling = true;
    wake();
  };
  const stop = () => void (filling = false);
  return { clock, transport, playedRuns, filling: () => filling, stop, resume };
}
