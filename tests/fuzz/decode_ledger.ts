// What a session's serializer read and answered, message by message, so that the surface fuzz can
// weigh the transport's close counters exactly: which messages it never read
// (`inboundMessagesDroppedOnClose`), which frames it made that the bot never got
// (`inboundFramesDroppedOnClose`), and the media share of each.
import type { Frame } from "../../mod.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import { PLAYOUT_MARK_PREFIX } from "../../src/playback.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import type { Prng } from "./prng.ts";

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
  botFrames: { before: number; last: number };
  /** The media frames among them (`isMediaFrame`), split alike. */
  mediaFrames: { before: number; last: number };
}

/**
 * Watches one serializer instance, patched in place (not wrapped: the transport tells Vonage's
 * and Asterisk's serializers by what they are). With `delays`, some `deserialize` calls answer
 * later, a promise that the fake clock settles (1 ms to 1 s: well inside `sendTimeoutMs`, so none
 * is given up), as `FrameSerializer.deserialize` allows: messages then wait behind it, and a
 * session that closes meanwhile leaves some decoded after the bot's frames ended and some unread.
 */
export class DecodeLedger {
  readonly #isMedia: (frame: Frame) => boolean;
  /** Whether each message the server's socket dispatched was media, in order. */
  readonly #sentMedia: readonly boolean[];
  #begun = 0;
  #lastBegunMedia = false;
  readonly #before = { bot: 0, media: 0 };
  #last = { bot: 0, media: 0 };

  constructor(
    serializer: FrameSerializer,
    sentMedia: readonly boolean[],
    isMedia: (frame: Frame) => boolean,
    late?: { clock: FakeClock; delays: Prng },
  ) {
    this.#sentMedia = sentMedia;
    this.#isMedia = isMedia;
    const deserialize = serializer.deserialize.bind(serializer);
    serializer.deserialize = (data) => {
      // The decoder reads one message at a time, in the order the socket dispatched them.
      this.#before.bot += this.#last.bot;
      this.#before.media += this.#last.media;
      const answer = (this.#last = { bot: 0, media: 0 });
      this.#lastBegunMedia = this.#sentMedia[this.#begun++] === true;
      const delay = late?.delays.pick([undefined, 1, 5, 20, 60, 300, 1000]);
      if (late === undefined || delay === undefined) return this.#tally(deserialize(data), answer);
      return late.clock.sleep(delay).then(async () => this.#tally(await deserialize(data), answer));
    };
    const finish = serializer.finish?.bind(serializer);
    if (finish !== undefined) {
      serializer.finish = () => {
        // Called once, after every answer taken: what it holds is handed on with them.
        const held = finish();
        this.#tally(held, this.#before);
        return held;
      };
    }
  }

  #tally<T>(frames: T, into: { bot: number; media: number }): T {
    const list = (frames == null ? [] : Array.isArray(frames) ? frames : [frames]) as Frame[];
    for (const frame of list) {
      if (frame.type === "mark" && frame.name.startsWith(PLAYOUT_MARK_PREFIX)) continue;
      into.bot++;
      if (this.#isMedia(frame)) into.media++;
    }
    return frames;
  }

  /** The tally once the session is over; `messagesIn` as the transport counted them. */
  tally(messagesIn: number): DecodeTally {
    const unread = this.#sentMedia.slice(this.#begun, messagesIn);
    return {
      unread: messagesIn - this.#begun,
      unreadMedia: unread.filter((m) => m).length,
      lastBegunMedia: this.#lastBegunMedia,
      botFrames: { before: this.#before.bot, last: this.#last.bot },
      mediaFrames: { before: this.#before.media, last: this.#last.media },
    };
  }
}
