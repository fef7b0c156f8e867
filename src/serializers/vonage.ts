/**
 * Vonage's WebSocket audio: the Voice API's `connect` NCCO action with a `websocket` endpoint
 * streams a call as raw binary PCM16 both ways, with a few JSON text events beside it; the Video
 * API's Audio Connector streams a session's audio the same way (its first message carries the
 * `content-type` and headers without naming an `event`). One serializer speaks both.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { isMidSpeechMark } from "./_mid_speech_mark.ts";
import { PLAYOUT_MARK_PREFIX } from "../playback.ts";
import type {
  AudioFrame,
  DtmfFrame,
  Frame,
  MarkFrame,
  MessageFrame,
  StartFrame,
} from "../frames.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
} from "../serializer.ts";
import { concatBytes } from "../audio/_concat_bytes.ts";
import { pcm16Bytes, pcm16Samples } from "../audio/pcm.ts";
import { Resampler } from "../audio/resampler.ts";
import { toJson } from "./_to_json.ts";
import { registerHeldFrames } from "./_held_frame_ends.ts";
import { WholeFrames } from "./_whole_frames.ts";
import { type WireFormat, WrittenBytes } from "./_written_bytes.ts";
import { describe, isObject } from "./telephony/_json_value.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { RefusedFormat } from "./telephony/_refused_format.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { setOwnField } from "./_own_field.ts";

const PROVIDER = "vonage";
/** The byte PCM16 silence is made of: a partial frame is padded with it. */
const SILENCE = 0;
/** Pushed to release the whole frames held, adding nothing. */
const NO_AUDIO = new Uint8Array(0);
/**
 * Marks kept waiting for their `websocket:notify` since the last clear: the transport marks every
 * `markIntervalMs` (250 by default) of paced audio, so this is many seconds past what Vonage has
 * buffered. Past it a far end that never answers would grow the list for the whole call: the
 * oldest is forgotten (a bot's counted, see `#forget`), and its notify, should it come, is a
 * `message` frame as any notify we did not ask for.
 */
const MAX_PENDING_MARKS = 64;
/**
 * Marks kept for the `websocket:cleared` of the clears not yet answered, as many again, the
 * newest clear's last: past it a far end that never answers a clear would grow the list for the
 * whole call. The oldest is forgotten, its notify, should it come, a `message` frame as above.
 */
const MAX_CLEARED_MARKS = MAX_PENDING_MARKS;

/** Options for {@linkcode VonageSerializer}. */
export interface VonageSerializerOptions {
  /**
   * Vonage's audio rate in Hz (8000 or 16000), as the NCCO's `content-type`
   * (`audio/l16;rate=16000`) sets it. The `websocket:connected` event's own `content-type`
   * overrides it. Given, the bot's audio leaves from the socket's opening; not given, nothing
   * leaves before `websocket:connected` names the rate (see
   * {@linkcode VonageSerializer.awaitsStart}).
   *
   * @default {16000}
   */
  sampleRate?: number;
}

