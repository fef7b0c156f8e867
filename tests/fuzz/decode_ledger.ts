// What a session's serializer read and answered, message by message, so that the surface fuzz can
// weigh the transport's inbound counters exactly: which messages it never read
// (`inboundMessagesDroppedOnClose`), which frames it made that the bot never got
// (`inboundFramesDroppedOnClose`), which it read after the far end's end of stream
// (`inboundAfterEnd`), which answers were no frame or which `finish` threw (`decodeErrors`), and
// the media share of each.
import type { AudioFrame, Frame } from "../../mod.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import { PLAYOUT_MARK_PREFIX } from "../../src/playback.ts";
import type { DeserializeResult, FrameSerializer } from "../../src/serializer.ts";
import type { Prng } from "./prng.ts";

/**
 * One message the far end sent, as its protocol's documentation describes it (not as our
 * serializer reads it): the far end knows what it sent.
 */
export interface SentMessage {
  /** The caller's audio (or ConversationRelay's prompt): one media frame when read. */
  media: boolean;
  /**
   * Sent after the far end's own end of stream, where the protocol has one that ends the stream
   * (`InboundProtocol.endsStream`: Twilio's docs, "Stop message", the stream "has stopped"): the
   * serializer reads it as nothing, and counts it in `inboundAfterEnd`.
   */
  afterEnd: boolean;
}

/**
 * The frames `TelephonyAudio.flushInbound` made: the caller's last samples a serializer's
 * inbound resampler held back, handed on as a frame of their own where a stream ends (its end of
 * stream, a start that changes the rate, the close: `OrderedMedia`'s flush and reset, Vonage's
 * rate change). Each is the end of the message before it, not a message of its own. Told by the
 * frame itself (the method is watched for every session of this process), as its size or time
 * cannot tell it from a short message's frame.
 */
const resamplerTails = new WeakSet<Frame>();
const flushInbound = TelephonyAudio.prototype.flushInbound;
TelephonyAudio.prototype.flushInbound = function (this: TelephonyAudio): AudioFrame | null {
  const tail = flushInbound.call(this);
  if (tail !== null) resamplerTails.add(tail);
  return tail;
};

/** Whether `frame` is a resampler's tail (see `resamplerTails`). */
export const isResamplerTail = (frame: Frame): boolean => resamplerTails.has(frame);

/** A count split at the last message begun, whose answer is not taken if it was under way. */
export interface Split {
  before: number;
  last: number;
}

/** A serializer's answers, summed, with what the far end sent to tell them by. */
export interface DecodeTally {
  /** Messages the transport received (`messagesIn`) whose `deserialize` was never called. */
  unread: number;
  /** Of those, the far end's media messages. */
  unreadMedia: number;
  /** Whether the last message whose `deserialize` was called was media (the one under way). */
  lastBegunMedia: boolean;
  /**
   * Frames the serializer answered (and `finish` held) that go to the bot, the transport's own
   * playout marks left out (`PLAYOUT_MARK_PREFIX`: it takes them itself), split at the last
   * message begun: its answer is taken unless its decode was still under way when the session
   * ended (then it is `inboundMessagesDroppedOnClose`'s).
   */
  botFrames: Split;
  /** The media frames among them (`isMediaFrame`), split alike. */
  mediaFrames: Split;
  /** The resampler tails among those (`isResamplerTail`), split alike: no message's own. */
  tailFrames: Split;
  /**
   * Messages sent after the far end's end of stream (`SentMessage.afterEnd`), split at the last
   * begun: the serializer counts each as it reads it, and the one under way when the session
   * ended, read after, is counted in `inboundMessagesDroppedOnClose` alone.
   */
  afterEnd: Split;
  /** The media messages among them, split at the last begun (its answer, nothing, taken or not). */
  afterEndMedia: Split;
  /** Answers with a value that is no frame beside their frames: a decode error each, if taken. */
  malformed: Split;
  /** Whether `finish` threw (a decode error): what it held is lost with it, counted by it. */
  finishThrew: boolean;
  /** The media frames `finish` held when it threw. */
  mediaLostInFinish: number;
  /** The resampler tails among them. */
  tailsLostInFinish: number;
}

/** Faults the ledger plants in the serializer's answers, each drawn by its own chance. */
export interface PlantedFaults {
  rng: Prng;
  /** Per answer: a value that is no frame, beside the frames (a serializer's bug). */
  malformed: number;
  /** Once: `finish` throws after the serializer has given up what it held (a bug too). */
  finishThrows: number;
}

/** The no-frame value planted in an answer: a frame type no transport knows. */
const NOT_A_FRAME = { type: "fuzz-not-a-frame" };

/**
 * Watches one serializer instance, patched in place (not wrapped: the transport tells Vonage's
 * and Asterisk's serializers by what they are). With `delays`, some `deserialize` calls answer
 * later, a promise that the fake clock settles (1 ms to 1 s: well inside `sendTimeoutMs`, so none
 * is given up), as `FrameSerializer.deserialize` allows: messages then wait behind it, and a
 * session that closes meanwhile leaves some decoded after the bot's frames ended and some unread.
 * With `faults`, some answers carry a value that is no frame and `finish` may throw.
 */
