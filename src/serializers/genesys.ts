/**
 * Genesys Cloud AudioHook, protocol version 2 (the AudioHook Monitor and the bidirectional Audio
 * Connector speak it): JSON control messages in sequenced envelopes and binary PCMU audio.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import { TransportError } from "../errors.ts";
import { utf8Length } from "../_utf8_length.ts";
import type { DtmfFrame, EndFrame, Frame, MarkFrame, MessageFrame, StartFrame } from "../frames.ts";
import { playbackReportName } from "../_playback_reports.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
} from "../serializer.ts";
// The session's state machine is this file's; the protocol's parts it leans on live beside it,
// each a concept of its own: the media offer and the `start` frame (`_audiohook_open.ts`), the
// envelope's numbering and checks (`_genesys_envelope.ts`), what the bot may send
// (`_genesys_server_messages.ts`), the last message and its output variables
// (`_genesys_farewell.ts`), the bound on Genesys's close (`_genesys_close_bound.ts`), Genesys's
// playback and the goodbye's wait for it (`_genesys_playback.ts`), the client `error` report
// (`_genesys_client_error.ts`), and the transport's settings against Genesys's limit on binary
// messages (`_genesys_rate_limit.ts`).
import { chooseMedia, type MediaOffer, noMediaReason, openStartFrame } from "./_audiohook_open.ts";
import { clientError } from "./_genesys_client_error.ts";
import { closeParametersFault } from "./_genesys_client_parameters.ts";
import { GenesysCloseBound } from "./_genesys_close_bound.ts";
import { GenesysEnvelope, MAX_TEXT_BYTES, readClientText } from "./_genesys_envelope.ts";
import { GenesysFarewell } from "./_genesys_farewell.ts";
import { GenesysPlayback } from "./_genesys_playback.ts";
import { binaryRateProblem } from "./_genesys_rate_limit.ts";
import { botServerMessage } from "./_genesys_server_messages.ts";
import { EndOfStream } from "./telephony/_end_of_stream.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";
import type { JsonReader } from "./telephony/json_reader.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";

const PROVIDER = "genesys";
/**
 * The longest `playbackCompletedTimeoutMs`: a minute, where Genesys's buffer is a fraction of a
 * second; beyond it the number is a mistake (seconds for milliseconds), not a wait.
 */
const MAX_PLAYBACK_WAIT_MS = 60_000;

/**
 * What the goodbye's wait leaves of the transport's `sendTimeoutMs`, which bounds the `serialize`
 * it is part of: room for the `disconnect` to leave before the transport gives the end up (1011).
 */
const SEND_MARGIN_MS = 250;

/**
 * What Genesys's `close` ends, by the name its drop is reported under: its audio and every client
 * message but those in {@linkcode READ_AFTER_CLOSE}; a type not named here is reported as a
 * "message". The reference client sends none of them once it has sent `close`: it closes its
 * media source (no audio, `discarded`, `paused` or `resumed`) and stops its pings
 * (client/clientsessionimpl.ts, initiateClose), and the reference server acts on no `update`,
 * `paused` or `resumed` outside an open session (server/serversessionimpl.ts).
 */
const ENDED_BY_CLOSE = [
  "audio",
  "discarded",
  "dtmf",
  "pause",
  "paused",
  "ping",
  "playback_completed",
  "playback_started",
  "resumed",
  "update",
  "message",
];

/**
 * The client messages still read after Genesys's `close`: an `error`, which the reference client
 * may send while it closes (a 409 for a server message it did not expect then, or a 408 when no
 * `closed` comes: client/clientsessionimpl.ts, signalFatalError and initiateClose), reported; and
 * a second `close` or an `open`, each a decode error of its own ("close after the session
 * closed", "open while the session is closed").
 */
const READ_AFTER_CLOSE: ReadonlySet<string> = new Set(["close", "error", "open"]);

/** An AudioHook audio channel: the customer (`external`) or the agent/bot side (`internal`). */
export type GenesysChannel = "external" | "internal";

/**
 * Whether the bot's audio goes to Genesys: `"auto"` when the session is an Audio Connector one
 * (its `open` carries `inputVariables`, the inputs of Architect's Call Audio Connector action,
 * which an AudioHook Monitor `open` never has), `"always"`, or `"never"`.
 */
export type GenesysSendAudio = "auto" | "always" | "never";

/** Options for {@linkcode GenesysSerializer}. */
export interface GenesysSerializerOptions {
  /**
   * The channel that reaches the bot as inbound audio. The serializer accepts a mono offer of
   * this channel when Genesys makes one, otherwise a stereo offer, from which it takes this
   * channel only. (Mono first, where pipecat accepts the first offer whatever it is: the bot
   * hears one party, and a stereo stream would carry the other party's audio only for it to be
   * thrown away; the order of the offers is not a demand, Genesys accepts any one of them.)
   *
   * @default {"external"}
   */
  channel?: GenesysChannel;
  /**
   * Whether `opened` asks Genesys to start paused (no audio until the server sends `resume`).
   *
   * @default {false}
   */
  startPaused?: boolean;
  /**
   * Languages the bot speaks, announced in `opened` when `open` asks for them. A list that would
   * make `opened` longer than the 65,535 bytes Genesys takes (thousands of codes) is a
   * `RangeError`: Genesys would end the session at once (error 413).
   *
   * @default {[]}
   */
  supportedLanguages?: string[];
  /**
   * Values handed back to the Architect flow in `disconnect` and `closed`; see
   * {@linkcode GenesysSerializer.setOutputVariables}.
   *
   * @default {undefined}
   */
  outputVariables?: Record<string, string>;
  /**
   * Whether outbound audio is sent (see {@linkcode GenesysSendAudio}). An AudioHook Monitor
   * session is listen-only: its client answers any binary message with error 415 and closes, so
   * audio the session cannot carry is dropped, counted in `transport.stats.audioBytesRefused`
   * and reported once as an "encode" error (not on a connection probe, nor before `open`, where
   * only the transport's background can have come: dropped and counted only).
   *
   * @default {"auto"}
   */
  sendAudio?: GenesysSendAudio;
  /**
   * How long the goodbye's `disconnect` may wait for the Audio Connector's `playback_completed`
   * (milliseconds; 0: it never waits). It waits when the bot's `end` comes while Genesys, which
   * says `playback_started` and `playback_completed` about the bot's audio, has not said it has
   * played all it was sent (see the class description): the transport hangs up on its estimate
   * of the playout (with the default `playoutDelayMs` of 0, Genesys's own buffer, a few hundred
   * milliseconds, still plays), and the `disconnect` ends the call. Past this bound it goes
   * anyway, with a "timeout" error (not fatal).
   *
   * The wait is part of serializing the `end`, so the transport's wait for Genesys's close
   * (`closeTimeoutMs`) starts only once the `disconnect` has gone; the transport bounds a
   * serialization by its `sendTimeoutMs` (5000 by default) and ends the session (1011) past it,
   * so the wait ends 250 ms before that whatever this says (at once when it is 250 ms or less).
   *
   * @default {2000}
   */
  playbackCompletedTimeoutMs?: number;
}