/**
 * Frames ⇄ Vonage Audio Connector messages.
 *
 * Inbound: binary messages are PCM16 mono at Vonage's rate, resampled to the transport's input
 * rate; `websocket:connected` (the first message; the Video API's Audio Connector sends the same
 * object without `event`) becomes a `start` frame whose `params` are the
 * custom `headers` of the NCCO endpoint (a header named `uuid`, `call_uuid` or
 * `conversation_uuid` also becomes `callId`), and its `content-type` sets the rate (a change carries
 * what the old rate still held, both ways, over to the new one: nothing is lost); one we refuse
 * (not `audio/l16`, or a rate Vonage does not stream at) is a decode error, and so is every binary
 * message after it until a `websocket:connected` we read: refused, each counted in
 * `stats.decodeErrors` (the first reported), never decoded at the rate before as speech;
 * `websocket:dtmf` becomes a `dtmf` frame; `websocket:notify` whose payload is one of our marks
 * becomes that `mark` frame; `websocket:cleared` (Vonage dropped its queue after our `clear`)
 * returns every mark that was pending at any clear not yet answered as a `mark` frame (not those
 * sent since the last clear), as Twilio does for cleared marks, so a bot waiting on a mark is
 * never left hanging: the answer names no clear, and a clear Vonage never answers must not leave
 * the next one's marks waiting. Any other event (a notify we did not ask for, events Vonage adds
 * later) reaches the bot as a `message` frame holding the event object. Answers are awaited for
 * the last 64 marks since a clear and the last 64 pending at unanswered clears: a far end that
 * never answers leaves the older ones forgotten, their late answers taken as ones we did not ask
 * for; each bot's mark so given up is counted in `stats.encodeErrors`, the first of each bound
 * reported (a "protocol" error).
 *
 * Outbound: audio is resampled to Vonage's rate and cut into 20 ms binary messages (640 bytes at
 * 16 kHz), as Vonage asks, keeping a partial frame until the next audio; `interruption` drops
 * that partial frame (counted in `stats.audioBytesInterrupted`, as the bot's PCM16 bytes) and
 * sends `{"action":"clear"}`; `cancel`, or the socket's close before it could leave, drops it
 * likewise (counted in `stats.audioBytesDroppedOnClose`); where a stretch of the bot's speech
 * ends (`audioEnds`) the partial frame goes at once, ended by what the resampler still holds (as
 * much as it has room for) and padded with silence to a whole frame, as the stretch's last message
 * (none when the last frame left whole, or holds only the old resampler's end that a rate change
 * carried beyond the bot's audio); `mark` sends any partial frame padded likewise (but drops one
 * holding only that carried end, as the stretch's end does), then
 * `{"action":"notify","payload":{"mark":name}}` (the transport's mid-speech playout marks leave
 * the partial frame waiting instead, so no silence falls into the speech); `end` sends the
 * partial frame padded likewise (dropping one that holds only that carried end); `message`
 * frames go as JSON text (for other Vonage actions).
 * Without the `sampleRate` option nothing leaves before `websocket:connected` names the rate.
 * The transport's `fixedAudioPacketSize`, which cuts these messages again, must be one frame at
 * Vonage's rate (Vonage drops the call at a message of another size): another is reported, an
 * "encode" error, once the rate is known (the option, or `websocket:connected`), once per rate.
 * Hanging up is the transport closing the socket: Vonage ends the WebSocket leg then (its REST
 * API needs a JWT signed with the application's private key, which is out of this module's
 * scope).
 *
 * @example A short scripted call
 * ```ts
 * import { VonageSerializer } from "@x/ws-transport/vonage";
 * import assert from "node:assert/strict";
 *
 * const serializer = new VonageSerializer();
 * serializer.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 16000, outputChannels: 1 });
 * assert.deepEqual(
 *   serializer.deserialize(
 *     '{"event":"websocket:connected","content-type":"audio/l16;rate=16000","user":"ada"}',
 *   ),
 *   { type: "start", params: { user: "ada" } },
 * );
 * const audio = serializer.deserialize(new Uint8Array(640)) as { type: string };
 * assert.equal(audio.type, "audio");
 * const out = serializer.serialize({ type: "audio", audio: new Uint8Array(1280), sampleRate: 16000, channels: 1 });
 * assert.deepEqual((out as Uint8Array[]).map((m) => m.length), [640, 640]);
 * assert.equal(serializer.serialize({ type: "interruption" }), '{"action":"clear"}');
 * ```
 */
