/**
 * Inbound media of a numbered protocol, in order: a serializer pushes each media message's
 * number, media time and payload; out come audio frames in order, with silence of the right
 * length where media went missing.
 *
 * @module
 */

import type { AudioFrame, Frame } from "../../frames.ts";
import type { ClockTimer } from "../../clock.ts";
import type { SerializerContext } from "../../serializer.ts";
import type { InboundPacketInfo } from "../../session_observer.ts";
import { decodeBase64 } from "./base64.ts";
import { MAX_AHEAD_MS, StampPlacement } from "./_stamp_placement.ts";
import { type MediaPacket, MediaReorder, type MediaReorderOutput } from "./media_reorder.ts";
import type { TelephonyAudio } from "./telephony_audio.ts";
import { bytesPerSample, SILENCE_BYTE } from "./telephony_encoding.ts";
import { TransportError } from "../../errors.ts";
import { thrownText } from "../../_thrown_text.ts";

/**
 * A filled gap is cut into no more frames than one per this many ms (see the gap filler below):
 * frames of 50–100 ms, or of the missing packets' length where that is longer.
 */
const GAP_FRAME_MS = 100;

/**
 * How long, in wall time, media may wait behind a hole with the stage not moving on (no packet
 * or gap delivered), in windows (`windowMs`): in a stream that flows, newer media gives a hole up
 * after one window of media (about as long in real time); the clock gives it up only where the
 * far end sent nothing after it, or the network stalled for four windows, and a packet that
 * comes later still is counted late.
 */
const HELD_WALL_WINDOWS = 4;

/** Frame times are sums of sample counts over the rate: closer than this is no overlap. */
const OVERLAP_EPSILON_MS = 1e-6;

/**
 * How many chunks up to the newest delivered say whether each was delivered (one bit each, see
 * `#deliveredChunks`): a packet from before a switch of order that comes after it is counted a
 * duplicate where its chunk was delivered, late where it was a hole; older ones are counted late.
 */
const DELIVERED_CHUNKS = 32;

/**
 * Where the packet delivered last before a switch of order is retold to the new stage, which
 * goes on from it (see `reorderBy`): it went out already.
 */
const ALREADY_DELIVERED: MediaReorderOutput<Uint8Array> = { packet: () => {}, gap: () => {} };

/** Options for {@linkcode OrderedMedia}. */
export interface OrderedMediaOptions {
  /** The serializer's inbound converter: it decodes payloads and knows the wire format. */
  audio: TelephonyAudio;
  /** The provider's name, for error messages. */
  provider: string;
  /**
   * What puts packets in order (see `MediaReorderOptions.orderBy`).
   *
   * @default {"sequence"}
   */
  orderBy?: "sequence" | "timestamp";
  /**
   * How late, in ms of media, a packet may come and still be put in its place.
   *
   * @default {60}
   */
  windowMs?: number;
  /**
   * The range of the number packets are ordered by, for a provider whose numbers wrap: the
   * sequence's (65536 for a 16-bit counter, which wraps every 21.8 minutes of 20 ms packets), or
   * with `orderBy: "timestamp"` the media time's, in ms. Numbers must then lie in
   * `[0, modulus)`; one outside is a decode error (see `MediaReorderOptions.modulus`). By
   * sequence it bounds the sequence only: media times are read as they come. None of the
   * providers shipped here needs it (Twilio, Telnyx, Plivo and Exotel document no bound on
   * `media.chunk` or `media.timestamp`). A `RangeError` unless an integer of at least 2.
   *
   * @default {undefined} numbers never wrap.
   */
  modulus?: number;
}

/** One media message as read off the wire. */
export interface MediaMessage {
  /** Its per-media number (`media.chunk`, not a count of all messages), when the protocol gives one. */
  sequence?: number | undefined;
  /** Its media time in ms (`media.timestamp`), when the protocol gives one. */
  timestampMs?: number | undefined;
  /** The base64 payload. */
  payload: string;
}