type State = "idle" | "active" | "disconnecting" | "closed";

/**
 * Frames ⇄ AudioHook v2 messages. Genesys is the client; this serializer is the server side.
 *
 * The protocol makes the server answer by itself (`open` → `opened`, `ping` → `pong`, `close` →
 * `closed`), so the serializer needs the transport's `bind`: it answers through the context's
 * `send` at once and the bot never sees those exchanges. Server messages carry `seq` (ours, from 1)
 * and `clientseq` (the last `seq` Genesys sent). Replies, barge-ins and bot messages are numbered
 * and sent at once, so their numbers leave in order; only `disconnect` is returned from
 * `serialize`, so that it follows the audio queued before it. Genesys's text messages must be JSON
 * objects of at most 65,535 characters (UTF-16 units, as its reference server counts them),
 * numbered one after the other, carry a `serverseq` that acknowledges none we have not sent, a
 * `position` (a duration such as `PT1.5S`), this session's `id` (a UUID), `version` "2", a string
 * `type` (any: one the serializer does not know reaches the bot) and `parameters` that are an
 * object holding what the reference requires of its type (an `open` its organization and
 * conversation UUIDs, a participant with a UUID `id` and `ani`, `aniName` and `dnis`, a list of
 * well-formed media offers, every one, and, if any, a language tag, judged as BCP 47 where the
 * reference's pattern refuses `es-419`; a `resumed` its `start` and `discarded`, an `error` its
 * `code` and `message`, …), and its audio must be whole frames of the accepted media, from `opened`
 * on, and not while its stream is paused, as the reference server requires: a message that breaks a
 * rule is a decode error and not acted on (audio not delivered; a text message's `seq` not taken
 * when its shape is wrong), and the first asks Genesys to end the session (`disconnect` with reason
 * `error`, its `info` beginning "Client Error: " as the reference server's do). Genesys numbers on
 * from a text message so refused before its `seq` was taken (unreadable, malformed in its shape,
 * out of step) until it has read our `disconnect` (the breach's, or our goodbye's before it): its
 * messages out of step meanwhile, well formed in their shape and ahead by no more than the
 * messages refused, are not read, counted in `stats.inboundAfterEnd` (not as more decode errors:
 * the one refusal is; a gap beyond, or a replay, is a fault of its own), an `error` among them
 * still reported (a "protocol" error with its code and message). A `close` whose
 * parameters are off (no known `reason`, or no parameters at all) is answered all the same, the
 * fault a decode error counted and reported: refused, the session would end only by timeout,
 * Genesys waiting for our `closed`. Only Genesys's `close` once we are ending (after our
 * `disconnect`) is answered whatever is wrong with it, the fault counted in `decodeErrors` and
 * reported: it ends the session, and its client waits for our `closed`.
 *
 * Inbound: `open` (the first message only) → `opened` (accepting a PCMU 8 kHz offer, see
 * {@linkcode GenesysSerializerOptions.channel}; an `open` offering none is refused with
 * `disconnect`, reason `error`, its `info` saying what was missing, a decode error and no `start`
 * frame: a session without audio is no use to a voice bot) and a `start` frame (`streamId` the
 * session id, `callId` the conversation id, `params` the organization, conversation and
 * participant ids, participant `ani`/`aniName`/`dnis` and `language`, always the open's own
 * values, then every `inputVariables` and `customConfig` entry under `inputVariables.<name>` or
 * `customConfig.<name>`, and under its bare name too unless one of the open's fields or an input
 * variable took it: a flow variable named `language` never stands in for the open's); binary
 * PCMU → audio frames at the transport's input rate (stereo is split and only the chosen channel
 * kept, as mono), from `opened` until Genesys's `close`, so also what the caller says while Genesys
 * has not yet read our `disconnect`, except while the stream is paused; `ping` → `pong`; `close` →
 * `closed` (with the output variables) and an `end` frame with the close reason, once (after it,
 * audio and messages, which the client does not send, are dropped, a `ping` left unanswered as
 * `closed` is our last message, counted in `stats.inboundAfterEnd` and reported once, a
 * "protocol" error; a second `close` or an `open` is a decode error; an `error` is still
 * reported; the bot reads nothing after its `end`); `paused` (from `opened` too when it asked to
 * start paused) and `resumed` track whether audio may flow; `dtmf` → a `dtmf` frame; `error`
 * (Genesys's `code`, `message` and `retryAfter`) is reported as a "protocol" error and, like
 * everything else (`update`, `discarded`, …), reaches the bot as a `message` frame holding the
 * AudioHook message; so do the Audio Connector's `playback_started` and `playback_completed`,
 * which the serializer also reads (see the playback reports and the ending below).
 * {@linkcode GenesysSerializer.position} is where Genesys last said its stream was; server messages
 * carry no `position` (the protocol defines it on client messages only: the reference
 * implementation's `ClientMessageBase` has it, `ServerMessageBase` has `clientseq` instead). It is
 * the stream's time, not the audio the bot has heard: the reference client's position runs on
 * while the stream is paused and over the audio it discards (client/src/mediasource-tone.ts, its
 * sample position; the `resumed` and `discarded` messages say how much of it never came).
 *
 * Outbound: audio → binary PCMU at 8 kHz, mono, when the session carries it
 * ({@linkcode GenesysSerializerOptions.sendAudio}; Genesys limits the number of binary messages,
 * 5 a second on average: set the transport's `fixedAudioPacketSize` to 1600, 200 ms; a session
 * that carries audio and opens with shorter messages reports an "encode" error, once; without
 * packets, the resampler's last samples of a reply are dropped rather than sent as a message of
 * their own); `interruption` → an `event` with a
 * `barge_in` entity; `end` or `cancel` → `disconnect` with reason `completed` (once), `info` the
 * end's reason, and the output variables; a `message` frame holding `{ type, parameters }` →
 * that server message in a proper envelope (e.g. `event` with transcript entities), from `opened`
 * until our `closed`; a type that is no AudioHook server message, or one the serializer sends
 * itself in answer to Genesys (`opened`, `pong`, `closed`), parameters Genesys's client refuses
 * (an `event` without its `entities` list), a message over the 65,535 bytes it takes, or one
 * outside the session is an "encode" error, not sent, and the session goes on. The bot's own
 * `disconnect` (for a reason `end` cannot give: `error`, `unauthorized`) is the session's goodbye
 * as an `end`'s is, with the output variables; once it has gone, an `end` sends no second one.
 * The session ends as Genesys closes; the transport, not told of it, waits for no close, so if
 * Genesys has not closed within the transport's `closeTimeoutMs` (its bound after an `end`) the
 * serializer ends the session (a fatal "timeout", 1000), as it does after a breach's `disconnect`.
 *
 * Ending follows AudioHook's closing sequence: after our `disconnect` Genesys sends `close`, we
 * answer `closed`, and Genesys closes the socket. {@linkcode GenesysSerializer.peerCloses} tells
 * the transport to wait for that close (at most its `closeTimeoutMs`) instead of closing first.
 * The `disconnect` ends the call at once, so the goodbye must have played: the transport sends
 * the `end` on its estimate of the playout, and Genesys's buffer may still be playing then. The
 * Audio Connector says `playback_started` when it begins to play the bot's audio and
 * `playback_completed` once it has played all it was sent; an `end` while Genesys is playing (it
 * said the one and not yet the other) or audio went out since its last `playback_completed` (or
 * so shortly before it that it may not cover it; a barge-in, which drops what Genesys holds,
 * clears both; audio the transport dropped before it left, a partial packet under `lastPacket:
 * "drop"`, never went out) waits for the next, at most
 * {@linkcode GenesysSerializerOptions.playbackCompletedTimeoutMs}, with a "timeout" error past
 * that. A client that has said neither `playback_started` nor `playback_completed` in the
 * session is not waited for (nothing would tell its silence from a lost message), nor is a
 * `cancel` (it hangs up now, also during such a wait). Those messages say when a whole stretch
 * has played, not how far it has: they answer no playout marks.
 *
 * Playback reports: each of those two messages also comes out of `deserialize` as a `mark` frame
 * with a reserved name (the transport's own prefix, `PLAYOUT_MARK_PREFIX`), which the transport
 * hides from the bot and hands to its playback tracker, as it does the acknowledgements of other
 * protocols. A `playback_completed` says Genesys has played all it had: all the audio sent, but
 * for what left within the last 100 ms, which may have crossed the message on its way (sent after
 * Genesys ran dry; its `playback_started` follows once it plays). So the end of a reply is taken
 * as played when Genesys says so (`speakingstop` then, acknowledged), and how far behind the
 * estimate Genesys plays is learned there; within a reply `heardMs` is the estimate, so
 * corrected. A goodbye Genesys has not yet said it played stays audible while its `disconnect`
 * waits.
 *
 * Output variables come from the serializer (the option, or
 * {@linkcode GenesysSerializer.setOutputVariables} at any time before the end), not from a frame:
 * frames are the same for every protocol, and a `message` frame already means "send this server
 * message", so a convention inside it could be sent to Genesys by mistake. A `disconnect` or
 * `closed` they would make longer than the 65,535 bytes Genesys takes goes without them (an
 * "encode" error, counted in `encodeErrors`): the call still ends cleanly, the flow gets none.
 * So does a `disconnect` whose `info`, the end's reason, alone would make it that long: it goes
 * without the `info`, counted and reported the same way.
 *
 * @example The open handshake
 * ```ts
 * import { GenesysSerializer } from "@x/ws-transport/genesys";
 * import assert from "node:assert/strict";
 *
 * const sent: unknown[] = [];
 * const serializer = new GenesysSerializer();
 * serializer.bind({
 *   send: (message) => sent.push(JSON.parse(message as string)),
 *   count: () => {},
 *   report: () => {},
 * });
 * serializer.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 16000, outputChannels: 1 });
 * const start = serializer.deserialize(JSON.stringify({
 *   version: "2", type: "open", seq: 1, serverseq: 0, id: "e160e428-53e2-487c-977d-96989bf5c99d",
 *   position: "PT0S",
 *   parameters: {
 *     organizationId: "d7934305-0972-4844-938e-9060eef73d05",
 *     conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
 *     participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "+1-555-555-1234", aniName: "John Doe", dnis: "+1-800-555-6789" },
 *     media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
 *   },
 * }));
 * assert.equal((start as { callId: string }).callId, "090eaa2f-72fa-480a-83e0-8667ff89c0ec");
 * assert.deepEqual(sent, [{
 *   version: "2", type: "opened", seq: 1, clientseq: 1, id: "e160e428-53e2-487c-977d-96989bf5c99d",
 *   parameters: { startPaused: false, media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }] },
 * }]);
 * ```
 */
