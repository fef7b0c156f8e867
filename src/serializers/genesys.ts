/**
 * Genesys Cloud AudioHook, protocol version 2 (the AudioHook Monitor and the bidirectional Audio
 * Connector speak it): JSON control messages in sequenced envelopes and binary PCMU audio.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import type { DtmfFrame, EndFrame, Frame, MessageFrame, StartFrame } from "../frames.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
} from "../serializer.ts";
import { toJson } from "./json_text.ts";
import { TelephonyAudio } from "./telephony_audio.ts";
import { decodeError, describe, dtmfDigitAt, isObject, type JsonObject } from "./telephony_json.ts";

const PROVIDER = "genesys";
/** An ISO 8601 duration in seconds, the only form AudioHook uses (`PT1.5S`). */
const DURATION = /^PT\d+(\.\d+)?S$/;

/** An AudioHook audio channel: the customer (`external`) or the agent/bot side (`internal`). */
export type GenesysChannel = "external" | "internal";

/** Options for {@linkcode GenesysSerializer}. */
export interface GenesysSerializerOptions {
  /**
   * The channel that reaches the bot as inbound audio. The serializer accepts a mono offer of
   * this channel when Genesys makes one, otherwise a stereo offer, from which it takes this
   * channel only.
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
   * Languages the bot speaks, announced in `opened` when `open` asks for them.
   *
   * @default {[]}
   */
  supportedLanguages?: string[];
  /**
   * Values handed back to the Architect flow in `disconnect`'s `outputVariables`; see also
   * {@linkcode GenesysSerializer.setOutputVariables}.
   *
   * @default {undefined}
   */
  outputVariables?: Record<string, unknown>;
}

type State = "idle" | "active" | "paused" | "closed";

