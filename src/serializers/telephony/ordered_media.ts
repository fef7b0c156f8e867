/**
 * Inbound media of a numbered protocol, in order: a serializer pushes each media message's
 * number, media time and payload; out come audio frames in order, with silence of the right
 * length where media went missing.
 *
 * This file is the stage that faces the wire: the payloads, the keys packets are ordered by, the
 * reorder stage, the arrival told to observers, the wall-time bound on a hole, and the stream's
 * life (bind, start, switch, flush). What it leans on is a unit each: where a packet goes by
 * timestamp (`_stamp_placement.ts`), the frames' clock (`_frame_clock.ts`), the output that makes
 * frames of what is delivered and keeps them clear of what was heard (`_frame_output.ts`), the
 * record of which chunks went out (`_delivered_chunks.ts`), and the switch of order mid-stream
 * (`_order_switch.ts`).
 *
 * @module
 */

import type { AudioFrame, Frame } from "../../frames.ts";
import type { ClockTimer } from "../../clock.ts";
import type { SerializerContext } from "../../serializer.ts";
import type { InboundPacketInfo } from "../../session_observer.ts";
import { decodeBase64 } from "./base64.ts";
import { DeliveredChunks } from "./_delivered_chunks.ts";
import { FrameClock, sinceFirst } from "./_frame_clock.ts";
import { FrameOutput } from "./_frame_output.ts";
import { OrderSwitch } from "./_order_switch.ts";
import { StampPlacement } from "./_stamp_placement.ts";
import { type MediaPacket, MediaReorder, type MediaReorderCounter } from "./media_reorder.ts";
import type { TelephonyAudio } from "./telephony_audio.ts";
import { bytesPerSample } from "./telephony_encoding.ts";
import { TransportError } from "../../errors.ts";
import { thrownText } from "../../_thrown_text.ts";

/**
 * How long, in wall time, media may wait behind a hole with the stage not moving on (no packet
 * or gap delivered), in windows (`windowMs`): in a stream that flows, newer media gives a hole up
 * after one window of media (about as long in real time); the clock gives it up only where the
 * far end sent nothing after it, or the network stalled for four windows, and a packet that
 * comes later still is counted late.
 */
