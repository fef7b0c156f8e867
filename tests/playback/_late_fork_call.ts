/**
 * A jambonz or FreeSWITCH call whose serializer answers audio `lateMs` later (an asynchronous
 * `serialize`, as a wrapper of the user's may make it), marks and commands at once, against the
 * simulated mod_audio_fork (tests/serializers/fixtures/fork_module_playout.ts, built from
 * lws_glue.cpp): what the fork_late_answer_* tests share.
 *
 * @module
 */

import type { Frame, FrameSerializer, TransportOptions } from "../../mod.ts";
import { FORK_METADATA, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "../serializers/fixtures/fork_module_playout.ts";
import { narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";

/** How much later the serializer answers audio, by default. */
export const LATE_MS = 3;

/**
 * The call, its serializer answering audio late, the module's log, and the marks answered to the
 * bot (the call's `receive` handler gathers them). `lateMs`: how much later,
 * or a function of the audio frame (a remote encoder's time varies: an answer may come after the
 * next one asked for). `options`: the transport's, over the call's; `refuses`: the audio frames
 * whose late answer is a rejection (a remote encoder that failed: `OutboundSender.refusedLate`);
 * `countsLate`: audio is handed to the serializer only once the wait is over (a wrapper that
 * awaits its own work first), so the serializer counts it after the sender was told an answer is
 * due.
 */
export function lateForkCall(
  make: () => FrameSerializer,
  lateMs: number | ((frame: Frame) => number) = LATE_MS,
  { options = {}, refuses = () => false, countsLate = false }: {
    options?: TransportOptions;
    refuses?: (frame: Frame) => boolean;
    countsLate?: boolean;
  } = {},
) {
  const serializer = make();
  const call = narrowbandCall(serializer, options);
  const { clock, pair } = call;
  const serialize = serializer.serialize.bind(serializer);
  const delay = typeof lateMs === "number" ? () => lateMs : lateMs;
  serializer.serialize = (frame: Frame) => {
    if (frame.type !== "audio") return serialize(frame);
    const message = countsLate ? undefined : serialize(frame);
    const refused = refuses(frame);
    return clock.sleep(delay(frame)).then(() => {
      const late = countsLate ? serialize(frame) : message!;
      if (refused) throw new Error("the encoder failed");
      return late;
    });
  };
  const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
  const marks: string[] = [];
  call.transport.receive((frame) => {
    if (frame.type === "mark") marks.push(frame.name);
  });
  /**
   * Reply "r1", 400 ms in 20 ms writes a tick apart, the bot's mark "before-stop" written before
   * the 19th: between the transport's 40 ms chunks (`chunkMs`'s default: two writes each), so the
   * last chunk's answer, still to come when this returns (a tick after the last write), carries
   * its command.
   */
  const replyMarkedBeforeStop = async () => {
    for (let n = 0; n < 20; n++) {
      if (n === 18) call.transport.send({ type: "mark", name: "before-stop" });
      call.transport.send(forkAudio(20, 101, "r1"));
      await clock.tick(n < 19 ? 20 : 1);
    }
  };
  return { ...call, serializer, log, marks, replyMarkedBeforeStop };
}