export class GenesysSerializer implements FrameSerializer {
  #channel: GenesysChannel;
  #startPaused: boolean;
  #languages: string[];
  #sendAudio: GenesysSendAudio;
  #playbackTimeoutMs: number;
  /** What Genesys says of its playback of the bot's audio, and the goodbye's wait for it. */
  #playback = new GenesysPlayback();
  #audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000, provider: PROVIDER });
  /**
   * Genesys's `close` ends its stream: what it sends after it (audio, messages but `error`) is
   * counted and reported once, and never reaches the bot.
   */
  #end = new EndOfStream(PROVIDER, ENDED_BY_CLOSE);
  #context: SerializerContext | undefined;
  #state: State = "idle";
  /** Our numbering and Genesys's, and the session id: every message's envelope. */
  #envelope = new GenesysEnvelope();
  /** The session's last message of ours, and the output variables it hands back. */
  #farewell = new GenesysFarewell(this.#envelope);
  #position = "PT0S";
  /** Whether `open` was answered with `opened`: binary messages are then the accepted media. */
  #opened = false;
  /**
   * Whether Genesys's audio stream is paused: from its `paused` (or our `opened` with
   * `startPaused`) until its `resumed`. Kept apart from the state: an ending session can be paused.
   */
  #paused = false;
  /** Channels in the accepted media (1 or 2) and the index of the one kept. */
  #channels = 1;
  #keep = 0;
  /** Whether this session carries the bot's audio (decided at `open`). */
  #carriesAudio = false;
  /**
   * Whether the transport cuts the binary messages into packets (`fixedAudioPacketSize`), the
   * last held until the next completes it: a stretch's held end then joins that packet.
   */
  #packetized = false;
  /**
   * What is wrong with the transport's cut of the bot's audio for Genesys's limit on binary
   * messages (see `_genesys_rate_limit.ts`), reported once a session that carries audio opens.
   */
  #rateProblem: string | undefined;
  /** Whether the session is Genesys's connection probe (see `openStartFrame`): no call behind it. */
  #probe = false;
  /** Refusal reasons already reported, so each is reported once. */
  #reported = new Set<string>();
  /** The bound on Genesys's close after a disconnect no `end` follows. */
  #closeBound = new GenesysCloseBound();