export class VonageSerializer implements FrameSerializer {
  /** Vonage answers `notify` once the audio sent before it has played. */
  readonly playoutMarks = true;
  /**
   * Without {@linkcode VonageSerializerOptions.sampleRate}, nothing leaves before
   * `websocket:connected` (the first message, sent as the handshake completes) names the rate:
   * a greeting written on connect would be encoded at a guess, and Vonage plays every byte at the
   * connection's own rate (a 16 kHz guess on an 8 kHz call played at half speed, the transport's
   * account of what was heard behind by as much for the rest of the call).
   */
  get awaitsStart(): boolean {
    return !this.#rateGiven;
  }
  /** Whether the rate was given ({@linkcode VonageSerializerOptions.sampleRate}). */
  readonly #rateGiven: boolean;
  #audio: TelephonyAudio;
  /** Outbound audio in 20 ms frames at Vonage's rate, the partial frame held for the next audio. */
  readonly #frames: WholeFrames;
  /** The bot's format, to count a dropped partial frame in the bytes the bot wrote it as. */
  readonly #written = new WrittenBytes();
  /** Takes back the transport's partial packet at a rate change (see `registerHeldFrames`). */
  readonly #partialPacketAtChange: (carried: boolean) => Uint8Array;
  #context: SerializerContext | undefined;
  /**
   * Names of marks sent since the last clear and not yet notified, in the order sent: a name the
   * bot uses again is there again, each notify answering one.
   */
  #marks: string[] = [];
  /**
   * Marks that were pending at a `clear` whose `websocket:cleared` has not come, oldest first.
   * Vonage's `websocket:cleared` carries no id (its WebSocket page: the "acknowledgement that a
   * clear command emptied the playback buffer"), so it cannot say which clear it answers, and
   * pairing answers with clears by count goes wrong for good once one clear is never answered:
   * every later answer would release the clear before its own, its own marks left waiting for
   * the next barge-in. Any answer releases them all instead. Every clear sent before it arrives
   * followed the interruption that stopped those marks' audio, which Vonage plays no more once
   * that clear reaches it: the marks come back as cleared, as Twilio's do, half a round trip
   * early at most. Never the marks sent since the last clear: those wait for their notify.
   */
  readonly #cleared: string[] = [];
  /** The lists a bot's mark was given up from and reported: later ones are only counted. */
  readonly #forgottenReported = new Set<"notify" | "cleared">();
  /**
   * A `websocket:connected` whose `content-type` we refuse refuses the binary media after it: in
   * that format, decoded at the rate before it would reach the bot as speech at the wrong speed.
   */
  readonly #refused = new RefusedFormat();
  /** The transport's `fixedAudioPacketSize` (`SerializerAudioSetup.outputPacketBytes`), if set. */
  #packetBytes: number | undefined;
  /** The frame size packets of another size were last reported for: once per rate. */
  #packetsReportedAt: number | undefined;