/**
 * Puts a numbered protocol's inbound media in order with a {@linkcode MediaReorder} and decodes it,
 * feeding gaps through the decoder as silence so its resampler stays continuous. Frames carry
 * `timestampMs`, never negative: the message's own media time counted from the first media message
 * delivered (and, after a resync, from where delivery stood; by timestamp, never before where the
 * frame before ends, see `#clearOfHeard`), or the position on the media timeline
 * when a message carries none, or one that cannot be right (counted in `decodeErrors` and reported;
 * the audio still goes out). Bound to a context with a clock, each message with a media time is
 * told to the context as it arrives ({@linkcode SerializerContext.inboundPacket}; its media time
 * counted from the stream's first packet), those the stage then drops too: the network's jitter is
 * measured from every packet received, not from the frames. A message without the number the stage
 * orders by goes through as it came. By timestamp, a packet with a newer number than any before it,
 * stamped from one packet before to less than half a packet after where the newest ends (read less
 * the stamps' running bias against the packets' grid), is placed there: its stamp jittered (a burst
 * stamped alike), it is no duplicate, and nothing is missing before it. One a whole number of
 * packets after, within 0.3 of a packet (6 ms of 20), is placed exactly that many packets on, its
 * jitter left out (while every packet taken is of one length: where lengths vary, a loss is of
 * packets of any length, and a packet is placed against the newest's stamp). So is one stamped
 * farther back, up to 5 s, right after the stream's first packet since its start (not the first
 * after {@linkcode OrderedMedia.reorderBy}, which the packets before vouch for): one of the two
 * stamps is off (a first stamped late cost the audio after it), and the packet after decides
 * whether the stamps that follow are read moved by as much. A packet whose number is not the newest
 * (delayed past a later one) is placed as a newer one is, its stamp less the bias, between the
 * places of the packets taken either side of it; one sent again is set where its first copy went,
 * and dropped as a duplicate. Every repair and drop is counted through the serializer's context, so
 * it reaches `transport.stats`. A serializer using it hands on what it holds at the far end's end
 * of stream ({@linkcode OrderedMedia.flush}) and from its own `finish()`, which the transport calls
 * when the socket closes.
 *
 * @example Twilio-style media, the second message late
 * ```ts
 * import { OrderedMedia, TelephonyAudio, encodeBase64 } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
 * audio.setup({ inputSampleRate: 8000, inputChannels: 1, outputSampleRate: 8000, outputChannels: 1 });
 * const media = new OrderedMedia({ audio, provider: "Example" });
 * const payload = encodeBase64(new Uint8Array(160).fill(0xff)); // 20 ms of μ-law silence
 * const frames = [1, 3, 2].flatMap((chunk) =>
 *   media.push({ sequence: chunk, timestampMs: (chunk - 1) * 20, payload })
 * );
 * assert.deepEqual(frames.map((f) => f.timestampMs), [0, 20, 40]);
 * ```
 */
export class OrderedMedia {
  readonly #options: OrderedMediaOptions;
  readonly #audio: TelephonyAudio;
  readonly #provider: string;
  #reorder: MediaReorder<Uint8Array>;
  #context: SerializerContext | undefined;
  /**
   * Frames made during one push, flush or reset, handed over at its end (see `#handOver`);
   * emptied as each begins, of what one that threw midway left.
   */
  #frames: AudioFrame[] = [];
  /** Media time of the next frame out, when messages carry none. */
  #nextMs = 0;
  /** The first media message's time: media times count from it (the key when by timestamp). */
  #firstMs: number | undefined;
  /**
   * What a message's media time less this gives its frame's `timestampMs`: set by the first packet
   * delivered after a start or a resync, so that it lands where delivery stands.
   */
  #originMs: number | undefined;
  /** By how much the last refused media time was off where delivery stood (see #frameMs). */
  #refusedOffsetMs: number | undefined;
  #bySequence: boolean;
  /**
   * By timestamp: where each packet goes before the reorder stage takes it (see
   * `_stamp_placement.ts`): the step, the first stamp's shift, the stamps' bias and the grid.
   */
  readonly #placement: StampPlacement;
  /**
   * Whether the reorder stage dropped a packet (a duplicate, a late one) during this push: the
   * packet's residual is then kept out of the bias (see `StampPlacement.taken`).
   */
  #stageDropped = false;
  /** The range media times wrap in (ordered by timestamp with a modulus), else `undefined`. */
  #timeModulus: number | undefined;
  /**
   * Each packet as it arrives, told through the context (`SerializerContext.inboundPacket`): one
   * object for every packet, so that a packet costs no allocation (observers copy what they keep).
   * `streamStart` stays set until the first packet after a start (or the first ever) is told.
   */
  readonly #arrival: InboundPacketInfo = { arrivedAt: 0, mediaMs: 0, streamStart: true };
  /**
   * Whether a packet is being told (`#arrived`, inside a push, after the stage made its frames):
   * an observer that throws there ends the session, and the transport, closing, finishes the
   * serializer at once, so {@linkcode flush} runs inside the push. It then hands those frames
   * on ahead of what the stage held, where emptying them would lose them, counted nowhere.
   */
  #telling = false;
  /**
   * Gives up the holes media waits behind once it has waited `HELD_WALL_WINDOWS` windows of wall
   * time (see `#heldTooLong`): made on the first hole, armed only while something is held.
   */
  #heldTimer: ClockTimer | undefined;
  #heldArmed = false;
  /**
   * Packets and gaps delivered so far: a push that moved the stage on while it still holds media
   * re-arms the wall-time bound (see `push`).
   */
  #delivered = 0;
  /**
   * The newest packet delivered: its chunk (`undefined`: it had none) and its length, and which of
   * the `DELIVERED_CHUNKS` chunks up to it were delivered (bit n: chunk `#lastChunk - n`). A
   * switch to timestamp order goes on from it (see `reorderBy`).
   */
  #lastChunk: number | undefined;
  #lastDurationMs: number | undefined;
  #deliveredChunks = 0;
  /**
   * Since a switch to timestamp order mid-stream: the newest chunk delivered before it (`undefined`
   * if none, or no switch), where delivery then stood (ms from the first, the new order's key), and
   * `#deliveredChunks` as it then was. A packet at or before both is the old order's, its place
   * passed (see `#fromBeforeSwitch`). Forgotten at a resync: the numbering began again.
   */
  #switchChunk: number | undefined;
  #switchEndMs = 0;
  #switchDelivered = 0;