  /** Makes a serializer for one session; see {@linkcode GenesysSerializerOptions}. */
  constructor(options: GenesysSerializerOptions = {}) {
    const channel = options.channel ?? "external";
    if (channel !== "external" && channel !== "internal") {
      throw new RangeError(`channel must be "external" or "internal", got ${channel}`);
    }
    const sendAudio = options.sendAudio ?? "auto";
    if (sendAudio !== "auto" && sendAudio !== "always" && sendAudio !== "never") {
      throw new RangeError(`sendAudio must be "auto", "always" or "never", got ${sendAudio}`);
    }
    const timeoutMs = options.playbackCompletedTimeoutMs ?? 2000;
    if (!(timeoutMs >= 0 && timeoutMs <= MAX_PLAYBACK_WAIT_MS)) {
      throw new RangeError(
        `playbackCompletedTimeoutMs must be from 0 to ${MAX_PLAYBACK_WAIT_MS}, got ${timeoutMs}`,
      );
    }
    this.#channel = channel;
    this.#sendAudio = sendAudio;
    this.#playbackTimeoutMs = timeoutMs;
    this.#startPaused = options.startPaused ?? false;
    this.#languages = [...(options.supportedLanguages ?? [])];
    this.#checkOpenedFits();
    if (options.outputVariables !== undefined) this.setOutputVariables(options.outputVariables);
  }

