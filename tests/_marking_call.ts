/**
 * A 16 kHz session over memory sockets on a fake clock, with 20 ms chunks and a far end
 * (`tests/_fake_far_end.ts`) that plays what arrives and answers a mark once the audio before it
 * has played, as Twilio's Media Streams documents "mark": for tests of a serializer of the test's
 * own making (one that answers late, or refuses late) on that far end.
 *
 * @module
 */

import type {
  AudioFrame,
  Frame,
  FrameSerializer,
  OutboundMixer,
  SerializedMessage,
  TransportError,
  TransportOptions,
} from "../mod.ts";
import { WebSocketTransport } from "../mod.ts";
import { type FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";
import { BYTES_PER_MS, replyAudio } from "./_stall_call.ts";

/** The session started (the clock ticked once), its errors gathered as they come. */
export async function markingCall(
  clock: FakeClock,
  serializer: FrameSerializer,
  options: Omit<TransportOptions, "serializer" | "clock" | "audioOut">,
) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  transport.receive(() => {});
  await clock.tick(0);
  /** The bot's reply of `ms`, every byte 7 (`farEnd.playedMs(7)`), tagged `responseId` if given. */
  const say = (ms: number, responseId?: string) => transport.send(replyAudio(ms, responseId));
  return { pair, transport, farEnd, errors, say };
}

/** How {@linkcode refusesLate}'s serializer refuses the late chunk. */
export type Refusal = "rejects" | "no message";

/**
 * The far end's serializer, whose `late`th audio chunk (from 1) is answered `ms` later with a
 * refusal: a rejected promise, or an answer that is no message. Every other frame is answered at
 * once (a serializer that waits only now and then: a remote encoder's hiccup).
 */
export function refusesLate(
  clock: FakeClock,
  late: number,
  ms: number,
  how: Refusal,
): FrameSerializer {
  return lateChunk(clock, late, ms, (): SerializedMessage => {
    if (how === "rejects") throw new Error("encoder gone");
    return 42 as unknown as SerializedMessage; // no message: refused as an encode error
  });
}

/** As {@linkcode refusesLate}, but the late chunk is answered as it would have been at once. */
export function answersLate(clock: FakeClock, late: number, ms: number): FrameSerializer {
  return lateChunk(clock, late, ms, (frame, marking) => marking.serialize(frame));
}

/** A marking serializer whose `late`th audio chunk is answered `ms` later by `answer`. */
function lateChunk(
  clock: FakeClock,
  late: number,
  ms: number,
  answer: (frame: Frame, marking: MarkingSerializer) => ReturnType<FrameSerializer["serialize"]>,
): FrameSerializer {
  const marking = new MarkingSerializer();
  let chunks = 0;
  return {
    playoutMarks: true,
    setup: (audio) => marking.setup(audio),
    deserialize: (data) => marking.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "audio" || ++chunks !== late) return marking.serialize(frame);
      return clock.sleep(ms).then(() => answer(frame, marking));
    },
  };
}

/**
 * A background of 20 ms at 16 kHz mono, every byte 3, in every slot; speech passes through
 * unmixed.
 */
export const hum: OutboundMixer = {
  attach() {},
  mix: (chunk: AudioFrame) => chunk,
  fill: () => ({
    type: "audio",
    audio: new Uint8Array(20 * BYTES_PER_MS).fill(3),
    sampleRate: 16000,
    channels: 1,
  }),
  detach() {},
};