/**
 * Frames ⇄ AudioHook v2 messages. Genesys is the client; this serializer is the server side.
 *
 * The protocol makes the server answer by itself (`open` → `opened`, `ping` → `pong`, `close` →
 * `closed`), so the serializer needs the transport's `bind` hook: it answers through that
 * function at once and the bot never sees those exchanges. Server messages carry `seq` (ours,
 * from 1) and `clientseq` (the last `seq` Genesys sent). Replies, barge-ins and bot messages are
 * numbered and sent at once through `bind`'s function, so their numbers leave in order; only
 * `disconnect` is returned from `serialize`, so that it follows the audio queued before it (it
 * is the last message the server originates).
 *
 * Inbound: `open` → `opened` (accepting a PCMU 8 kHz offer, see
 * {@linkcode GenesysSerializerOptions.channel}) and a `start` frame (`streamId` the session id,
 * `callId` the conversation id, `params` the organization id, participant `ani`/`aniName`/`dnis`,
 * `language`, then `customConfig` and `inputVariables` entries); binary PCMU → audio frames at
 * the transport's input rate (stereo is split and only the chosen channel kept, as mono);
 * `ping` → `pong`; `close` → `closed` and an `end` frame with the close reason; `paused` and
 * `resumed` (Genesys confirming a pause or resume, or pausing by itself) track whether audio
 * flows; `dtmf` → a `dtmf` frame; everything else (`update`, `error`, `discarded`, …) reaches the
 * bot as a `message` frame holding the AudioHook message.
 *
 * Outbound: audio → binary PCMU at 8 kHz, mono (Genesys rate-limits small messages: set the
 * transport's `fixedAudioPacketSize` to 1600, 200 ms); `interruption` → an `event` with a
 * `barge_in` entity; `end` or `cancel` → `disconnect` with reason `completed` (once), and the
 * `outputVariables`; a `message` frame holding `{ type, parameters }` → that server message in a
 * proper envelope (e.g. `event` with transcript entities). Audio and barge-ins are only sent while
 * the session is open. {@linkcode GenesysSerializer.pause} and
 * {@linkcode GenesysSerializer.resume} ask Genesys to stop and restart the inbound audio.
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
  #outputVariables: Record<string, unknown> | undefined;
  #audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000, provider: PROVIDER });
  #send: ((message: SerializedMessage) => void) | undefined;
  #state: State = "idle";
  #id = "00000000-0000-0000-0000-000000000000";
  #seq = 0;
  #clientseq = 0;
  /** Channels in the accepted media (1 or 2) and the index of the one kept. */
  #channels = 1;
  #keep = 0;
  #disconnected = false;

  /** Makes a serializer for one session; see {@linkcode GenesysSerializerOptions}. */
  constructor(options: GenesysSerializerOptions = {}) {
    const channel = options.channel ?? "external";
    if (channel !== "external" && channel !== "internal") {
      throw new RangeError(`channel must be "external" or "internal", got ${channel}`);
    }
    this.#channel = channel;
    this.#startPaused = options.startPaused ?? false;
    this.#languages = [...(options.supportedLanguages ?? [])];
    this.#outputVariables = options.outputVariables;
  }

  /** The session id Genesys gave in `open` (the nil UUID before). */
  get sessionId(): string {
    return this.#id;
  }

  /** Whether the session is open and Genesys is sending audio. */
  get active(): boolean {
    return this.#state === "active";
  }

  /** Keeps the transport's function that sends a message on the socket at once. */
  bind(context: SerializerContext): void {
    this.#send = context.send;
  }

  /** Takes the transport's input rate and channels for inbound audio frames. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
  }

  /** Sets the `outputVariables` that `disconnect` hands back to the Architect flow. */
  setOutputVariables(variables: Record<string, unknown>): void {
    this.#outputVariables = { ...variables };
  }

  /** Asks Genesys to stop sending audio (it answers `paused`). Does nothing unless open. */
  pause(): void {
    if (this.#state === "active" || this.#state === "paused") this.#reply("pause", {});
  }

  /** Asks Genesys to send audio again (it answers `resumed`). Does nothing unless open. */
  resume(): void {
    if (this.#state === "active" || this.#state === "paused") this.#reply("resume", {});
  }

  /** One frame to an AudioHook message, or `null`; see the class description. */
  serialize(frame: Frame): SerializedMessage | null {
    const open = this.#state === "active" || this.#state === "paused";
    switch (frame.type) {
      case "audio":
        return open ? this.#audio.encode(frame) : null;
      case "interruption":
        this.#audio.reset();
        return open ? this.#server("event", { entities: [{ type: "barge_in", data: {} }] }) : null;
      case "end":
      case "cancel": {
        if (!open || this.#disconnected) return null;
        this.#disconnected = true;
        const parameters: JsonObject = { reason: "completed" };
        if (frame.type === "end" && frame.reason !== undefined) parameters.info = frame.reason;
        if (this.#outputVariables !== undefined) parameters.outputVariables = this.#outputVariables;
        return this.#envelope("disconnect", parameters);
      }
      case "message": {
        const message = frame.message;
        if (!isObject(message) || typeof message.type !== "string") {
          throw new TransportError(
            "encode",
            `genesys: a message frame must hold { type, parameters }, got ${describe(message)}`,
          );
        }
        const parameters = message.parameters ?? {};
        if (!isObject(parameters)) {
          throw new TransportError(
            "encode",
            `genesys: message parameters must be an object, got ${describe(parameters)}`,
          );
        }
        return this.#server(message.type, parameters);
      }
      default:
        return null;
    }
  }

  /** One AudioHook message to frames, answering control messages through `bind`'s function. */
  deserialize(data: string | Uint8Array): Frame | null {
    if (typeof data !== "string") return this.#audioIn(data);
    const message = parse(data);
    const type = message.type as string;
    this.#clientseq = message.seq as number;
    const parameters = message.parameters === undefined ? {} : message.parameters as JsonObject;
    switch (type) {
      case "open":
        return this.#open(message, parameters);
      case "ping":
        this.#reply("pong", {});
        return null;
      case "close": {
        this.#reply("closed", {});
        this.#state = "closed";
        const end: EndFrame = { type: "end" };
        if (typeof parameters.reason === "string") end.reason = parameters.reason;
        return end;
      }
      case "paused":
      // Not in the v2 spec as a client message, but pipecat's serializer expects Genesys to send
      // it when it pauses by itself (e.g. on hold): the meaning is the same as `paused`.
      case "pause":
        if (this.#state === "active") this.#state = "paused";
        return null;
      case "resumed":
        if (this.#state === "paused") this.#state = "active";
        return null;
      case "dtmf":
        return {
          type: "dtmf",
          digit: dtmfDigitAt(parameters, "digit", "parameters.digit", PROVIDER),
        } satisfies DtmfFrame;
      default:
        return { type: "message", message } satisfies MessageFrame;
    }
  }

  #open(message: JsonObject, parameters: JsonObject): StartFrame {
    if (typeof message.id !== "string" || message.id === "") {
      throw decodeError(PROVIDER, `open.id is not a session id: ${describe(message.id)}`);
    }
    this.#id = message.id;
    const media = this.#chooseMedia(parameters.media);
    if (media === undefined) {
      this.#disconnected = true;
      this.#reply("disconnect", { reason: "error", info: "no PCMU 8000 Hz media offered" });
      throw decodeError(
        PROVIDER,
        `open offers no PCMU 8000 Hz media: ${describe(parameters.media)}`,
      );
    }
    const opened: JsonObject = { startPaused: this.#startPaused, media: [media] };
    if (parameters.supportedLanguages === true) opened.supportedLanguages = this.#languages;
    this.#reply("opened", opened);
    this.#state = this.#startPaused ? "paused" : "active";

    const start: StartFrame = { type: "start", streamId: this.#id };
    const params: Record<string, string> = {};
    const text = (name: string, value: unknown) => {
      if (value === undefined || value === null) return;
      params[name] = typeof value === "string" ? value : JSON.stringify(value);
    };
    if (typeof parameters.conversationId === "string") start.callId = parameters.conversationId;
    text("organizationId", parameters.organizationId);
    text("conversationId", parameters.conversationId);
    if (isObject(parameters.participant)) {
      const { id, ani, aniName, dnis } = parameters.participant;
      text("participantId", id);
      text("ani", ani);
      text("aniName", aniName);
      text("dnis", dnis);
    }
    text("language", parameters.language);
    for (const key of ["customConfig", "inputVariables"]) {
      const entries = parameters[key];
      if (isObject(entries)) {
        for (const [name, value] of Object.entries(entries)) text(name, value);
      }
    }
    if (Object.keys(params).length > 0) start.params = params;
    return start;
  }

  /** The first PCMU 8 kHz offer of the wanted channel alone, else of both channels. */
  #chooseMedia(offers: unknown): JsonObject | undefined {
    if (!Array.isArray(offers)) return undefined;
    const usable = offers.filter((offer): offer is JsonObject =>
      isObject(offer) && offer.type === "audio" && offer.format === "PCMU" && offer.rate === 8000 &&
      Array.isArray(offer.channels) && offer.channels.includes(this.#channel) &&
      offer.channels.length <= 2 &&
      offer.channels.every((c) => c === "external" || c === "internal")
    );
    const chosen = usable.find((offer) => (offer.channels as unknown[]).length === 1) ?? usable[0];
    if (chosen === undefined) return undefined;
    const channels = chosen.channels as string[];
    this.#channels = channels.length;
    this.#keep = channels.indexOf(this.#channel);
    return { type: "audio", format: "PCMU", channels: [...channels], rate: 8000 };
  }

  #audioIn(data: Uint8Array): Frame | null {
    if (this.#state !== "active" && this.#state !== "paused") {
      throw decodeError(PROVIDER, `audio of ${data.length} bytes outside an open session`);
    }
    if (data.length === 0) return null;
    if (this.#channels === 1) return this.#audio.decode(data);
    if (data.length % this.#channels !== 0) {
      throw decodeError(PROVIDER, `stereo audio of odd length ${data.length}`);
    }
    // Deliberate copy: one channel out of the interleaved pair.
    const mono = new Uint8Array(data.length / 2);
    for (let i = 0, j = this.#keep; i < mono.length; i++, j += 2) mono[i] = data[j]!;
    return this.#audio.decode(mono);
  }

  /** A server message with the next `seq`, as JSON text. */
  #envelope(type: string, parameters: JsonObject): string {
    return toJson({
      version: "2",
      type,
      seq: ++this.#seq,
      clientseq: this.#clientseq,
      id: this.#id,
      parameters,
    });
  }

  /** Sends a reply at once through the bound function. */
  #reply(type: string, parameters: JsonObject): void {
    const send = this.#send;
    if (send === undefined) {
      throw new TransportError(
        "decode",
        `genesys: cannot answer ${type}: the transport did not call bind`,
      );
    }
    send(this.#envelope(type, parameters));
  }

  /**
   * A server message the bot originates: sent at once through the bound function when there is
   * one, so that its `seq` cannot fall behind a reply sent meanwhile; returned otherwise.
   */
  #server(type: string, parameters: JsonObject): string | null {
    if (this.#send === undefined) return this.#envelope(type, parameters);
    this.#send(this.#envelope(type, parameters));
    return null;
  }
}

/** Parses and checks an AudioHook client message's envelope. */
function parse(text: string): JsonObject {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (cause) {
    throw decodeError(PROVIDER, `message is not JSON: ${describe(text)}`, cause);
  }
  if (!isObject(message)) {
    throw decodeError(PROVIDER, `message is not an object: ${describe(message)}`);
  }
  if (typeof message.type !== "string") {
    throw decodeError(PROVIDER, `message.type is not a string: ${describe(message.type)}`);
  }
  const seq = message.seq;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
    throw decodeError(PROVIDER, `message.seq is not a sequence number: ${describe(seq)}`);
  }
  if (message.parameters !== undefined && !isObject(message.parameters)) {
    throw decodeError(
      PROVIDER,
      `message.parameters is not an object: ${describe(message.parameters)}`,
    );
  }
  if (message.position !== undefined) {
    if (typeof message.position !== "string" || !DURATION.test(message.position)) {
      throw decodeError(
        PROVIDER,
        `message.position is not a duration: ${describe(message.position)}`,
      );
    }
  }
  return message;
}