  /**
   * Throws a `RangeError` when `supportedLanguages` would make `opened` longer than the 65,535
   * bytes Genesys takes: its reference client answers such a message with a fatal error 413 and
   * ends the session, and `opened` carries the whole list whenever `open` asks for it. Known
   * now: measured as `open` would be answered with the longest offer (stereo) and a session id
   * of a UUID's length, which every AudioHook message's `id` is (validators.ts, `uuidRegex`).
   */
  #checkOpenedFits(): void {
    const bytes = utf8Length(this.#envelope.text("opened", {
      startPaused: this.#startPaused,
      media: [{ type: "audio", format: "PCMU", channels: ["external", "internal"], rate: 8000 }],
      supportedLanguages: this.#languages,
    }));
    if (bytes > MAX_TEXT_BYTES) {
      throw new RangeError(
        `supportedLanguages make opened ${bytes} bytes: no message to Genesys holds over ` +
          `${MAX_TEXT_BYTES}`,
      );
    }
  }

  /** The session id Genesys gave in `open` (the nil UUID before). */
  get sessionId(): string {
    return this.#envelope.id;
  }

  /** Whether the session is open and Genesys is sending audio. */
  get active(): boolean {
    return this.#state === "active" && !this.#paused;
  }

  /** Where Genesys last said its audio stream was (the `position` of the latest message taken). */
  get position(): string {
    return this.#position;
  }

  /** Whether this session sends the bot's audio to Genesys (known once `open` has come). */
  get carriesAudio(): boolean {
    return this.#carriesAudio;
  }

  /**
   * Genesys's `playback_started` and `playback_completed` reach the transport as playback reports
   * (see the class's doc): its playback tracker reads them.
   */
  readonly playbackReports = true;

  /**
   * Whether Genesys will close the socket itself: once our `disconnect` has gone (Genesys answers
   * with `close`, we with `closed`, then it closes) or once it has sent `close`. The transport
   * reads this after the `end` frame is serialized and waits for that close, at most
   * `closeTimeoutMs`; before the session opened there is nobody to wait for.
   */
  get peerCloses(): boolean {
    return this.#state === "disconnecting" || this.#state === "closed";
  }

  /** Keeps the transport's context: replies go out through its `send`, refusals its `count`. */
  bind(context: SerializerContext): void {
    this.#context = context;
    this.#end.bind(context);
    this.#farewell.bind(context);
    this.#closeBound.bind(context);
  }

  /** Takes the transport's input rate and channels for inbound audio frames. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
    this.#packetized = audio.outputPacketBytes !== undefined;
    this.#rateProblem = binaryRateProblem(audio);
    // PCMU at 8 kHz: 8 bytes a millisecond, as in `serialize`.
    this.#playback.packets(
      audio.outputPacketBytes === undefined ? undefined : audio.outputPacketBytes / 8,
    );
  }

  /**
   * Sets the `outputVariables` that `disconnect` and `closed` hand back to the Architect flow.
   * They travel as a map of strings (the Audio Connector's `DisconnectParameters` declares
   * `outputVariables?: JsonStringMap`, as quoted on Genesys's developer forum, thread 26969), so
   * other values are a `TypeError`; variables whose JSON alone is over the 65,535 bytes a
   * message to Genesys may hold could never reach the flow: a `RangeError` (nearly that large,
   * they may still make the goodbye too long: it then goes without them, see the class
   * description). Call it any time before the session ends.
   */
  setOutputVariables(variables: Record<string, string>): void {
    this.#farewell.setOutputVariables(variables);
  }

  /** Asks Genesys to stop sending audio (it answers `paused`). Does nothing unless open. */
  pause(): void {
    if (this.#state === "active") this.#reply("pause", {});
  }

  /** Asks Genesys to send audio again (it answers `resumed`). Does nothing unless open. */
  resume(): void {
    if (this.#state === "active") this.#reply("resume", {});
  }

  /**
   * A stretch of the bot's audio ended: what the resampler still holds of it goes as its last
   * audio, a fraction of a millisecond, where it plays on, Genesys takes audio, and the transport
   * packs binary messages into packets (`fixedAudioPacketSize`: it joins the packet the reply's
   * last chunk began, no message of its own); else it is dropped, not left to go in front of the
   * next reply (see `FrameSerializer.audioEnds`). Without packets it would go as a message of a
   * few bytes after the reply's last, and Genesys limits the server's binary messages by their
   * number, whatever their size (an average of 5 a second, 25 at once: `global.inbound.binary.*`
   * on developer.genesys.cloud's limits page, AudioHook section): a message spent on two samples
   * of a reply's fading end may be the one that draws a 429, which ends the session. Padded, it
   * would still be a message; merged with the reply's last, that message would have to wait for
   * the stretch's end, which is what the transport's packets do.
   */
  audioEnds(playing: boolean): Uint8Array | null {
    const takes = this.#state === "active" && this.#carriesAudio && !this.#playback.waiting;
    const tail = this.#audio.endOutbound(playing && takes && this.#packetized);
    // PCMU at 8 kHz: 8 bytes a millisecond, as in `serialize`.
    // The packet not yet whole goes right after, with this tail: the transport says so
    // (`partialPacketSent`, or `partialPacketDropped`).
    if (tail !== null) this.#playback.sent(tail.length / 8, this.#context?.clock?.now());
    return tail;
  }

  /**
   * The transport sent its partial packet (`fixedAudioPacketSize`): the audio it held left now,
   * mid-stream too, padded, where background audio carries the stream on past a reply's end and
   * no {@linkcode audioEnds} comes (see `FrameSerializer.partialPacketSent`).
   */
  partialPacketSent(_bytes: number): void {
    this.#playback.packetLeft(this.#context?.clock?.now());
  }

  /**
   * The transport dropped the last `bytes` of the PCMU it was given (`lastPacket: "drop"`: a
   * reply's partial last packet, or all of a reply shorter than one packet): Genesys never gets
   * them, so never says `playback_completed` for them. Taken back from what it may not have
   * played: else an `end` after such a reply would hold its `disconnect` the whole
   * `playbackCompletedTimeoutMs` for a word that never comes, and report a "timeout".
   */
  partialPacketDropped(bytes: number): void {
    // PCMU at 8 kHz: 8 bytes a millisecond, as in `serialize`.
    this.#playback.dropped(bytes / 8);
  }

  /**
   * One frame to an AudioHook message, or `null`; see the class description. An `end` while
   * Genesys still plays the bot's audio answers with a promise: the `disconnect` goes through the
   * context once Genesys has played it (see
   * {@linkcode GenesysSerializerOptions.playbackCompletedTimeoutMs}).
   */
  serialize(frame: Frame): SerializedMessage | null | Promise<string | null> {
    const open = this.#state === "active";
    switch (frame.type) {
      case "audio": {
        if (!this.#audioOut(frame.audio.length)) return null;
        const encoded = this.#audio.encode(frame);
        // PCMU at 8 kHz: 8 bytes a millisecond, as it goes on the wire.
        if (frame.audio.length > 0) {
          this.#playback.sent((encoded?.length ?? 0) / 8, this.#context?.clock?.now());
        }
        return encoded;
      }
      case "interruption": {
        this.#audio.reset();
        const bargeIn = open
          ? this.#server("event", { entities: [{ type: "barge_in", data: {} }] })
          : null;
        // Genesys drops what it holds: nothing of it is left to play before a goodbye.
        this.#playback.cleared();
        return bargeIn;
      }
      case "end":
      case "cancel": {
        // After a disconnect of ours the transport now waits for Genesys's close itself.
        this.#closeBound.cancel();
        if (!open) return null;
        // The goodbye is waiting for Genesys's playback: a cancel hangs up now, a second end
        // changes nothing.
        if (this.#playback.waiting) {
          if (frame.type === "cancel") this.#playback.release();
          return null;
        }
        const info = frame.type === "end" ? frame.reason : undefined;
        const clock = this.#context?.clock;
        if (
          frame.type === "end" && this.#playback.playing && clock !== undefined &&
          this.#playbackTimeoutMs > 0
        ) {
          return this.#disconnectOncePlayed(clock, info);
        }
        return this.#disconnect(info);
      }
      case "message": {
        const { type, parameters } = botServerMessage(frame.message);
        // The server speaks within the session only, as the reference server does (it sends an
        // event only while active, paused or closing): before `open` no session has an id to
        // address, and after our `closed` no server message may follow.
        if (this.#state === "idle" || this.#state === "closed") {
          throw new TransportError(
            "encode",
            `genesys: ${type} not sent: ` +
              (this.#state === "idle" ? "no AudioHook session is open yet" : "the session closed"),
          );
        }
        if (type === "disconnect") return this.#botDisconnect(parameters);
        return this.#server(type, parameters, MAX_TEXT_BYTES);
      }
      default:
        return null;
    }
  }

  /**
   * The session is ending: a goodbye still waiting for Genesys's playback is dropped with it (the
   * socket is closing, the transport's close says the end), counted dropped at the close as one
   * that finds no socket is (see `GenesysPlayback.drop`); the caller's last samples the inbound
   * resampler held back are handed on, as at Genesys's `close`.
   */
  finish(): Frame[] | null {
    this.#closeBound.cancel();
    this.#playback.drop();
    const tail = this.#audio.flushInbound();
    return tail === null ? null : [tail];
  }

  /** One AudioHook message to frames, answering control messages through the context. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data !== "string") return this.#audioIn(data);
    const message = readClientText(data, (info) => {
      // Numbered by Genesys all the same: it numbers on from it (see below).
      this.#envelope.refusedUnread();
      return this.#breach(info);
    });
    // Genesys's answer to our disconnect: the session's end, taken even if malformed.
    if (message.value.type === "close" && this.#state === "disconnecting") {
      return this.#closeWhileEnding(message);
    }
    // A message that fails the envelope's check (its shape, its numbering, or the parameters its
    // type requires) is a breach: not acted on, and Genesys is asked to end the session.
    const checked = this.#envelope.check(
      message,
      false,
      (info) => this.#breach(info),
      // Genesys numbers on from a text message we refused before its `seq` was taken (unreadable,
      // a malformed shape, a wrong number), until it reads our disconnect (the breach's, or our
      // goodbye's when the refusal came after it) and closes: its messages meanwhile are out of
      // step through no fault of theirs, the one fault already counted and reported (the
      // envelope knows whether the numbering was so left behind: a refused audio message, or one
      // refused once its `seq` was taken, leaves it in step, and a message out of step then is a
      // fault of its own, as is one further ahead than the messages refused explain, a gap).
      // Taken as a breach each, they would swell `decodeErrors` with messages Genesys sent right.
      // The reference server, once it has signalled an error, signals nothing more
      // (serversessionimpl.ts, suppressErrorSignalStateMap: SIGNALED-ERROR) and checks nothing
      // of a message past a wrong number; so here: not read, as after the session's end,
      // and counted in `inboundAfterEnd`. A message malformed in its shape besides is still a
      // decode error (its shape is checked before its number). An `error` is also reported.
      this.#state === "disconnecting" ? () => this.#outOfStep(message) : undefined,
    );
    if (checked === null) return null;
    const { position, type, parameters } = checked;
    // Genesys's close transaction ended the session: the bot has had its `end`, and our `closed`
    // is the last server message (no `pong` after it). Nothing but an `error` has a meaning now,
    // and a second `close` or `open` is refused below as a decode error; the rest is a
    // misbehaving client's, dropped, counted and reported once, as audio after the close is.
    if (this.#state === "closed" && !READ_AFTER_CLOSE.has(type)) {
      this.#end.refuses(ENDED_BY_CLOSE.includes(type) ? type : "message");
      return null;
    }
    this.#position = position;
    switch (type) {
      case "open":
        // One open transaction per session: AudioHook does not re-establish sessions, and a
        // second `opened` would restart our numbering's meaning for Genesys (the reference
        // server ignores `open` outside its initial state).
        if (this.#state !== "idle") throw message.error(`open while the session is ${this.#state}`);
        return this.#open(message, parameters);
      case "ping":
        this.#reply("pong", {});
        return null;
      case "close":
        // Answered once: a second `closed` and a second `end` frame would end the bot twice.
        if (this.#state === "closed") throw message.error("close after the session closed");
        // Answered whatever its parameters lack (an unknown `reason`, or parameters at all):
        // refused, the session would end only at `closeTimeoutMs`, Genesys waiting for the
        // `closed` a breach never sends.
        this.#closeFault(closeParametersFault(message.value.parameters));
        return this.#close(parameters);
      case "paused": // Genesys paused the stream (on hold), or answers our `pause`
      // `pause` is the server's message in the reference implementation (protocol/message.ts),
      // but pipecat's serializer takes it from Genesys too: the meaning is the same.
      case "pause":
        // Also while we are ending the session: Genesys may pause before it has read our
        // `disconnect`, and its stream is paused all the same.
        if (this.#state === "active" || this.#state === "disconnecting") this.#paused = true;
        return null;
      case "resumed":
        this.#paused = false;
        return null;
      // The Audio Connector's word on its playback of the bot's audio: the bot gets the message
      // as before (one that tracks playback itself), the transport's playback tracker a report
      // (a reserved mark it hides: see `_playback_reports.ts`), and a goodbye waiting for it goes.
      case "playback_started":
        this.#playback.started();
        return [
          { type: "message", message: message.value } satisfies MessageFrame,
          { type: "mark", name: playbackReportName({ type: "started" }) } satisfies MarkFrame,
        ];
      case "playback_completed": {
        // Read before `completed()` lets a waiting goodbye go: what may have crossed the message,
        // which it does not cover (the goodbye waits for the next).
        const uncoveredMs = this.#playback.uncoveredMs(this.#context?.clock?.now());
        this.#playback.completed(uncoveredMs);
        return [
          { type: "message", message: message.value } satisfies MessageFrame,
          {
            type: "mark",
            name: playbackReportName({ type: "completed", uncoveredMs }),
          } satisfies MarkFrame,
        ];
      }
      case "dtmf":
        return {
          type: "dtmf",
          digit: message.object("parameters").dtmfDigit("digit"),
        } satisfies DtmfFrame;
      case "error":
        // Genesys says something went wrong on its side (a 429 rate limit, a 500), then closes
        // with reason `error`: reported, or the bot would learn the cause only from the close.
        // Also after the close, where the reference client may still send one (an error 409 for
        // a server message it did not expect while closing): reported, but the bot, which has
        // had its `end`, reads nothing more.
        this.#context?.report(clientError(parameters));
        if (this.#state === "closed") return null;
        return { type: "message", message: message.value } satisfies MessageFrame;
      default:
        return { type: "message", message: message.value } satisfies MessageFrame;
    }
  }

  /**
   * A message Genesys numbered on from one we refused, while we are ending (see `deserialize`):
   * not read, counted in `inboundAfterEnd`. But an `error` is the platform's word on what went
   * wrong (its `code`, `message`, `retryAfter`), which the close that follows (reason `error`)
   * does not carry: reported as every other `error` Genesys sends is, in step or after its close,
   * or the bot would never learn why the session ended. Its parameters, like anything past a
   * wrong number, are not judged: what came is reported as it came.
   */
  #outOfStep(message: JsonReader): void {
    this.#context?.count("inboundAfterEnd");
    // An object: the envelope's check has seen to the shape before the number.
    if (message.value.type === "error") {
      this.#context?.report(clientError(message.value.parameters as JsonObject));
    }
  }

  /** Genesys's close transaction: answered with `closed`, the bot's `end` frame. */
  #close(parameters: JsonObject): Frame | Frame[] {
    // Genesys is ending the session: a goodbye still waiting for its playback is not sent, as no
    // server message but `closed` may follow its `close`.
    this.#playback.abandon();
    this.#closeBound.cancel();
    this.#reply("closed", {});
    this.#state = "closed";
    this.#end.ended();
    const end: EndFrame = { type: "end" };
    if (typeof parameters.reason === "string") end.reason = parameters.reason;
    // The stream's end: the caller's last samples the inbound resampler held back go first.
    const tail = this.#audio.flushInbound();
    return tail === null ? end : [tail, end];
  }

  /**
   * Genesys's `close` while we are ending: its close transaction answers our `disconnect` and
   * ends the session, and Genesys's client waits for our `closed` to finish it (the reference
   * client's close timeout, then error 408). So it is answered even when its envelope or its
   * parameters are off, which would have any other message refused: the fault is a decode
   * error, counted in `decodeErrors` and reported, and the session ends as AudioHook ends it,
   * not on the transport's `closeTimeoutMs`.
   */
  #closeWhileEnding(message: JsonReader): Frame | Frame[] {
    let fault: string | undefined;
    try {
      // Taken whatever its `seq` (`closing`): never `null`.
      this.#position = this.#envelope.check(message, true, (info) => this.#breach(info))!.position;
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      fault = error.message;
    }
    const given = message.value.parameters;
    fault ??= closeParametersFault(given);
    this.#closeFault(fault);
    // Parameters that are absent or no object, or lack a known `reason`, are reported above;
    // answered all the same, the close is read for what it holds.
    return this.#close(isObject(given) ? given : {});
  }

  /**
   * What was wrong with a `close` answered all the same (`fault`, from the envelope's check or its
   * parameters; nothing when `undefined`): a decode error, counted in `decodeErrors` and reported.
   */
  #closeFault(fault: string | undefined): void {
    if (fault === undefined) return;
    const what = fault.startsWith(`${PROVIDER}: `) ? fault : `${PROVIDER}: ${fault}`;
    this.#context?.count("decodeErrors");
    this.#context?.report(
      new TransportError("decode", `${what} (in Genesys's close, answered all the same)`),
    );
  }

  #open(message: JsonReader, parameters: JsonObject): StartFrame {
    // A UUID: the envelope's check has seen to it.
    this.#envelope.id = message.string("id");
    // A list of well-formed offers: the envelope's check refused the open otherwise
    // (`_genesys_open_parameters.ts`), as the reference server does.
    const offers = parameters.media as MediaOffer[];
    const media = chooseMedia(offers, this.#channel);
    if (media === undefined) {
      // Refused with `disconnect` (reason `error`), not accepted with `opened` and empty `media`.
      // AudioHook allows the empty answer: the reference server sends it when its selectors leave
      // nothing (server/serversessionimpl.ts, runMediaSelectors: `offered[0] ?? null`, and
      // `media: this.selectedMedia ? [this.selectedMedia] : []` in onOpenMessage), and its client
      // then opens and streams nothing (client/clientsessionimpl.ts, onOpenedMessage:
      // `startStreaming(null, …)`; client/src/mediasource-tone.ts sends no frame without a
      // medium). But that session carries no audio either way: the bot would never hear the
      // caller, and an Audio Connector plays the bot's audio in the accepted medium, so it could
      // not speak; the caller would sit in silence until something hung up. The reference's own
      // handlers that need audio refuse such an offer as this does ("No matching media format
      // offered": app/src/sim-transcribe/simulated-transcripts.ts, transcriptMediaSelector;
      // app/src/agentassist-hack.ts, agentAssistMediaSelector), and its client takes a
      // `disconnect` while it waits for `opened` and closes (clientsessionimpl.ts,
      // onDisconnectMessage). Ended at once, the Architect flow takes its failure path instead.
      // (Genesys's protocol pages, developer.genesys.cloud "AudioHook protocol", were not in the
      // searchable docs.)
      const reason = noMediaReason(offers, this.#channel);
      this.#state = "disconnecting";
      this.#reply("disconnect", { reason: "error", info: clientErrorInfo(reason) });
      this.#closeBound.arm();
      throw message.error(`open refused, ${reason}: ${describe(parameters.media)}`);
    }
    this.#channels = media.channels;
    this.#keep = media.keep;
    this.#carriesAudio = this.#sendAudio === "always" ||
      (this.#sendAudio === "auto" && parameters.inputVariables !== undefined);
    const opened: JsonObject = { startPaused: this.#startPaused, media: [media.offer] };
    if (parameters.supportedLanguages === true) opened.supportedLanguages = this.#languages;
    this.#reply("opened", opened);
    this.#opened = true;
    this.#state = "active";
    this.#paused = this.#startPaused;
    const start = openStartFrame(this.#envelope.id, parameters);
    this.#probe = start.probe === true;
    // Known only now: a monitor takes none of the bot's audio, and a probe has no call to speak
    // to. Reported, not refused: the settings are the transport's, and a bot that never speaks
    // long draws no 429.
    if (this.#carriesAudio && !this.#probe && this.#rateProblem !== undefined) {
      this.#context?.report(new TransportError("encode", this.#rateProblem));
    }
    return start;
  }

  #audioIn(data: Uint8Array): Frame | null {
    // Audio is the caller's until Genesys's `close`: after our `disconnect` it streams on until it
    // has read it and begun its close transaction (it "does not send any audio frames after" its
    // close), and the bot still wants what the caller says meanwhile, as the reference server
    // and pipecat take it. After the close, a misbehaving client's: counted and reported once, as
    // media after another provider's end of stream.
    if (this.#end.refuses("audio")) return null;
    // Breaches as the reference server takes them (server/serversessionimpl.ts, onBinaryMessage:
    // "Received audio in state PREPARING", and "Binary data not a valid audio frame" below).
    if (!this.#opened) throw this.#breach(`audio of ${data.length} bytes outside an open session`);
    // A paused stream carries no audio: the client stops its frames until it sends `resumed`, also
    // when `opened` asked it to start paused (the reference client sends `paused` then and emits
    // no frames while paused, client/src/mediasource-tone.ts), and the reference server answers
    // audio in its PAUSED state as a protocol breach, disconnect with reason `error` ("Received
    // audio in state PAUSED", server/serversessionimpl.ts, onBinaryMessage). Not delivered: the
    // transport counts the refused message in `stats.decodeErrors` and reports the error.
    if (this.#paused) {
      throw this.#breach(`Received ${data.length} bytes of audio while the stream is paused`);
    }
    if (data.length === 0) return null;
    if (this.#channels === 1) return this.#audio.decode(data);
    if (data.length % this.#channels !== 0) {
      throw this.#breach(`stereo audio of odd length ${data.length}`);
    }
    // Deliberate copy: one channel out of the interleaved pair.
    const mono = new Uint8Array(data.length / 2);
    for (let i = 0, j = this.#keep; i < mono.length; i++, j += 2) mono[i] = data[j]!;
    return this.#audio.decode(mono);
  }

  /**
   * The decode error for a message that breaks the protocol; the first one also sends
   * `disconnect` with reason `error` while the session can still be ended that way.
   */
  #breach(info: string): TransportError {
    if (this.#state === "idle" || this.#state === "active") {
      this.#state = "disconnecting";
      // A goodbye waiting for Genesys's playback: the transport, its `end` answered by this
      // abandon, waits for the close itself.
      const endSaid = this.#playback.waiting;
      this.#playback.abandon(); // this disconnect is the one a waiting goodbye would have sent
      this.#context?.send(
        this.#envelope.take("disconnect", { reason: "error", info: clientErrorInfo(info) }),
      );
      if (!endSaid) this.#closeBound.arm();
    }
    return new TransportError("decode", `${PROVIDER}: ${info}`);
  }

  /**
   * Whether `bytes` of outbound audio may go; if not, they are counted: audio the session cannot
   * carry in `audioBytesRefused` and, except before `open` and on a connection probe, reported
   * once; audio once the session is closing in `audioBytesDroppedOnClose`.
   */
  #audioOut(bytes: number): boolean {
    // Before `open` Genesys takes nothing from us, and nothing but the transport's background,
    // which begins as the socket opens, gets here then: the bot's own audio is refused by the
    // transport (`carriesAudio` is false until `open`), reported there. Dropped and counted, not
    // reported: it is nobody's mistake, and a report would come with every session. So too on a
    // connection probe that takes no audio: it opens and closes at once, no call behind it, and
    // a bot does not speak to it; only a background can have been sent its way. (So too after a
    // `close` or an unusable offer that came instead of an open session.)
    if (!this.#opened) {
      this.#context?.count("audioBytesRefused", bytes);
      return false;
    }
    if (this.#carriesAudio) {
      // The session is closing (Genesys's `close`, our `disconnect`, or the goodbye waiting for
      // its playback): what the transport still paces out, the caller having hung up mid-reply,
      // is dropped as at the close, where the transport drops the reply's partial packet then
      // (`peerCloses`). Nobody's mistake: counted, not reported.
      if (this.#state === "active" && !this.#playback.waiting) return true;
      this.#context?.count("audioBytesDroppedOnClose", bytes);
      return false;
    }
    const refusal = this.#sendAudio === "never"
      ? 'sendAudio is "never"'
      : "this AudioHook session is monitor-only (its open carried no inputVariables; " +
        'set sendAudio: "always" for an Audio Connector session without them)';
    this.#context?.count("audioBytesRefused", bytes);
    if (this.#probe) return false;
    if (!this.#reported.has(refusal)) {
      this.#reported.add(refusal);
      this.#context?.report(
        new TransportError("encode", `genesys: outbound audio dropped: ${refusal}`),
      );
    }
    return false;
  }

  /**
   * The goodbye's `disconnect` (reason `completed`, `info` the end's reason): the session ends.
   * What would make it too long for Genesys is left out (see `GenesysFarewell.disconnect`).
   */
  #disconnect(info: string | undefined, reason = "completed"): string {
    this.#state = "disconnecting";
    return this.#farewell.disconnect(info, reason);
  }

  /**
   * The bot's own `disconnect` (its parameters checked): the session's end, as the serializer's
   * own goodbye is, so that it carries the output variables, a later `end` sends no second one,
   * and the session ends with Genesys's close. Only `reason` and `info` come from the bot.
   */
  #botDisconnect(parameters: JsonObject): string {
    if (this.#state !== "active") {
      throw new TransportError("encode", "genesys: disconnect not sent: the session is ending");
    }
    const { reason, info, ...rest } = parameters;
    const other = Object.keys(rest);
    if (other.length > 0) {
      throw new TransportError(
        "encode",
        `genesys: disconnect not sent: it takes reason and info, not ${other.join(", ")} ` +
          "(output variables are the serializer's: setOutputVariables)",
      );
    }
    // A goodbye waiting for Genesys's playback: its `end`, answered by this abandon, has the
    // transport wait for the close itself.
    const endSaid = this.#playback.waiting;
    this.#playback.abandon(); // this disconnect is the one a waiting goodbye would have sent
    const disconnect = this.#disconnect(info as string | undefined, reason as string);
    if (!endSaid) this.#closeBound.arm();
    return disconnect;
  }

  /**
   * Sends the goodbye's `disconnect` through the context once Genesys says `playback_completed`,
   * or after `playbackCompletedTimeoutMs` with a "timeout" error; resolves then (with `null`: the
   * message went through the context, numbered when it left, after any reply sent meanwhile).
   * Where the session ends under the wait ({@linkcode finish}: the socket dropped, or our own
   * close), it resolves with the `disconnect` unsent, for the transport to count the `end`
   * dropped at the close: the `end` the transport hands over as the socket drops (1006) included,
   * which nothing else counts.
   *
   * The transport waits for this promise before it reads `peerCloses` and waits for Genesys's
   * close (`closeTimeoutMs`), so the wait here never eats into that one; it bounds the promise by
   * its `sendTimeoutMs` instead, which the wait keeps under. Meanwhile the session is still open:
   * Genesys's audio reaches the bot, `ping` is answered. A `close` from Genesys or a breach's
   * `disconnect` abandons the wait, the goodbye unsent and needed no more.
   */
  #disconnectOncePlayed(clock: Clock, info: string | undefined): Promise<string | null> {
    // Under the transport's bound on this serialize: past it, the session would end with no
    // disconnect at all (1011), the worse of the two for the caller.
    const sendTimeoutMs = this.#context?.sendTimeoutMs ?? Infinity;
    const timeoutMs = Math.max(
      0,
      Math.min(this.#playbackTimeoutMs, sendTimeoutMs - SEND_MARGIN_MS),
    );
    return this.#playback.wait(clock, timeoutMs, {
      go: () => {
        if (this.#state === "active") this.#context?.send(this.#disconnect(info));
      },
      expired: () =>
        this.#context?.report(
          new TransportError(
            "timeout",
            `${PROVIDER}: Genesys did not say playback_completed within ${timeoutMs} ms of the ` +
              "end: disconnect sent anyway, the caller may not have heard all of the goodbye",
          ),
        ),
      // Only for the transport to count: never numbered, nothing reported about it.
      unsent: () => this.#envelope.text("disconnect", { reason: "completed" }),
    });
  }

  /** Sends a reply at once through the bound context. */
  #reply(type: string, parameters: JsonObject): void {
    const context = this.#context;
    if (context === undefined) {
      throw new TransportError(
        "decode",
        `genesys: cannot answer ${type}: the transport did not call bind`,
      );
    }
    // `closed` ends the session: it carries the output variables, when they fit.
    context.send(
      type === "closed"
        ? this.#farewell.message(type, parameters)
        : this.#envelope.take(type, parameters),
    );
  }

  /**
   * A server message the bot originates: sent at once through the context when there is one, so
   * that its `seq` cannot fall behind a reply sent meanwhile; returned otherwise.
   */
  #server(type: string, parameters: JsonObject, maxBytes?: number): string | null {
    const text = this.#envelope.take(type, parameters, maxBytes);
    if (this.#context === undefined) return text;
    this.#context.send(text);
    return null;
  }
}

/**
 * The `info` of the `disconnect` that answers a client's breach: the reference server words every
 * one it sends for a client's fault "Client Error: …" (server/serversessionimpl.ts,
 * signalClientError), its own faults "Server error: …" (signalError), so that whoever reads
 * Genesys's log of the session tells whose fault ended it.
 */
function clientErrorInfo(info: string): string {
  return `Client Error: ${info}`;
}
