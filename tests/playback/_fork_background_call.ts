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
import { forkAudio, simulatedForkModule } from "../serializers/fixtures/fork_serializers.ts";
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

/**
 * Reply "r1" relayed in real time (300 ms), 30 marks of the bot's at its end (every slot the
 * module has: the end-of-speech mark that follows is declined), then `ms` of the call, reply "r2"
 * written from `r2At` on (if given, 20 ms writes for 600 ms), `atTick` called with each
 * millisecond of it before the clock moves on. Returns how far `heardMs` ran ahead of (`most`) or
 * behind (`least`) what the module had played of r2 while r2 was audible.
 */
export async function declinedEndThen(
  { clock, transport, playedRuns }: ReturnType<typeof forkBackgroundCall>,
  ms: number,
  r2At = Infinity,
  atTick: (t: number) => void = () => {},
) {
  let most = -Infinity;
  let least = Infinity;
  for (let t = 0; t < ms; t++) {
    if (t % 20 === 0 && t < 300) transport.send(forkAudio(20, 101, "r1"));
    if (t === 300) {
      for (let m = 0; m < 30; m++) transport.send({ type: "mark", name: `b${m}` });
    }
    atTick(t);
    if (t % 20 === 0 && t >= r2At && t < r2At + 600) transport.send(forkAudio(20, 102, "r2"));
    await clock.tick(1);
    const { responseId, speaking, heardMs } = transport.playback;
    if (responseId !== "r2" || !speaking) continue;
    const now = clock.now();
    let played = 0;
    for (const run of playedRuns()) {
      if (run.value === 102 && run.at <= now) played += Math.min(run.ms, now - run.at);
    }
    most = Math.max(most, heardMs - played);
    least = Math.min(least, heardMs - played);
  }
  return { most, least };
}