const HELD_WALL_WINDOWS = 4;

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
 * frame before ends, see `_frame_output.ts`), or the position on the media timeline
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
  /** The first media message's time: media times count from it (the key when by timestamp). */
  #firstMs: number | undefined;
  #bySequence = true;
  /** The frames' clock: a delivered packet's frame time, read off its media time. */
  readonly #frameClock: FrameClock;
  /** The newest packet delivered and which chunks before it were: read by the output and the switch. */
  readonly #delivered = new DeliveredChunks();
  /** Where the reorder stage delivers: frames made, timed, clear of what was heard. */
  readonly #output: FrameOutput;
  /** The switch of order mid-stream (see {@linkcode reorderBy}). */
  readonly #switch: OrderSwitch;
  /**
   * By timestamp: where each packet goes before the reorder stage takes it (see
   * `_stamp_placement.ts`): the step, the first stamp's shift, the stamps' bias and the grid.
   */
  readonly #placement: StampPlacement;
  /**
   * Whether the reorder stage dropped a packet (a duplicate, a late one) during this push, or the
   * output dropped it as heard: the packet's residual is then kept out of the bias (see
   * `StampPlacement.taken`). Not where the push's own packet went out while the jump handed over
   * at a switch of order waited unjudged (`OrderSwitch.handedWaiting`): the drop was that jump's,
   * shown bogus by it. Read as its own, the packet's place was not kept as taken, and a copy of it
   * was placed a packet on, heard twice (see `push`).
   */
  #stageDropped = false;
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

  /** Makes the stage for one stream. */
  constructor(options: OrderedMediaOptions) {
    this.#options = options;
    this.#audio = options.audio;
    this.#provider = options.provider;
    const orderBy = options.orderBy ?? "sequence";
    this.#frameClock = new FrameClock(this.#refuseTime);
    this.#output = new FrameOutput(this.#audio, this.#frameClock, this.#delivered, this.#count);
    this.#setOrder(orderBy);
    this.#reorder = this.#newReorder(orderBy);
    this.#placement = new StampPlacement({
      windowMs: this.#reorder.windowMs,
      timesWrap: options.modulus !== undefined,
    });
    this.#switch = new OrderSwitch(
      this.#frameClock,
      this.#output,
      this.#delivered,
      this.#placement,
      this.#count,
    );
  }

  /** Orders by `orderBy` from now: media times wrap only by timestamp, and only then are cleared. */
  #setOrder(orderBy: "sequence" | "timestamp"): void {
    this.#bySequence = orderBy === "sequence";
    this.#frameClock.modulus = this.#bySequence ? undefined : this.#options.modulus;
    this.#output.byTimestamp = !this.#bySequence;
  }

  /** A reorder stage by `orderBy` with this one's options, counting through the context. */
  #newReorder(orderBy: "sequence" | "timestamp"): MediaReorder<Uint8Array> {
    // Checked (a RangeError) by the reorder stage, which orders by the same numbers.
    const { modulus, windowMs } = this.#options;
    return new MediaReorder<Uint8Array>({
      orderBy,
      ...(windowMs === undefined ? {} : { windowMs }),
      ...(modulus === undefined ? {} : { modulus }),
      count: this.#count,
    });
  }

  /**
   * The stage's one way to count, for its reorder stage, its output and its switch of order: a
   * drop marks this push's packet dropped whichever of them made it, and a resync forgets what
   * the old numbering anchored.
   */
  readonly #count = (counter: MediaReorderCounter, amount: number): void => {
    // A resync starts the numbering afresh, and with it the media clock: the new timeline's
    // first packet is anchored where delivery stands (see `FrameClock.frameMs`).
    // The new numbering is no continuation of the one before the switch of order either (see
    // `OrderSwitch.fromBefore`): its chunks and media times are not to be read against that one's.
    if (counter === "inboundMediaResyncs") {
      this.#frameClock.reset();
      this.#switch.forget();
    }
    if (counter === "inboundMediaDuplicates" || counter === "inboundMediaLate") {
      this.#stageDropped = true;
    }
    this.#context?.count(counter, amount);
  };

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
   * filled as any; a lone packet far ahead, still waiting for a second one to confirm the loss
   * before it, is the new order's to judge by its media time, as any packet (see
   * `_order_switch.ts`). Nothing is done (and nothing comes out) when it orders so already.
   */
  reorderBy(orderBy: "sequence" | "timestamp"): AudioFrame[] {
    if (orderBy === this.orderBy) return [];
    this.#output.begin();
    // By timestamp a jump still unconfirmed is the new order's to judge (see `OrderSwitch`); by
    // sequence the new stage begins afresh, and would take it for its first, unjudged.
    const judge = orderBy === "timestamp" ? this.#switch.unconfirmed : undefined;
    this.#reorder.drain(this.#switch.drain, judge);
    this.#stopHolding();
    this.#setOrder(orderBy);
    this.#reorder = this.#newReorder(orderBy);
    this.#switch.switched(!this.#bySequence, this.#firstMs, this.#reorder);
    return this.#output.handOver();
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
    const output = this.#output;
    output.begin();
    if (bytes.length === 0) return output.handOver();
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
      this.#switch.fromBefore(message.sequence, timestampMs, durationMs)
    ) {
      // Received all the same: told, as the stage's drops are (see below).
      this.#arrived(arrivedAt, timestampMs);
      return output.handOver();
    }
    // By timestamp, a stamp that jitters back onto the packet before is set where that one ends.
    const placedMs = timestampMs === undefined || this.#bySequence
      ? timestampMs
      : this.#placement.place(timestampMs, message.sequence, durationMs);
    const key = this.#bySequence ? message.sequence : placedMs;
    // By sequence, the packet carries the wire's media time: its frame's time is read off it on
    // delivery (see `FrameClock.frameMs`). By timestamp, the time from the first is its place.
    const mediaMs = this.#bySequence ? message.timestampMs : placedMs;
    if (key === undefined) {
      // Nothing to order by: the message goes as it came.
      this.#firstMs = firstMs;
      this.#delivered.note(message.sequence, durationMs);
      output.decode(
        bytes,
        this.#frameClock.frameMs(message.timestampMs, durationMs, output.nextMs),
        durationMs,
      );
      this.#arrived(arrivedAt, timestampMs);
      return output.handOver();
    }
    const packet: MediaPacket<Uint8Array> = { durationMs, payload: bytes };
    if (message.sequence !== undefined) packet.sequence = message.sequence;
    if (mediaMs !== undefined) packet.timestampMs = mediaMs;
    const deliveries = output.deliveries;
    this.#stageDropped = false;
    try {
      this.#reorder.push(packet, output);
    } catch (cause) {
      // The reorder stage knows no provider: its decode errors name it here, as the kit's do.
      if (!(cause instanceof TransportError) || cause.code !== "decode") throw cause;
      throw new TransportError("decode", `${this.#provider}: ${cause.message}`, { cause });
    }
    // Gone out, it was not dropped: the drop counted was of the jump handed over at the switch,
    // shown bogus by it (see `#stageDropped`). Only that one: a jump that waited mid-stream was
    // placed and taken as the step (see `StampPlacement.taken`), and read as not dropped, the
    // packet exposing it was kept as a neighbour of the bogus place: the real packet whose place
    // the bogus stamp claimed was set a packet behind it and dropped, those after it held to the
    // stream's end (one bogus chunk stamped 70-370 ms ahead in streams of exact stamps: a real
    // packet lost in 275 of 4,000 modelled, 57 spared one).
    const judgedHanded = this.#switch.handedWaiting;
    if (judgedHanded && output.lastPacket === packet) this.#stageDropped = false;
    if (output.deliveries !== deliveries || this.#reorder.pending === 0) {
      this.#switch.handedWaiting = false;
    }
    // A packet in order costs two reads here: the clock is read and the timer armed at a hole,
    // and again when the stage moves on but still holds: a stream that keeps coming out of order
    // always holds something, though each hole fills in time (the media-time window bounds a
    // stream that flows); the wall-time bound is for media that waits on nothing coming.
    if (this.#reorder.pending !== 0) {
      if (!this.#heldArmed || output.deliveries !== deliveries) this.#holding();
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
    return output.handOver();
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
   * A media time counted from the first one: by timestamp with a modulus, within it (a time
   * after the wrap comes after the first, not before it); one outside the modulus is a decode
   * error, as the reorder stage would say of a key outside it.
   */
  #sinceFirst(mediaMs: number, firstMs: number): number {
    const modulus = this.#frameClock.modulus;
    const since = sinceFirst(mediaMs, firstMs, modulus);
    if (since !== undefined) return since;
    throw new TransportError(
      "decode",
      `${this.#provider}: media timestampMs ${mediaMs} is outside [0, ${modulus})`,
    );
  }

  /**
   * The stream ended: whatever is held comes out, in order, then the caller's last samples the
   * decoder's resampler holds back.
   */
  flush(): AudioFrame[] {
    if (!this.#telling) this.#output.begin();
    this.#reorder.flush(this.#output);
    this.#stopHolding();
    this.#output.endDecoding();
    return this.#output.handOver();
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
    const output = this.#output;
    output.begin();
    this.#reorder.reset(output);
    this.#stopHolding();
    output.endDecoding();
    output.nextMs = 0;
    this.#firstMs = undefined;
    this.#delivered.forget();
    this.#switch.forget();
    this.#placement.forget(false);
    this.#frameClock.reset();
    this.#arrival.streamStart = true; // the next packet's media time counts anew
    return output.handOver();
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
      this.#output.begin();
      this.#reorder.giveUpHoles(this.#output);
      const frames = this.#output.handOver();
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

  /** Counts and reports a media time the frames' clock refused (see `FrameClock.frameMs`). */
  readonly #refuseTime = (mediaMs: number, why: string): void => {
    this.#context?.count("decodeErrors");
    this.#context?.report(
      new TransportError(
        "decode",
        `${this.#provider}: media timestamp ${mediaMs} ${why}; the frame is timed by its sequence`,
      ),
    );
  };

  #bytesPerMs(): number {
    return (this.#audio.sampleRate / 1000) * bytesPerSample(this.#audio.encoding);
  }

  #durationMs(bytes: number): number {
    return bytes / this.#bytesPerMs();
  }
}
