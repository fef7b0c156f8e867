/**
 * A jambonz or FreeSWITCH call whose serializer answers audio `lateMs` later (an asynchronous
 * `serialize`, as a wrapper of the user's may make it), marks and commands at once, against the
 * simulated mod_audio_fork (tests/serializers/fixtures/fork_module_playout.ts, built from
 * lws_glue.cpp): what the fork_late_answer_* tests share.
 *
 * @module
 */

import type { Frame, FrameSerializer } from "../../mod.ts";
import { FORK_METADATA } from "../serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "../serializers/fixtures/fork_module_playout.ts";
import { narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";

/** How much later the serializer answers audio, by default. */
export const LATE_MS = 3;

/** The call, its serializer answering audio late, and the module's log. */
export function lateForkCall(make: () => FrameSerializer, lateMs = LATE_MS) {
  const serializer = make();
  const call = narrowbandCall(serializer);
  const { clock, pair } = call;
  const serialize = serializer.serialize.bind(serializer);
  serializer.serialize = (frame: Frame) => {
    const message = serialize(frame);
    return frame.type === "audio" ? clock.sleep(lateMs).then(() => message) : message;
  };
  const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
  return { ...call, serializer, log };
}