export class DecodeLedger {
  readonly #isMedia: (frame: Frame) => boolean;
  /** What each message the server's socket dispatched was, in order. */
  readonly #sent: readonly SentMessage[];
  #begun = 0;
  #lastBegun: SentMessage | undefined;
  readonly #before = { bot: 0, media: 0, tails: 0, malformed: 0 };
  #last = { bot: 0, media: 0, tails: 0, malformed: 0 };
  readonly #afterEnd: Split = { before: 0, last: 0 };
  readonly #afterEndMedia: Split = { before: 0, last: 0 };
  #finishThrew = false;
  #mediaLostInFinish = 0;
  #tailsLostInFinish = 0;

  constructor(
    serializer: FrameSerializer,
    sent: readonly SentMessage[],
    isMedia: (frame: Frame) => boolean,
    late?: { clock: FakeClock; delays: Prng },
    faults?: PlantedFaults,
  ) {
    this.#sent = sent;
    this.#isMedia = isMedia;
    const deserialize = serializer.deserialize.bind(serializer);
    serializer.deserialize = (data) => {
      // The decoder reads one message at a time, in the order the socket dispatched them.
      this.#before.bot += this.#last.bot;
      this.#before.media += this.#last.media;
      this.#before.tails += this.#last.tails;
      this.#before.malformed += this.#last.malformed;
      const answer = (this.#last = { bot: 0, media: 0, tails: 0, malformed: 0 });
      const message = this.#lastBegun = this.#sent[this.#begun++];
      this.#afterEnd.before += this.#afterEnd.last;
      this.#afterEnd.last = message?.afterEnd ? 1 : 0;
      this.#afterEndMedia.before += this.#afterEndMedia.last;
      this.#afterEndMedia.last = message?.afterEnd && message.media ? 1 : 0;
      const malformed = faults !== undefined && faults.rng.chance(faults.malformed);
      // No serializer of this package answers later by itself: the delay here is all there is.
      const read = () => deserialize(data) as Frame | Frame[] | null;
      const delay = late?.delays.pick([undefined, 1, 5, 20, 60, 300, 1000]);
      if (late === undefined || delay === undefined) {
        return this.#answer(read(), answer, malformed);
      }
      return late.clock.sleep(delay).then(() => this.#answer(read(), answer, malformed));
    };
    // Frames handed on between messages (a reorder window's wall-time bound) are answers too.
    const bind = serializer.bind?.bind(serializer);
    if (bind !== undefined) {
      serializer.bind = (context) => {
        const handOn = context.inboundFrames;
        if (handOn === undefined) return bind(context);
        bind({
          ...context,
          inboundFrames: (frames) => {
            this.#tally(frames, this.#before);
            handOn(frames);
          },
        });
      };
    }
    const finish = serializer.finish?.bind(serializer);
    if (finish !== undefined) {
      const throws = faults !== undefined && faults.rng.chance(faults.finishThrows);
      serializer.finish = () => {
        // Called once, after every answer taken: what it holds is handed on with them.
        const held = finish();
        if (!throws) {
          this.#tally(held, this.#before);
          return held;
        }
        this.#finishThrew = true;
        const lost = { bot: 0, media: 0, tails: 0 };
        this.#tally(held, lost);
        this.#mediaLostInFinish = lost.media;
        this.#tailsLostInFinish = lost.tails;
        throw new Error("a fault the fuzz planted: finish threw");
      };
    }
  }

  /** Tallies an answer into `into`; with `malformed`, a value that is no frame goes with it. */
  #answer(
    frames: Frame | Frame[] | null,
    into: { bot: number; media: number; tails: number; malformed: number },
    malformed: boolean,
  ): DeserializeResult {
    const tallied = this.#tally(frames, into);
    if (!malformed) return frames;
    into.malformed++;
    return [...tallied, NOT_A_FRAME as unknown as Frame];
  }

  #tally(
    frames: Frame | Frame[] | null | undefined,
    into: { bot: number; media: number; tails: number },
  ) {
    const list = frames == null ? [] : Array.isArray(frames) ? frames : [frames];
    for (const frame of list) {
      if (frame.type === "mark" && frame.name.startsWith(PLAYOUT_MARK_PREFIX)) continue;
      into.bot++;
      if (this.#isMedia(frame)) into.media++;
      if (isResamplerTail(frame)) into.tails++;
    }
    return list;
  }

  /** The tally once the session is over; `messagesIn` as the transport counted them. */
  tally(messagesIn: number): DecodeTally {
    const unread = this.#sent.slice(this.#begun, messagesIn);
    return {
      unread: messagesIn - this.#begun,
      unreadMedia: unread.filter((m) => m.media).length,
      lastBegunMedia: this.#lastBegun?.media === true,
      botFrames: { before: this.#before.bot, last: this.#last.bot },
      mediaFrames: { before: this.#before.media, last: this.#last.media },
      tailFrames: { before: this.#before.tails, last: this.#last.tails },
      afterEnd: { ...this.#afterEnd },
      afterEndMedia: { ...this.#afterEndMedia },
      malformed: { before: this.#before.malformed, last: this.#last.malformed },
      finishThrew: this.#finishThrew,
      mediaLostInFinish: this.#mediaLostInFinish,
      tailsLostInFinish: this.#tailsLostInFinish,
    };
  }
}