  /** Makes a serializer for one call; see {@linkcode VonageSerializerOptions}. */
  constructor(options: VonageSerializerOptions = {}) {
    this.#rateGiven = options.sampleRate !== undefined;
    const rate = options.sampleRate ?? 16000;
    if (!VONAGE_RATES.includes(rate)) {
      throw new RangeError(
        `sampleRate must be one of ${VONAGE_RATES.join(", ")} (Vonage's), got ${rate}`,
      );
    }
    this.#audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: rate, provider: PROVIDER });
    this.#frames = new WholeFrames(frameBytesAt(rate)); // one frame per message, as Vonage asks
    // For the transport: the held frame is the bot's speech, not filter state (_held_frame_ends.ts).
    this.#partialPacketAtChange = registerHeldFrames(this, {
      frames: this.#frames,
      written: this.#written,
      wire: () => this.#wire,
      dropEnd: () => {
        this.#dropHeld("audioBytesDroppedOnClose");
        this.#audio.endOutbound(false);
      },
    });
  }

  /** Vonage's audio rate in Hz (the option, or what `websocket:connected` announced). */
  get sampleRate(): number {
    return this.#audio.sampleRate;
  }

  /** Takes the transport's context: the partial frames dropped are counted through it. */
  bind(context: SerializerContext): void {
    this.#context = context;
    this.#refused.bind(context);
  }

  /** Takes the transport's input rate and channels for inbound audio frames. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
    this.#written.setup(audio);
    this.#packetBytes = audio.outputPacketBytes;
    this.#packetsReportedAt = undefined;
    // Without `sampleRate`, 16 kHz is a guess: `websocket:connected` judges the packets instead
    // (320-byte packets for an 8 kHz call are right, and no error to be told of).
    if (this.#rateGiven) this.#judgePackets();
  }

  /**
   * Reports (once per rate) a `fixedAudioPacketSize` that is not one 20 ms frame at Vonage's rate:
   * the transport cuts this serializer's frames into packets of that size, and Vonage takes only
   * messages of one frame ("It is important that each message is 320 or 640 bytes (depending on
   * sample rate) and contains 20ms of audio", its WebSockets guide): at another size it stops
   * listening and the call is lost at the bot's first packet ("unexpected frame size 160, when
   * required 320", Vonage's log in vocodedev/vocode-core#727). Reported, not refused: the
   * setting is the transport's, as Genesys's and Exotel's message sizes are, and a bot that
   * never speaks loses nothing.
   */
  #judgePackets(): void {
    const packet = this.#packetBytes;
    const frame = this.#frames.frameBytes;
    if (packet === undefined || packet === frame || this.#packetsReportedAt === frame) return;
    this.#packetsReportedAt = frame;
    this.#context?.report(
      new TransportError(
        "encode",
        `${PROVIDER}: fixedAudioPacketSize ${packet} sends the bot's audio in ${packet}-byte ` +
          `messages, and Vonage takes one 20 ms frame a message (${frame} bytes at ` +
          `${this.#audio.sampleRate} Hz) and drops the call at another size: set ` +
          `fixedAudioPacketSize to ${frame}, or leave it unset (the frames go whole without it)`,
      ),
    );
  }

  /** One frame to zero or more Vonage messages; see the class description. */
  serialize(frame: Frame): SerializedMessage | SerializedMessage[] | null {
    switch (frame.type) {
      case "audio": {
        const bytes = this.#audio.encode(frame);
        this.#written.wrote(frame);
        return bytes === null ? [] : this.#frames.push(bytes);
      }
      case "interruption":
        this.#dropHeld("audioBytesInterrupted");
        this.#audio.reset();
        for (const name of this.#marks) this.#awaitClear(name);
        this.#marks = [];
        return '{"action":"clear"}';
      case "mark": {
        if (this.#marks.length === MAX_PENDING_MARKS) this.#forget(this.#marks.shift()!, "notify");
        this.#marks.push(frame.name);
        const notify = toJson({ action: "notify", payload: { mark: frame.name } });
        // The transport's own playout marks fall mid-speech (every 250 ms to 1 s): padding there
        // would put silence into the speech, so the partial frame waits (the ack comes < 20 ms
        // early). Its end-of-speech mark follows a reply's last audio, whose end `audioEnds` sent
        // already; a bot's mark or a serializer used without `audioEnds` sends the partial frame.
        // Whole frames carried over a rate change go before the notify either way; a partial
        // frame holding only what the change carried beyond the bot's audio is dropped, not
        // padded to a frame of its own (`WholeFrames.pad`): 20 ms of silence after the reply, or
        // in its middle.
        const tail = isMidSpeechMark(frame.name)
          ? this.#frames.push(NO_AUDIO)
          : this.#frames.pad(SILENCE);
        return tail.length === 0 ? notify : [...tail, notify];
      }
      case "end": {
        const tail = this.#frames.pad(SILENCE);
        return tail.length === 0 ? null : tail.length === 1 ? tail[0]! : tail;
      }
      case "cancel":
        this.#dropHeld("audioBytesDroppedOnClose");
        return null;
      case "message":
        return toJson(frame.message);
      default:
        return null;
    }
  }

  /**
   * A stretch of the bot's audio ended: its partial frame goes at once as its last message,
   * padded with silence to a whole frame (Vonage takes 20 ms frames), ended first by what the
   * resampler still holds of it where the far end plays on (dropped where it does not: filter
   * state, see `FrameSerializer.audioEnds`). Those samples only end the partial frame: what has
   * no room in it is dropped (filter state, as `TelephonyAudio.endOutbound` says), all of them
   * where the last frame left whole, rather than padded out to a 20 ms frame of their own (an
   * 800 ms reply at 24 kHz, 40 whole frames at 16 kHz, played 820 ms). Likewise the old rate's
   * filter end that a rate change carried over as speech, by which the stream runs beyond the
   * bot's audio: a partial frame holding nothing else is dropped (an empty list, the frame the
   * transport counted gone), not padded to a frame (an 800 ms reply moved to 8 kHz 30 ms in
   * played 820 ms). Not left for the next reply, nor for the end-of-speech `notify`, which the
   * transport sends only after its quiet time, the far end perhaps run dry by then. The partial
   * frame goes even where the far end has run dry: it is the bot's speech, placed on the playout
   * timeline with its chunk and counted in `audioBytesSent` with it (with `fixedAudioPacketSize`,
   * as its packet leaves), which would otherwise count as sent audio that never left (the
   * transport cannot take it off the timeline).
   * The silence padding it, and the resampler's end, play after the audio placed with its chunks:
   * the transport places them after it on its playout timeline, so that the end-of-speech
   * `notify`, answered once they have played, is read where it is answered. Where the socket is
   * not open the transport has the partial frame dropped instead, counted (see `HeldFrameEnds`).
   */
  audioEnds(playing: boolean): SerializedMessage[] | null {
    const held = this.#frames.heldBytes;
    const last = this.#frames.end(
      this.#audio.endOutbound(playing, this.#frames.roomBytes),
      SILENCE,
    );
    // A partial frame dropped as beyond the audio (`WholeFrames.end`: the old rate's filter end
    // carried over a rate change): an empty list, not `null`, so that the transport lets go of
    // its share of the bot's bytes as sent (their length left in the frames before it).
    return last ?? (held > 0 ? [] : null);
  }

  /**
   * The socket closed, the call's end (Vonage ends the WebSocket leg by closing it, with no
   * message of its own): the caller's last samples the inbound resampler held back, handed on as
   * the telephony kit's stream end does.
   */
  finish(): Frame[] | null {
    const tail = this.#audio.flushInbound();
    return tail === null ? null : [tail];
  }

  /** One Vonage message to frames; see the class description. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data !== "string") {
      if (data.length === 0 || this.#refused.refusesMedia()) return null;
      return this.#audio.decode(data);
    }
    const reader = JsonReader.parse(data, PROVIDER);
    const message = reader.value;
    // The Video API's Audio Connector opens with the same content type and headers, but with no
    // `event` (the Voice API's names it `websocket:connected`).
    if (message.event === undefined && message["content-type"] !== undefined) {
      return this.#connected(reader);
    }
    switch (reader.string("event")) {
      case "websocket:connected":
        return this.#connected(reader);
      case "websocket:dtmf":
        return dtmf(reader);
      case "websocket:notify": {
        const payload = message.payload;
        const name = isObject(payload) ? payload.mark : undefined;
        if (
          typeof name === "string" &&
          // A cleared mark first: until its clear is answered, a notify of a name the bot used
          // again on both sides of that clear is the older's, which played before the clear.
          (takeName(this.#cleared, name) || takeName(this.#marks, name) ||
            // The transport's own, answered twice or after we forgot it: a mark still, which the
            // transport takes as one it does not know and keeps from the bot (reserved names).
            name.startsWith(PLAYOUT_MARK_PREFIX))
        ) {
          return { type: "mark", name } satisfies MarkFrame;
        }
        return { type: "message", message } satisfies MessageFrame;
      }
      case "websocket:cleared": {
        const cleared = this.#cleared.map((name): MarkFrame => ({ type: "mark", name }));
        this.#cleared.length = 0;
        return cleared;
      }
      default:
        return { type: "message", message } satisfies MessageFrame;
    }
  }

  /** Keeps `name`, pending at a clear, for that clear's answer (see `#cleared`). */
  #awaitClear(name: string): void {
    if (this.#cleared.length === MAX_CLEARED_MARKS) this.#forget(this.#cleared.shift()!, "cleared");
    this.#cleared.push(name);
  }

  /**
   * The oldest mark waiting, given up past its list's bound: a bot's never comes back, so it is
   * counted in `stats.encodeErrors`, as a mark a protocol cannot carry is, and the first from each
   * list is reported. Not the transport's own: a notify of one is a mark still (see `deserialize`),
   * and its tracker counts those it stops waiting for (`marksUnanswered`).
   */
  #forget(name: string, list: "notify" | "cleared"): void {
    if (name.startsWith(PLAYOUT_MARK_PREFIX)) return;
    this.#context?.count("encodeErrors");
    if (this.#forgottenReported.has(list)) return;
    this.#forgottenReported.add(list);
    const unanswered = list === "notify"
      ? `${MAX_PENDING_MARKS} marks await their websocket:notify`
      : `${MAX_CLEARED_MARKS} marks at unanswered clears await a websocket:cleared`;
    this.#context?.report(
      new TransportError(
        "protocol",
        `${PROVIDER}: ${unanswered}: the bot's mark ${describe(name)} is given up and will not ` +
          "come back (counted in stats.encodeErrors, as further ones are without another event)",
      ),
    );
  }

  /** Drops the partial frame held for the next audio, counted (see `WrittenBytes.dropped`). */
  #dropHeld(counter: "audioBytesInterrupted" | "audioBytesDroppedOnClose"): void {
    this.#written.dropped(this.#context, counter, this.#frames.clear(), this.#wire);
  }

  /** The wire's format: PCM16 at Vonage's rate. */
  get #wire(): WireFormat {
    return { bytesPerSample: 2, sampleRate: this.#audio.sampleRate };
  }

  #connected(reader: JsonReader): Frame | Frame[] {
    const message = reader.value;
    let heard: AudioFrame | null = null;
    let rate = this.#audio.sampleRate;
    // Refused, the binary media after it is too, until a websocket:connected we read.
    this.#refused.apply(() => {
      if (message["content-type"] !== undefined) {
        rate = rateOf(reader, reader.string("content-type"));
      }
    });
    if (rate !== this.#audio.sampleRate) heard = this.#changeRate(rate);
    this.#judgePackets();
    // Vonage puts the endpoint's custom headers beside `event` and `content-type`; some
    // integrations nest them under `headers`. Both become params.
    const params: Record<string, string> = {};
    const headers = isObject(message.headers) ? { ...message, ...message.headers } : message;
    for (const [name, value] of Object.entries(headers)) {
      if (name === "event" || name === "content-type" || name === "headers") continue;
      if (value === undefined || value === null) continue;
      setOwnField(params, name, typeof value === "string" ? value : JSON.stringify(value));
    }
    const start: StartFrame = { type: "start" };
    const callId = params.uuid ?? params.call_uuid ?? params.conversation_uuid;
    if (callId !== undefined) start.callId = callId;
    if (Object.keys(params).length > 0) start.params = params;
    // The caller's audio the old rate's filter held came before this message.
    return heard === null ? start : [heard, start];
  }

  /**
   * Moves both directions to `rate`, losing nothing the old rate held: returns the inbound
   * resampler's held-back samples (the caller's, to deliver), and carries the transport's
   * partial packet, the outbound partial frame and the outbound resampler's held-back samples
   * (the bot's) over to the new rate.
   */
  #changeRate(rate: number): AudioFrame | null {
    const was = this.#audio.sampleRate;
    const heard = this.#audio.flushInbound();
    const owed = this.#audio.flushOutbound();
    this.#audio.configure({ sampleRate: rate });
    // The partial frame, then what the filter held after it, is the bot's speech: it goes on at
    // the new rate, resampled whole (flushed, so none stays in a filter), not lost with the old
    // frame size. It may come to more than a frame: WholeFrames sends the whole ones first.
    // The transport's partial packet (`fixedAudioPacketSize`) holds the audio before it, made at
    // the old rate too: it goes first, rather than leave to play at the new rate.
    // What runs beyond the bot's audio: the old filter's end (its stream began with that much
    // silence, so what was sent was as long as the audio without it) and what an earlier change
    // carried beyond it. Carried as speech (the bot's last samples before the change), but a
    // stretch whose partial frame holds nothing else at its end drops it rather than pad it to a
    // frame of its own (`WholeFrames.end`).
    const spareBefore = this.#frames.spareBytes + (owed?.length ?? 0);
    const packet = this.#partialPacketAtChange(true);
    const frame = this.#frames.resize(frameBytesAt(rate));
    const held = packet.length === 0 ? frame : concatBytes(packet, frame);
    const old = owed === null ? held : concatBytes(held, owed);
    // The audio comes to as many samples at the new rate as the resampler makes of it alone
    // (its exact length, halves rounded up): the rest of what it makes is spare. Nothing to
    // carry, the stream runs as far beyond the audio still (what ran beyond it left in whole
    // frames): kept, at the new rate, or the reply's end would pad it to a frame of its own.
    const audioSamples = Math.round(((old.length - spareBefore) / 2) * (rate / was));
    let samplesMade = 0;
    if (old.length > 0) {
      const resampler = new Resampler({ inputRate: was, outputRate: rate });
      const head = resampler.process(pcm16Samples(old));
      const tail = resampler.flush();
      samplesMade = head.length + tail.length;
      this.#frames.carry(pcm16Bytes(head));
      this.#frames.carry(pcm16Bytes(tail));
    }
    this.#frames.runsBeyond((samplesMade - audioSamples) * 2);
    return heard;
  }
}