  /** Makes the stage for one stream. */
  constructor(options: OrderedMediaOptions) {
    this.#options = options;
    this.#audio = options.audio;
    this.#provider = options.provider;
    const orderBy = options.orderBy ?? "sequence";
    this.#bySequence = orderBy === "sequence";
    this.#timeModulus = this.#bySequence ? undefined : options.modulus;
    this.#reorder = this.#newReorder(orderBy);
    this.#placement = new StampPlacement({
      windowMs: this.#reorder.windowMs,
      timesWrap: options.modulus !== undefined,
    });
  }

  /** A reorder stage by `orderBy` with this one's options, counting through the context. */
  #newReorder(orderBy: "sequence" | "timestamp"): MediaReorder<Uint8Array> {
    // Checked (a RangeError) by the reorder stage, which orders by the same numbers.
    const { modulus, windowMs } = this.#options;
    return new MediaReorder<Uint8Array>({
      orderBy,
      ...(windowMs === undefined ? {} : { windowMs }),
      ...(modulus === undefined ? {} : { modulus }),
      count: (counter, amount) => {
        // A resync starts the numbering afresh, and with it the media clock: the new timeline's
        // first packet is anchored where delivery stands (see #frameMs).
        // The new numbering is no continuation of the one before the switch of order either (see
        // `#fromBeforeSwitch`): its chunks and media times are not to be read against that one's.
        if (counter === "inboundMediaResyncs") {
          this.#resetClock();
          this.#switchChunk = undefined;
        }
        if (counter === "inboundMediaDuplicates" || counter === "inboundMediaLate") {
          this.#stageDropped = true;
        }
        this.#context?.count(counter, amount);
      },
    });
  }

  /**
   * The transport's context: counts go to `transport.stats`. With its clock and
   * `inboundFrames`, media held behind a hole waits no longer than `HELD_WALL_WINDOWS` windows of
   * wall time (see `#heldTooLong`); the wait ends with the session (its `signal`).
   */
  bind(context: SerializerContext): void {
    this.#unbind(); // bound anew: one listener, on the signal of the context it counts through
    this.#context = context;
    context.signal?.addEventListener("abort", this.#sessionEnded, { once: true });
  }

  /** The session is over: a wait for a hole ends with it (see {@linkcode bind}). */
  readonly #sessionEnded = (): void => this.#stopHolding();

  /**
   * Lets go of the session's signal: the stage is replaced (see {@linkcode orderingBy}), or bound
   * anew. Kept, its listener held the stage, all it had ordered, for the rest of the session: one
   * more at each start that switched the order, a stream restarted on and on over one socket.
   */
  #unbind(): void {
    this.#context?.signal?.removeEventListener("abort", this.#sessionEnded);
  }

  /** What this stage puts packets in order by (its `orderBy` option). */
  get orderBy(): "sequence" | "timestamp" {
    return this.#bySequence ? "sequence" : "timestamp";
  }

  /**
   * A new, empty stage with this one's options and context but ordering by `orderBy`, in place of
   * this one: for a new stream that numbers its media otherwise (see `_inbound_order.ts`). This one
   * is done (whatever it held was handed on first): its wait for a hole ends, and it lets go of the
   * session's signal.
   */
  orderingBy(orderBy: "sequence" | "timestamp"): OrderedMedia {
    const stage = new OrderedMedia({ ...this.#options, orderBy });
    const context = this.#context;
    if (context === undefined) return stage;
    this.#stopHolding();
    this.#unbind();
    stage.bind(context);
    return stage;
  }

  /**
   * Orders the rest of this stream by `orderBy`, for a provider that learns only from the media
   * how its stream numbers it (Telnyx's `start` names no tracks: a media message of another track
   * is the first word that both tracks share one counter; see `_inbound_order.ts`). What the stage
   * holds comes out first, in order, without ending the decoder's stream (the audio goes on);
   * frames keep their media times, and the stage orders by the new key from its next packet.
   * Its holes are filled only where the media times say media is missing: the numbering just
   * found wanting may have left a hole for the other track's packet, no loss. By timestamp, the
   * new order goes on from the packet delivered last: a packet from before the switch that comes
   * after it (its chunk and its media time at or before that packet's) is dropped, counted a
   * duplicate or late, and the first packet after a loss right at the switch follows a hole,
   * filled as any. Nothing is done (and nothing comes out) when it orders so already.
   */
  reorderBy(orderBy: "sequence" | "timestamp"): AudioFrame[] {
    if (orderBy === this.orderBy) return [];
    this.#frames.length = 0;
    this.#reorder.drain(this.#timedOutput);
    this.#stopHolding();
    this.#bySequence = orderBy === "sequence";
    this.#timeModulus = this.#bySequence ? undefined : this.#options.modulus;
    this.#reorder = this.#newReorder(orderBy);
    // The stream's first media time stays the origin: by timestamp the new stage's keys, and the
    // times told to observers, count from it as before. A delivered packet's media time is the
    // wire's by sequence but counted from the first by timestamp (see `push`): the media clock
    // is moved by as much, so that frames keep the times they would have had.
    const firstMs = this.#firstMs;
    if (this.#originMs !== undefined && firstMs !== undefined) {
      this.#originMs += this.#bySequence ? firstMs : -firstMs;
    }
    // Telnyx switches at the bot's first packet, a caller's packet or more into the stream: the
    // first packet of the new order, taken for the stream's first, made a burst stamped alike
    // after it read as its stamp a packet late (20 ms of silence, every later frame 20 ms late).
    this.#placement.forget(this.#firstMs !== undefined);
    this.#switchChunk = undefined;
    if (!this.#bySequence) this.#goOnFromDelivered();
    return this.#handOver();
  }

  /**
   * At a switch to timestamp order: the packet delivered last is retold to the new order, its
   * placement and its reorder stage (its audio went out already), so that what was delivered
   * before bounds what the new order delivers. Begun afresh at its own first packet, the new
   * stage took a caller's packet from before the switch sent again after it for a first (heard
   * twice, time running back, 20 ms of silence before the next), and the first packet after a
   * loss right at the switch for one in step (no silence, the caller's audio 20 ms short).
   */
  #goOnFromDelivered(): void {
    const durationMs = this.#lastDurationMs;
    const originMs = this.#originMs;
    if (durationMs === undefined || originMs === undefined || this.#firstMs === undefined) return;
    // Where delivery stands, as the new order's key: a frame's time is its key less the origin.
    const endMs = this.#nextMs + originMs;
    const modulus = this.#timeModulus;
    const lastMs = modulus === undefined
      ? endMs - durationMs
      : (((endMs - durationMs) % modulus) + modulus) % modulus;
    const chunk = this.#lastChunk;
    this.#placement.place(lastMs, chunk, durationMs);
    this.#placement.taken(lastMs, chunk, durationMs, false);
    const packet: MediaPacket<Uint8Array> = {
      timestampMs: lastMs,
      durationMs,
      payload: new Uint8Array(0),
    };
    if (chunk !== undefined) packet.sequence = chunk;
    this.#reorder.push(packet, ALREADY_DELIVERED);
    this.#switchChunk = chunk;
    this.#switchEndMs = endMs;
    this.#switchDelivered = this.#deliveredChunks;
  }

  /**
   * Whether a packet is one from before the switch to timestamp order (its chunk at or before the
   * newest delivered then, and its media time, `sinceFirstMs`, half a packet or more before where
   * delivery then stood): its place was passed, it is dropped and counted, a duplicate where its
   * chunk was delivered, else late. Both must say so: a newer chunk stamped early is jitter (a
   * burst stamped alike), and an older one stamped ahead is the new stage's to judge. The new
   * stage would judge these too, but against the packet it goes on from alone, taken for its
   * first: two sent again from farther back than its window would have begun its timeline anew.
   */
  #fromBeforeSwitch(chunk: number | undefined, sinceFirstMs: number, durationMs: number): boolean {
    const switchChunk = this.#switchChunk;
    if (switchChunk === undefined || chunk === undefined || !(chunk <= switchChunk)) return false;
    const modulus = this.#timeModulus;
    const behindMs = modulus === undefined
      ? this.#switchEndMs - sinceFirstMs
      : -nearest(sinceFirstMs - this.#switchEndMs, 0, modulus);
    if (!(behindMs >= durationMs / 2)) return false;
    // Farther behind where delivery now stands than the longest gap the stage fills is no packet
    // from before the switch but a numbering begun again (chunks and media times both restarted),
    // the stage's to judge: a second packet agreeing with it begins a new timeline (a resync).
    // Dropped here, such a restart lost every packet up to the switch's chunk and media time
    // (1.5 s of the caller's speech for a switch 3 s into the call), and no resync ever came.
    // (The clock is anchored while a switch stands: a resync, or a start, forgets both.)
    const nowEndMs = this.#nextMs + (this.#originMs ?? 0);
    const behindNowMs = modulus === undefined
      ? nowEndMs - sinceFirstMs
      : -nearest(sinceFirstMs - nowEndMs, 0, modulus);
    if (behindNowMs > MAX_AHEAD_MS) return false;
    const delivered = wentOut(this.#switchDelivered, switchChunk, chunk);
    this.#context?.count(delivered ? "inboundMediaDuplicates" : "inboundMediaLate", 1);
    return true;
  }

  /**
   * One media message → the frames now in order (none while a hole is open). Throws a
   * `TransportError("decode")` for bad base64, a malformed number or a payload that is not whole
   * samples (odd-length PCM16); such a message changes nothing.
   */
  push(message: MediaMessage): AudioFrame[] {
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(message.payload);
    } catch (cause) {
      throw new TransportError("decode", `${this.#provider}: media payload is not base64`, {
        cause,
      });
    }
    // Checked before the stage holds it: a packet held behind a hole is decoded only once the hole
    // fills, and its decode error would then throw away the good frames of that push.
    if (bytes.length % bytesPerSample(this.#audio.encoding) !== 0) {
      throw new TransportError(
        "decode",
        `${this.#provider}: PCM16 media payload has an odd length of ${bytes.length} bytes`,
      );
    }
    this.#frames.length = 0;
    if (bytes.length === 0) return this.#handOver();
    // Read as the message is: deserialize runs as it arrives (a message that waited behind the
    // serializer's set-up is timed when read). Without the session's clock, none is told.
    const arrivedAt = this.#context?.clock?.now();
    const durationMs = this.#durationMs(bytes.length);
    // By timestamp, packets are placed by their media time counted from the first media message
    // taken (Plivo's are wall-clock epoch ms). It becomes the origin only once the reorder stage has
    // taken it: one it refuses (a malformed number) changes nothing.
    const firstMs = this.#firstMs ?? message.timestampMs;
    const timestampMs = message.timestampMs === undefined || firstMs === undefined
      ? undefined
      : this.#sinceFirst(message.timestampMs, firstMs);
    if (
      !this.#bySequence && timestampMs !== undefined &&
      this.#fromBeforeSwitch(message.sequence, timestampMs, durationMs)
    ) {
      // Received all the same: told, as the stage's drops are (see below).
      this.#arrived(arrivedAt, timestampMs);
      return this.#handOver();
    }
    // By timestamp, a stamp that jitters back onto the packet before is set where that one ends.
    const placedMs = timestampMs === undefined || this.#bySequence
      ? timestampMs
      : this.#placement.place(timestampMs, message.sequence, durationMs);
    const key = this.#bySequence ? message.sequence : placedMs;
    // By sequence, the packet carries the wire's media time: its frame's time is read off it on
    // delivery (see #frameMs). By timestamp, the time from the first is its place.
    const mediaMs = this.#bySequence ? message.timestampMs : placedMs;
    if (key === undefined) {
      // Nothing to order by: the message goes as it came.
      this.#firstMs = firstMs;
      this.#noteDelivered(message.sequence, durationMs);
      this.#decode(bytes, this.#frameMs(message.timestampMs, durationMs), durationMs);
      this.#arrived(arrivedAt, timestampMs);
      return this.#handOver();
    }
    const packet: MediaPacket<Uint8Array> = { durationMs, payload: bytes };
    if (message.sequence !== undefined) packet.sequence = message.sequence;
    if (mediaMs !== undefined) packet.timestampMs = mediaMs;
    const delivered = this.#delivered;
    this.#stageDropped = false;
    try {
      this.#reorder.push(packet, this.#output);
    } catch (cause) {
      // The reorder stage knows no provider: its decode errors name it here, as the kit's do.
      if (!(cause instanceof TransportError) || cause.code !== "decode") throw cause;
      throw new TransportError("decode", `${this.#provider}: ${cause.message}`, { cause });
    }
    // A packet in order costs two reads here: the clock is read and the timer armed at a hole,
    // and again when the stage moves on but still holds: a stream that keeps coming out of order
    // always holds something, though each hole fills in time (the media-time window bounds a
    // stream that flows); the wall-time bound is for media that waits on nothing coming.
    if (this.#reorder.pending !== 0) {
      if (!this.#heldArmed || this.#delivered !== delivered) this.#holding();
    } else if (this.#heldArmed) this.#stopHolding();
    // Told whatever the stage did with it: what it dropped (a duplicate, one too late for its
    // window) was received all the same, and RFC 3550 measures every packet received. Still
    // before any frame made from it, which goes out as this returns. One the stage refused (a
    // malformed number) threw above: it is no packet. Its media time is told counted from the
    // stream's first packet, by sequence too: Plivo's wire times are wall-clock epoch ms.
    this.#arrived(arrivedAt, timestampMs);
    // Taken (a duplicate or a late packet is dropped, counted, but never comes first).
    this.#firstMs = firstMs;
    if (!this.#bySequence && placedMs !== undefined) {
      this.#placement.taken(placedMs, message.sequence, durationMs, this.#stageDropped);
    }
    return this.#handOver();
  }
  /**
   * Tells the context of a packet as it arrived (see `#arrival`), where it has both times: a
   * stage without the session's clock, or with a time that is no finite number (a clock of the
   * application's that returns NaN), measures nothing: the context throws at such a time, and
   * the message, taken by the stage already, would be lost with its frames.
   */
  #arrived(arrivedAt: number | undefined, mediaMs: number | undefined): void {
    const tell = this.#context?.inboundPacket;
    if (tell === undefined || !Number.isFinite(arrivedAt) || !Number.isFinite(mediaMs)) return;
    const arrival = this.#arrival;
    arrival.arrivedAt = arrivedAt!;
    arrival.mediaMs = mediaMs!;
    this.#telling = true;
    try {
      tell.call(this.#context, arrival);
    } finally {
      this.#telling = false;
    }
    arrival.streamStart = false;
  }

  /**
   * The frames made during this call, handed over and not kept: the stage's last frames (at the
   * session's end, the caller's last samples that `finish` handed on) would otherwise hold the
   * call's last slab as long as a transport kept after the call lives.
   */
  #handOver(): AudioFrame[] {
    const frames = this.#frames;
    this.#frames = [];
    return frames;
  }

  /**
   * A media time counted from the first one: by timestamp with a modulus, within it (a time
   * after the wrap comes after the first, not before it); one outside the modulus is a decode
   * error, as the reorder stage would say of a key outside it.
   */
  #sinceFirst(mediaMs: number, firstMs: number): number {
    const modulus = this.#timeModulus;
    if (modulus === undefined) return mediaMs - firstMs;
    if (!(mediaMs >= 0 && mediaMs < modulus)) {
      throw new TransportError(
        "decode",
        `${this.#provider}: media timestampMs ${mediaMs} is outside [0, ${modulus})`,
      );
    }
    const since = (mediaMs - firstMs) % modulus;
    return since < 0 ? since + modulus : since;
  }

  /**
   * The stream ended: whatever is held comes out, in order, then the caller's last samples the
   * decoder's resampler holds back.
   */
  flush(): AudioFrame[] {
    if (!this.#telling) this.#frames.length = 0;
    this.#reorder.flush(this.#output);
    this.#stopHolding();
    this.#endDecoding();
    return this.#handOver();
  }

  /**
   * A new stream begins: whatever the old one holds comes out first, in order with its holes
   * filled (as {@linkcode flush}: it is audio the caller sent, and a gap is counted only where
   * silence is delivered), then the caller's last samples the decoder's resampler holds back,
   * then the old stream's numbering and media time are forgotten. Call it before the new stream's
   * format is applied: the held packets are in the old one, and a new rate drops what the resampler
   * holds.
   */
  reset(): AudioFrame[] {
    this.#frames.length = 0;
    this.#reorder.reset(this.#output);
    this.#stopHolding();
    this.#endDecoding();
    this.#nextMs = 0;
    this.#firstMs = undefined;
    this.#lastChunk = this.#lastDurationMs = this.#switchChunk = undefined;
    this.#deliveredChunks = 0;
    this.#placement.forget(false);
    this.#resetClock();
    this.#arrival.streamStart = true; // the next packet's media time counts anew
    return this.#handOver();
  }

  /**
   * A provider's `start` message, for a serializer: {@linkcode reset}, then `start` (which reads
   * the message and may change the wire format), and out come the old stream's frames, then the
   * start's frame. A decode error from `start` is thrown as it is when nothing came out; when old
   * audio did, the error is reported through the context (and counted in `decodeErrors`, as a
   * thrown one would be) so that the audio is not lost with it.
   */
  restart(start: () => Frame): Frame | Frame[] {
    const held = this.reset();
    if (held.length === 0) return start();
    let frame: Frame;
    try {
      frame = start();
    } catch (cause) {
      if (this.#context === undefined) throw cause;
      this.#context.count("decodeErrors");
      this.#context.report(
        cause instanceof TransportError
          ? cause
          : new TransportError("decode", `${this.#provider}: start failed: ${thrownText(cause)}`, {
            cause,
          }),
      );
      return held;
    }
    return [...held, frame];
  }

  readonly #output: MediaReorderOutput<Uint8Array> = {
    packet: (packet) => {
      let atMs = this.#frameMs(packet.timestampMs, packet.durationMs);
      if (!this.#bySequence && atMs !== undefined) {
        atMs = this.#clearOfHeard(atMs, packet.sequence, packet.durationMs);
        if (atMs === undefined) return;
      }
      this.#noteDelivered(packet.sequence, packet.durationMs);
      this.#decode(packet.payload, atMs, packet.durationMs);
    },
    gap: (gap) => {
      // Whole samples: a gap of a fraction of a sample must not make odd-length PCM16.
      const samples = Math.round((gap.durationMs * this.#audio.sampleRate) / 1000);
      // Cut into frames: one frame of the whole gap (up to `maxGapMs`, 5 s) would make a 20 ms
      // message hold 250 times its size in a reader's queue, which bounds frames, not bytes. One
      // per missing packet, but no more than one per GAP_FRAME_MS: a gap counted in the last
      // packet's duration (0.125 ms for one byte) would make tens of thousands, and a burst of
      // frames from one message must fit the queue of a reader that keeps up.
      const most = Math.ceil(gap.durationMs / GAP_FRAME_MS);
      const frames = Math.max(1, Math.min(gap.packets, most, samples));
      let filled = 0;
      for (let frame = 1; frame <= frames; frame++) {
        const upTo = Math.round((samples * frame) / frames);
        const bytes = (upTo - filled) * bytesPerSample(this.#audio.encoding);
        const silence = new Uint8Array(bytes).fill(SILENCE_BYTE[this.#audio.encoding]);
        // The frames' durations add up to the gap's exactly, so the next packet's time holds.
        const durationMs = samples === 0
          ? gap.durationMs
          : (gap.durationMs * (upTo - filled)) / samples;
        filled = upTo;
        this.#decode(silence, undefined, durationMs);
      }
    },
  };

  /**
   * By timestamp, where a packet the stage delivers at `atMs` is heard, or `undefined` to drop it:
   * never before where the frame heard last ends, so that time never runs back. The stage takes a
   * packet as in its place within half its length of where the one before ends, so one may
   * overlap it (stamped back by a sender's clock that stepped back past the window, or placed
   * against a reordered neighbour set late). Overlapping by less than half its length, it is set
   * where delivery stands, whole: its audio is its own, never heard (trimmed, the caller would
   * lose what the stamps mislaid; dropped, a packet for a few ms of jitter), and the frames after
   * it follow on, later than their media times by that overlap at most, until one stamped ahead
   * takes its own time again. By half its length or more (the overlaps adding up), its place is
   * mostly heard, as the stage judges a packet it holds: dropped and counted, a duplicate where
   * its chunk went out already, else late, and kept out of the stamps' bias as the stage's drops
   * are. So no frame is heard more than half a packet after its media time.
   */
  #clearOfHeard(atMs: number, chunk: number | undefined, durationMs: number): number | undefined {
    const overlapMs = this.#nextMs - atMs;
    // Times are sums of sample counts: a rounding error is no overlap.
    if (!(overlapMs > OVERLAP_EPSILON_MS)) return atMs;
    if (overlapMs < durationMs / 2) return this.#nextMs;
    this.#stageDropped = true;
    const delivered = chunk !== undefined && this.#lastChunk !== undefined &&
      wentOut(this.#deliveredChunks, this.#lastChunk, chunk);
    this.#context?.count(delivered ? "inboundMediaDuplicates" : "inboundMediaLate", 1);
    return undefined;
  }

  /**
   * Packets let go without their stage's gaps ({@linkcode reorderBy}): silence goes before one
   * only where its media time is ahead of where delivery stands, by half a packet or more,
   * counted as the stage counts a gap it fills.
   */
  readonly #timedOutput: MediaReorderOutput<Uint8Array> = {
    packet: (packet) => {
      const atMs = this.#frameMs(packet.timestampMs, packet.durationMs);
      const missingMs = atMs === undefined ? 0 : atMs - this.#nextMs;
      if (missingMs >= packet.durationMs / 2) {
        this.#context?.count("inboundMediaGapsFilled", 1);
        this.#context?.count("inboundMediaGapMs", missingMs);
        const packets = Math.max(1, Math.round(missingMs / packet.durationMs));
        this.#output.gap({ durationMs: missingMs, packets });
      }
      this.#noteDelivered(packet.sequence, packet.durationMs);
      this.#decode(packet.payload, atMs, packet.durationMs);
    },
    gap: (gap) => this.#output.gap(gap),
  };

  /**
   * Media is held behind a hole (or still is, the stage having moved on): bound its wait in wall
   * time too, from now. The reorder stage's own bound is in media time, moved only by newer
   * media: a far end that sends nothing after a hole (its caller's audio paused, a stalled
   * network, a stream left open) would leave the media before it to the socket's close. Only
   * with the session's clock and a way to hand frames on between messages
   * (`SerializerContext.inboundFrames`); else the wait is bounded by media and the close. None
   * once the session is over.
   */
  #holding(): void {
    const context = this.#context;
    const clock = context?.clock;
    if (clock === undefined || context?.inboundFrames === undefined) return;
    // The session is over (its end cancelled any wait, see `bind`): a push now is an asynchronous
    // decode answering late, its message counted unread (`inboundMessagesDroppedOnClose`). A wait
    // armed for it would outlive the session and hand that media to it, counted a second time.
    if (context.signal?.aborted === true) return;
    // May fire a little late: a hole's end is a matter of packets, not of a millisecond.
    this.#heldTimer ??= clock.timer(this.#heldTooLong, { toleranceMs: 20 });
    this.#heldTimer.arm(HELD_WALL_WINDOWS * this.#reorder.windowMs);
    this.#heldArmed = true;
  }

  #stopHolding(): void {
    if (!this.#heldArmed) return;
    this.#heldArmed = false;
    this.#heldTimer!.cancel();
  }

  /**
   * Media waited behind a hole for its wall-time bound: what the stage holds comes out, in order,
   * the holes filled and counted (the stage's `giveUpHoles`). The stream goes on: a packet of a
   * hole given up that comes after is counted late, and a lone jump waiting for a second packet
   * waits on for it (one after a single lost packet is taken): only the stream's end drops it. A
   * far end quiet for the bound after a real loss of a few packets and the one after them (a
   * stalled TCP connection, whose packets then come in a burst) would otherwise lose that packet of
   * the caller's speech, its place filled with silence once the burst confirms the loss. The frames
   * go through the context, ahead of those of any message read after; a failure there is reported,
   * the session goes on.
   */
  readonly #heldTooLong = (): void => {
    this.#heldArmed = false;
    const context = this.#context!;
    try {
      this.#frames.length = 0;
      this.#reorder.giveUpHoles(this.#output);
      const frames = this.#handOver();
      if (frames.length > 0) context.inboundFrames!(frames);
    } catch (cause) {
      context.report(
        cause instanceof TransportError ? cause : new TransportError(
          "decode",
          `${this.#provider}: media held behind a hole could not be handed on: ${
            thrownText(cause)
          }`,
          { cause },
        ),
      );
    }
  };

  /**
   * A packet went out (see `#lastChunk`). By chunk, packets go out in order: a chunk at or before
   * the newest is a new numbering (a resync), counted from anew.
   */
  #noteDelivered(chunk: number | undefined, durationMs: number): void {
    this.#lastDurationMs = durationMs;
    const last = this.#lastChunk;
    this.#lastChunk = chunk;
    if (chunk === undefined) {
      this.#deliveredChunks = 0;
      return;
    }
    const ahead = last === undefined ? DELIVERED_CHUNKS : chunk - last;
    this.#deliveredChunks = ahead > 0 && ahead < DELIVERED_CHUNKS && Number.isInteger(ahead)
      ? (this.#deliveredChunks << ahead) | 1
      : 1;
  }

  #resetClock(): void {
    this.#originMs = undefined;
    this.#refusedOffsetMs = undefined;
  }

  /**
   * A delivered message's frame time, from its media time (`timestamp`: "ms from the start of the
   * stream" on Twilio, Telnyx, Plivo and Exotel), or `undefined` to place it where delivery stands
   * (the sequence's timeline: the media before it plus filled gaps). The first packet after a start
   * or a resync anchors the media clock there, so `timestampMs` never goes negative and keeps
   * moving forward across a resync. A media time that cannot be right (before the stream began;
   * more than MAX_AHEAD_MS ahead of where delivery stands; or not a safe number) is ignored: the frame still goes out, timed by
   * its place in the sequence, and the message is counted in `decodeErrors` and reported (the
   * audio is good, its clock is not). Two refused in a row that are off by the same amount mean the
   * provider's clock moved (as a resync does for numbering): the clock is re-anchored on the second.
   */
  #frameMs(mediaMs: number | undefined, durationMs: number): number | undefined {
    if (mediaMs === undefined) return undefined;
    if (!Number.isFinite(mediaMs) || Math.abs(mediaMs) > Number.MAX_SAFE_INTEGER) {
      this.#refuseTime(mediaMs, "is not a safe number");
      return undefined;
    }
    if (this.#originMs === undefined) this.#originMs = mediaMs - this.#nextMs;
    let atMs = mediaMs - this.#originMs;
    // Media times that wrap (by timestamp, a modulus): the time nearest where delivery stands.
    const modulus = this.#timeModulus;
    if (modulus !== undefined) atMs = nearest(atMs, this.#nextMs, modulus);
    const offsetMs = atMs - this.#nextMs;
    // Earlier than where delivery stands is taken as it is (a provider whose clock is its receipt
    // time jitters so); only before the stream's start is impossible.
    if (atMs >= 0 && offsetMs <= MAX_AHEAD_MS) {
      this.#refusedOffsetMs = undefined;
      return atMs;
    }
    const previous = this.#refusedOffsetMs;
    if (previous !== undefined && Math.abs(offsetMs - previous) < durationMs / 2) {
      this.#refusedOffsetMs = undefined;
      this.#originMs = mediaMs - this.#nextMs;
      return undefined;
    }
    this.#refusedOffsetMs = offsetMs;
    this.#refuseTime(
      mediaMs,
      atMs < 0 ? "is before the stream began" : "is too far ahead of the stream",
    );
    return undefined;
  }

  #refuseTime(mediaMs: number, why: string): void {
    this.#context?.count("decodeErrors");
    this.#context?.report(
      new TransportError(
        "decode",
        `${this.#provider}: media timestamp ${mediaMs} ${why}; the frame is timed by its sequence`,
      ),
    );
  }

  #decode(bytes: Uint8Array, timestampMs: number | undefined, durationMs: number): void {
    this.#delivered++;
    const at = timestampMs ?? this.#nextMs;
    this.#nextMs = at + durationMs;
    const frame = this.#audio.decode(bytes);
    if (frame === null) return;
    frame.timestampMs = at;
    this.#frames.push(frame);
  }

  /**
   * The inbound resampler's held-back samples (its filter's delay, 2.3 ms at most): the end
   * of the caller's audio, timed where the stream's media ends.
   */
  #endDecoding(): void {
    const tail = this.#audio.flushInbound();
    if (tail === null) return;
    tail.timestampMs = this.#nextMs;
    this.#frames.push(tail);
  }

  #bytesPerMs(): number {
    return (this.#audio.sampleRate / 1000) * bytesPerSample(this.#audio.encoding);
  }

  #durationMs(bytes: number): number {
    return bytes / this.#bytesPerMs();
  }
}

/**
 * Whether `chunk` went out, by `bits` (bit n: chunk `newest - n` was delivered; see
 * `#deliveredChunks`): false for a chunk after `newest` or more than `DELIVERED_CHUNKS` before it.
 */
function wentOut(bits: number, newest: number, chunk: number): boolean {
  const age = newest - chunk;
  return Number.isInteger(age) && age >= 0 && age < DELIVERED_CHUNKS && ((bits >>> age) & 1) === 1;
}

/** The number `value` stands for modulo `modulus` that lies nearest `near`. */
function nearest(value: number, near: number, modulus: number): number {
  let offset = (value - near) % modulus;
  if (offset < 0) offset += modulus;
  if (offset >= modulus / 2) offset -= modulus;
  return near + offset;
}
