/**
 * Inbound media of a numbered protocol, in order: a serializer pushes each media message's
 * number, media time and payload; out come audio frames in order, with silence of the right
 * length where media went missing.
 *
 * @module
 */

import { StampResiduals } from "./_stamp_residuals.ts";
import type { AudioFrame, Frame } from "../../frames.ts";
import type { ClockTimer } from "../../clock.ts";
import type { SerializerContext } from "../../serializer.ts";
import type { InboundPacketInfo } from "../../session_observer.ts";
import { decodeBase64 } from "./base64.ts";
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
 * A media time further ahead than this of where delivery stands cannot be right: the reorder stage
 * fills no gap longer (its `maxGapMs`), it resyncs instead.
 */
const MAX_AHEAD_MS = 5000;

/**
 * How long, in wall time, media may wait behind a hole with the stage not moving on (no packet
 * or gap delivered), in windows (`windowMs`): in a stream that flows, newer media gives a hole up
 * after one window of media (about as long in real time); the clock gives it up only where the
 * far end sent nothing after it, or the network stalled for four windows, and a packet that
 * comes later still is counted late.
 */
const HELD_WALL_WINDOWS = 4;

/**
 * By timestamp: a packet stamped a whole number of packets past where the newest ends, less the
 * stamps' bias, within this many packets of it, is set exactly that many packets on (the loss
 * snapped to the grid, its jitter left out); one farther from a whole number is set at its stamp
 * less the bias: a loss cannot be told from jitter there, and half a packet of silence is the
 * smaller mistake either way.
 */
const SNAP_PACKETS = 0.3;

/**
 * By timestamp: what each packet missing before a newer chunk counts against reading it so, in
 * packets, when the first stamp's shift is confirmed or undone (see `#inStep`): a second stamped
 * four packets early, the third on time, read either way with equal fit, is read as jitter, not a
 * loss of four packets.
 */
const MISSING_WEIGHT = 0.25;

/**
 * By timestamp: how many residuals the bias must rest on before a packet set off the grid (see
 * `SNAP_PACKETS`) is read as jittered, the residuals before it moved with the grid (see
 * `#stepped`). On fewer, the bias's own error (the middle of two or three stamps' range, one of
 * them maybe the first's or the second's, off) is as large as the packet's distance off the grid:
 * its stamp is taken as right and the residuals are left as they are (moved, a loss right after
 * was read as jitter, or jitter as a loss).
 */