/** Takes the first `name` out of `names`: whether one was there. */
function takeName(names: string[], name: string): boolean {
  const at = names.indexOf(name);
  if (at >= 0) names.splice(at, 1);
  return at >= 0;
}

function frameBytesAt(rate: number): number {
  return (rate / 50) * 2;
}

/**
 * The rates Vonage streams at, as the Voice API's WebSockets guide lists them ("set the
 * content-type property to audio/l16;rate=16000 or audio/l16;rate=8000"; the @vonage/voice SDK's
 * `WebsocketBitrate` has these two alone, the @vonage/video SDK's Audio Connector `AudioRate` too):
 * named, not read off the resampler's list, which carries rates (12, 32, 96, 192 kHz: Asterisk's)
 * no Vonage far end names. And 24000, taken before this list as the resampler's: not refused on
 * the strength of an SDK's enum alone, as a newer Vonage far end may name it. Another is no
 * Vonage far end's: refused.
 */
const VONAGE_RATES: readonly number[] = [8000, 16000, 24000];

/** The `rate=` of an `audio/l16;rate=16000` content type (one of {@linkcode VONAGE_RATES}). */
function rateOf(reader: JsonReader, contentType: string): number {
  const [type, ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "audio/l16") {
    throw reader.error(`content-type is not audio/l16: ${describe(contentType)}`);
  }
  const spelled = parameters.find((p) => p.startsWith("rate="))?.slice(5) ?? "16000";
  // Digits only, as Vonage writes the rate: `Number` would also take "0x3e80" or "16e3".
  const rate = /^\d+$/.test(spelled) ? Number(spelled) : NaN;
  if (!VONAGE_RATES.includes(rate)) {
    throw reader.error(`content-type has an unsupported rate: ${describe(contentType)}`);
  }
  return rate;
}

function dtmf(reader: JsonReader): DtmfFrame {
  // Vonage documents `digit` at the top level; some relays nest it as `dtmf.digit`.
  const nested = reader.value.digit === undefined && isObject(reader.value.dtmf);
  return { type: "dtmf", digit: (nested ? reader.object("dtmf") : reader).dtmfDigit("digit") };
}