const GRID_MOVE_RESIDUALS = 4;

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
 * Puts a numbered protocol's inbound media in order with a {@linkcode MediaReorder} and decodes
 * it, feeding gaps through the decoder as silence so its resampler stays continuous. Frames carry
 * `timestampMs`, never negative: the message's own media time counted from the
 * first media message delivered (and, after a resync, from where delivery stood), or the position
 * on the media timeline when a message carries none, or one that cannot be right (counted in
 * `decodeErrors` and reported; the audio still goes out). Bound to a context with a clock, each
 * message with a media time is told to the context as it arrives ({@linkcode SerializerContext.inboundPacket}; its media time counted from the
 * stream's first packet), those the stage then drops too: the network's jitter is measured from
 * every packet received, not from the frames. A message without the number the stage orders by
 * goes through as it came. By timestamp, a packet with a newer number than any before it,
 * stamped from one packet before to less than half a packet after where the newest ends (read
 * less the stamps' running bias against the packets' grid), is placed there: its stamp jittered
 * (a burst stamped alike), it is no duplicate, and nothing is missing before it. One a whole
 * number of packets after, within 0.3 of a packet (6 ms of 20), is placed exactly that many
 * packets on, its jitter left out (while every packet taken is of one length: where lengths
 * vary, a loss is of packets of any length, and a packet is placed against the newest's stamp).
 * So is one stamped farther back,
 * up to 5 s, right after the stream's first packet since its start (not the first after
 * {@linkcode OrderedMedia.reorderBy}, which the packets before vouch for): one of the two stamps
 * is off (a first stamped late cost the audio after it), and the packet after decides whether the
 * stamps that follow are read moved by as much. Every repair and drop is counted through the
 * serializer's context, so it reaches `transport.stats`. A serializer using it hands on what it
 * holds at the far end's end of stream
 * ({@linkcode OrderedMedia.flush}) and from its own `finish()`, which the transport calls when
 * the socket closes.
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
   * By timestamp: the newest chunk number taken, and where (ms from the first) its packet ends —
   * see `#inStep`.
   */
  #stepChunk: number | undefined;
  #stepEndMs: number | undefined;
  /** By timestamp: whether the step is the stream's first packet (none vouched for its stamp). */
  #stepIsFirst = false;
  /**
   * Whether the step was forgotten mid-stream ({@linkcode reorderBy} after a packet was taken):
   * the first step after it is no stream's first, the packets before vouch for its stamp. Until
   * the stream's next start ({@linkcode reset}).
   */
  #switchedMidStream = false;
  /**
   * By timestamp: what is added to every media time after the stream's first packet once a newer
   * chunk was stamped before that first one began (see `#inStep`); 0 until then.
   */
  #stampShiftMs = 0;
  /** Whether `#stampShiftMs` rests on one packet: the next newer chunk confirms or undoes it. */
  #shiftUnconfirmed = false;
  /**
   * The shift as `#inStep` read the packet it placed, and whether unconfirmed: in force once the
   * stage has taken that packet (`#stepped`), so that a packet it refuses changes nothing.
   */
  #placedShiftMs = 0;
  #placedShiftUnconfirmed = false;
  /**
   * By timestamp: the latest residuals, each a newer chunk's (shifted) stamp less where it was
   * placed; the stream's first counts 0 (its stamp is its place), twice when the packets before a
   * switch of order vouch for it. They say how far the stamps run off the packets' grid.
   */
  readonly #residuals = new StampResiduals();
  /**
   * The residual of the packet `#inStep` placed (NaN: none to keep), and whether that reading
   * undid the shift (the residuals before then rest on the stamp that was off): kept once the
   * stage has taken it (`#stepped`).
   */
  #placedResidualMs = Number.NaN;
  #placedUndidShift = false;
  /**
   * How far off the packets' grid `#inStep` set the packet it placed (one too far from a whole
   * number of packets past the newest to snap): the grid moves with it once the stage has taken
   * it, and so must the residuals read against the grid before (see `#stepped`).
   */
  #placedOffGridMs = 0;
  /**
   * What the step's packet did to the bias as the stage took it: how far it moved the residuals
   * with the grid (0: not), and whether it added its own; and where the step before it ended. A
   * newer chunk that goes on from that step before, a packet or more behind the step, says the
   * step's stamp was the one off (a bogus jump the stage holds, then drops): what it did is undone
   * (`#placedUndoesStep`, once the stage has taken that newer chunk).
   */
  #stepMovedGridMs = 0;
  #stepKeptResidual = false;
  #stepBeforeEndMs: number | undefined;
  #placedUndoesStep = false;
  /**
   * The length of the newest packet (see `#stepped`), and whether packets of more than one length
   * have been taken since the step began: the grid is whole packets of one length, and a stream
   * whose lengths vary says nothing of how long those lost were.
   */
  #stepDurationMs: number | undefined;
  #lengthsVary = false;
  /**
   * Whether the reorder stage dropped a packet (a duplicate, a late one) during this push: the
   * packet's residual is then kept out of the bias (see `#stepped`).
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

  /** Makes the stage for one stream. */
  constructor(options: OrderedMediaOptions) {
    this.#options = options;
    this.#audio = options.audio;
    this.#provider = options.provider;
    const orderBy = options.orderBy ?? "sequence";
    this.#bySequence = orderBy === "sequence";
    this.#timeModulus = this.#bySequence ? undefined : options.modulus;
    this.#reorder = this.#newReorder(orderBy);
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
        if (counter === "inboundMediaResyncs") this.#resetClock();
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
   * found wanting may have left a hole for the other track's packet, no loss.
   * Nothing is done (and nothing comes out) when it orders so already.
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
    this.#forgetStep();
    // Telnyx switches at the bot's first packet, a caller's packet or more into the stream: the
    // first packet of the new order, taken for the stream's first, made a burst stamped alike
    // after it read as its stamp a packet late (20 ms of silence, every later frame 20 ms late).
    this.#switchedMidStream = this.#firstMs !== undefined;
    return this.#handOver();
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
    // By timestamp, a stamp that jitters back onto the packet before is set where that one ends.
    const placedMs = timestampMs === undefined || this.#bySequence
      ? timestampMs
      : this.#inStep(timestampMs, message.sequence, durationMs);
    const key = this.#bySequence ? message.sequence : placedMs;
    // By sequence, the packet carries the wire's media time: its frame's time is read off it on
    // delivery (see #frameMs). By timestamp, the time from the first is its place.
    const mediaMs = this.#bySequence ? message.timestampMs : placedMs;
    if (key === undefined) {
      // Nothing to order by: the message goes as it came.
      this.#firstMs = firstMs;
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
      this.#stepped(placedMs, message.sequence, durationMs);
    }
    return this.#handOver();
  }

  /**
   * Where a packet ordered by timestamp goes: a newer chunk than any taken (never a duplicate:
   * Twilio, Telnyx, Plivo and Exotel number each media message anew) stamped from one packet
   * before to less than half a packet after where the newest taken ends is the next packet, its
   * stamp off by jitter (a sender stamping by its wall clock stamps a burst alike): set there,
   * exactly. Not dropped as overlapping the one before; and not left at its stamp either, since
   * the reorder stage would then carry the jitter on: one stamped 6 ms early moved the timeline
   * 6 ms back while its audio still followed on whole, and the next, 6 ms late, was then 12 ms
   * past its place, a hole filled with 12 ms of silence (Plivo's epoch-ms stamps, each within 6 ms
   * of its time, made a second of speech 1.19 s long, silence every third packet). A stamp half a
   * packet or more ahead is left as it is: it may follow a loss, or come early before a late one.
   * With both tracks on one chunk counter, the chunks of a track do not say which are missing, so
   * the stamp orders; they do say which packet is new.
   *
   * The stream's first packet has only its own stamp to go by, and it went out at once (the first
   * after a switch of order mid-stream has the packets before it to vouch for its). A newer
   * chunk stamped before that first one began says one of the two stamps is off: set where the
   * first ends (its place either way), and the stamps after it read moved by as much, as if the
   * first's was late. The next newer chunk is the second opinion: read either way, the nearer
   * where the step ends wins (but never a reading a packet or more before it, where the other is
   * not: a newer chunk comes after the step, or after a loss), and the move is kept or undone.
   * Left at its stamp, it and every packet after it up to the first's end were late or
   * overlapping on the first's timeline, dropped: a first packet stamped 80 ms late cost the 80 ms
   * of audio after it (farther, the reorder stage's own second opinion began the timeline anew);
   * one stamped a packet late was taken for jitter, every packet after it then set a packet on
   * from its stamp, and a single loss later left no hole, the call that much short. A stamp less
   * than a packet before the first's end is jitter, placed as above. The second opinion is the
   * reading that fits the packets' grid better (see `misfit`), not the one nearer the step: the
   * packet after a loss of one, read 24 ms past the step with the move and 16 ms before it without,
   * undid a first stamp's move of 35 ms.
   *
   * "Where the newest ends" is read less the stamps' bias against the grid the packets are placed
   * on (see `StampResiduals`), not against the last packet's stamp: a first stamped half a
   * packet to a packet late made every later stamp read that much early (a single loss read as jitter and
   * never filled, a packet stamped 6 ms early dropped as a duplicate); a packet after a loss set
   * at its own stamp carried its jitter on (a loss under jitter later read as in step, its silence
   * four packets late). Each packet placed tells the bias its residual.
   */
  #inStep(atMs: number, chunk: number | undefined, durationMs: number): number {
    this.#placedShiftMs = this.#stampShiftMs;
    this.#placedShiftUnconfirmed = this.#shiftUnconfirmed;
    this.#placedResidualMs = Number.NaN;
    this.#placedUndidShift = false;
    this.#placedOffGridMs = 0;
    this.#placedUndoesStep = false;
    const shiftedMs = atMs + this.#stampShiftMs;
    const endMs = this.#stepEndMs;
    const last = this.#stepChunk;
    if (endMs === undefined || last === undefined || chunk === undefined) {
      // The first packet: its stamp is its place.
      if (endMs === undefined) this.#placedResidualMs = 0;
      return shiftedMs;
    }
    if (!(chunk > last)) return shiftedMs;
    if (this.#timeModulus !== undefined) return atMs; // wrapped times: left to the reorder stage
    let readMs = shiftedMs;
    if (this.#shiftUnconfirmed) {
      this.#placedShiftUnconfirmed = false;
      // A newer chunk may land after the step (a loss before it, or it overtook the one before),
      // never a packet or more before it: read so only without the shift, it is no second opinion
      // against it. Nearer wins was a tie for a first 40 ms late and the third packet lost (20 ms
      // after the step shifted, 20 ms before it not): undone, every packet after was read a
      // packet early, set in step as jitter, and no single loss of the call was filled again.
      const behindUnshifted = atMs - endMs <= -durationMs && shiftedMs - endMs > -durationMs;
      if (
        !behindUnshifted &&
        misfit(atMs - endMs, durationMs) <= misfit(shiftedMs - endMs, durationMs)
      ) {
        this.#placedShiftMs = 0; // the stamp the shift rested on was the one off, not the first's
        this.#placedUndidShift = true;
        readMs = atMs;
      }
    }
    const offsetMs = readMs - endMs;
    // Never farther than the longest gap the reorder stage fills: a stamp that far off is its to
    // judge (a second packet agreeing with it begins the timeline anew).
    if (this.#stepIsFirst && offsetMs <= -durationMs && offsetMs >= -MAX_AHEAD_MS) {
      this.#placedShiftMs -= offsetMs;
      this.#placedShiftUnconfirmed = true;
      this.#placedResidualMs = 0;
      return endMs;
    }
    if (this.#lengthsVary || durationMs !== this.#stepDurationMs) {
      // Packets of more than one length: no grid of whole packets runs through them, and a loss
      // is of packets of any length (a 20 ms loss and an 80 ms one before an 80 ms packet stamped
      // 100 ms on was snapped to one packet, the packet set 20 ms early, and every packet after:
      // a loss shorter than half a packet, read in step, was read as the stamps' bias from then
      // on). Placed against the newest's stamp, as the jitter alone allows.
      return offsetMs < durationMs / 2 && offsetMs >= -durationMs ? endMs : readMs;
    }
    // Judged against the stamps' bias, not the last packet's stamp: a first stamped half a packet
    // late made every later stamp read that much early (a loss read as jitter, a packet 6 ms early
    // as a duplicate), and a packet after a loss set at its stamp carried its jitter on.
    // A reading that undid the move has only the first's stamp to go by (the residuals so far
    // were read through the move).
    const biasMs = this.#placedUndidShift ? 0 : this.#residuals.biasMs(durationMs);
    const offBiasMs = offsetMs - biasMs;
    // Nor farther on than the longest gap the reorder stage fills: a stamp that far off (one bogus,
    // or the step's, a packet stamped ten minutes back) is its to judge, and snapped to the grid
    // through that stamp, the packet and every one after it were set off the stamps for the rest
    // of the call (by as far as the bogus stamp was off a whole number of packets).
    if (offBiasMs > MAX_AHEAD_MS) return readMs;
    if (offBiasMs < -durationMs) {
      // Behind a step that jumped farther than the reorder stage's window (a jump it holds until a
      // second packet confirms it), yet going on from the step before: the step's stamp was off.
      // Kept, a stamp jumping 3 s ahead every other packet moved the residuals by its distance
      // off the grid each time, and every packet after was set 11 ms late for the rest of the call.
      const beforeMs = this.#stepBeforeEndMs;
      this.#placedUndoesStep = beforeMs !== undefined &&
        endMs - durationMs - beforeMs > this.#reorder.windowMs &&
        endMs + offBiasMs >= beforeMs - durationMs;
      if (!this.#placedUndoesStep) return readMs;
      // Placed on from the step before, against the bias as it stood before the step (its grid
      // move and residual left out): set at its own stamp, its jitter (Plivo's, up to 6 ms) was
      // carried on by every packet after it, placed in step behind it, for the rest of the call.
      const undoneBiasMs = this.#residuals.biasMs(durationMs, this.#stepKeptResidual) +
        this.#stepMovedGridMs;
      return this.#onGrid(readMs, beforeMs!, readMs - beforeMs! - undoneBiasMs, durationMs);
    }
    return this.#onGrid(readMs, endMs, offBiasMs, durationMs);
  }

  /**
   * Where a packet read `offBiasMs` past `endMs`, the end of the packet it follows, less the
   * stamps' bias, goes on the packets' grid (see `#inStep`); its residual and its distance off the
   * grid are kept for `#stepped`.
   */
  #onGrid(readMs: number, endMs: number, offBiasMs: number, durationMs: number): number {
    if (offBiasMs < -durationMs) return readMs;
    // Whole packets missing before it (a loss snapped to the grid, its jitter left out).
    const missing = offBiasMs < durationMs / 2
      ? 0
      : Math.max(1, Math.round(offBiasMs / durationMs));
    const onGridMs = endMs + missing * durationMs;
    const placedMs = missing === 0 ||
        Math.abs(offBiasMs - missing * durationMs) <= SNAP_PACKETS * durationMs
      ? onGridMs
      : endMs + offBiasMs;
    this.#placedOffGridMs = placedMs - onGridMs;
    this.#placedResidualMs = readMs - placedMs;
    return placedMs;
  }

  /** What the step's packet did to the bias, undone (see `#stepMovedGridMs`). */
  #undoStep(): void {
    if (this.#stepMovedGridMs !== 0) this.#residuals.move(this.#stepMovedGridMs);
    if (this.#stepKeptResidual) this.#residuals.dropLast();
  }

  /**
   * A packet ordered by timestamp was taken at `atMs`: the newest chunk so far marks the step, and
   * so does one placed at or after where the step ends, whatever its chunk. Chunks and media times
   * both count up: a packet newer in time than the step with an older chunk says the step's chunk
   * was out of line (one bogus `chunk` of 10^12). Kept, that chunk was newer than every chunk after
   * it, so no packet was ever in step again: for the rest of the stream a burst stamped alike lost
   * its second packet, dropped as a duplicate, and jitter was filled with silence. The stamps'
   * shift as `#inStep` read this packet is in force from here.
   */
  #stepped(atMs: number, chunk: number | undefined, durationMs: number): void {
    if (chunk === undefined || !Number.isFinite(chunk)) return;
    // Any packet taken tells the lengths, the step's or one from before it (one late packet of
    // 40 ms among 60 ms ones says the 40 ms lost before a 60 ms packet were no whole packet).
    if (this.#stepDurationMs !== undefined && durationMs !== this.#stepDurationMs) {
      this.#lengthsVary = true;
    }
    this.#stepDurationMs = durationMs;
    const endMs = this.#stepEndMs;
    if (
      this.#stepChunk !== undefined && endMs !== undefined && !(chunk > this.#stepChunk) &&
      !(atMs >= endMs)
    ) {
      return;
    }
    this.#stampShiftMs = this.#placedShiftMs;
    this.#shiftUnconfirmed = this.#placedShiftUnconfirmed;
    // A packet going on from the step before says the step's stamp was off (see `#inStep`).
    if (this.#placedUndoesStep) this.#undoStep();
    // Undone, the shift leaves the residuals read through it (the off stamp's) behind: the first's
    // stamp, and this one, are what the bias rests on now.
    if (this.#placedUndidShift) {
      this.#residuals.clear();
      this.#residuals.keep(0);
    }
    // Set off the grid, the packet moved it: every packet after is read against where it ends.
    // The residuals before were read against the grid it left, and kept so they put the bias that
    // much off (a packet jittered 6.5 ms past a loss set there, the next loss under jitter read
    // as in step, or one loss filled twice): they are moved with the grid, once there are enough
    // of them to say the packet, not the bias, was off.
    this.#stepMovedGridMs = 0;
    if (this.#placedOffGridMs !== 0 && this.#residuals.count >= GRID_MOVE_RESIDUALS) {
      this.#residuals.move(-this.#placedOffGridMs);
      this.#stepMovedGridMs = this.#placedOffGridMs;
    }
    this.#stepKeptResidual = false;
    // A packet the stage dropped says nothing of the stamps' bias: it was placed on audio already
    // taken. Kept, a sender's clock stuck on one stamp for a burst walked the bias back a packet
    // with every other packet (each placed in step behind one dropped at its stamp, a duplicate):
    // packets of the burst then came out at places none of them had, and every packet after it
    // was set that much late for the rest of the call.
    if (!Number.isNaN(this.#placedResidualMs) && !this.#stageDropped) {
      this.#residuals.keep(this.#placedResidualMs);
      this.#stepKeptResidual = true;
    }
    if (this.#stepChunk === undefined && this.#switchedMidStream) this.#residuals.keep(0);
    this.#stepIsFirst = this.#stepChunk === undefined && !this.#switchedMidStream;
    this.#stepChunk = chunk;
    this.#stepBeforeEndMs = this.#stepEndMs;
    this.#stepEndMs = atMs + durationMs;
  }

  /** A new stream, or a new key to order by: no step, and the stamps read as they come. */
  #forgetStep(): void {
    this.#stepChunk = this.#stepEndMs = this.#stepBeforeEndMs = undefined;
    this.#stepMovedGridMs = 0;
    this.#stepKeptResidual = false;
    this.#stepIsFirst = this.#shiftUnconfirmed = this.#placedShiftUnconfirmed = false;
    this.#stampShiftMs = this.#placedShiftMs = 0;
    this.#residuals.clear();
    this.#stepDurationMs = undefined;
    this.#lengthsVary = false;
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
    this.#forgetStep();
    this.#switchedMidStream = false;
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
    packet: (packet) =>
      this.#decode(
        packet.payload,
        this.#frameMs(packet.timestampMs, packet.durationMs),
        packet.durationMs,
      ),
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

/** The number `value` stands for modulo `modulus` that lies nearest `near`. */
function nearest(value: number, near: number, modulus: number): number {
  let offset = (value - near) % modulus;
  if (offset < 0) offset += modulus;
  if (offset >= modulus / 2) offset -= modulus;
  return near + offset;
}

/**
 * How badly a newer chunk `offsetMs` past where the newest ends fits the packets' grid: its
 * distance from the nearest whole number of packets on (none before: a newer chunk comes after),
 * and `MISSING_WEIGHT` packets for each one that reading says is missing.
 */
function misfit(offsetMs: number, durationMs: number): number {
  const missing = Math.max(0, Math.round(offsetMs / durationMs));
  return Math.abs(offsetMs - missing * durationMs) + missing * MISSING_WEIGHT * durationMs;
}
