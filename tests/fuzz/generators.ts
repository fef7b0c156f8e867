// Valid inbound messages for each protocol the fuzzer drives, built from the documented calls the
// serializer tests already play (tests/serializers/fixtures/), so that "valid" means what those
// tests check frame by frame, not what the fuzzer guesses.
import type { FrameType } from "../../src/frames.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { JsonSerializer } from "../../src/serializers/json.ts";
import { JsonReader } from "../../src/serializers/telephony/json_reader.ts";
import { TransportError } from "../../src/errors.ts";
import type { ScriptStep } from "../serializers/fixtures/telephony_harness.ts";
import { twilioCall } from "../serializers/fixtures/twilio_call.ts";
import { telnyxCall } from "../serializers/fixtures/telnyx_call.ts";
import { plivoCall } from "../serializers/fixtures/plivo_call.ts";
import { exotelCall } from "../serializers/fixtures/exotel_call.ts";

/** One inbound message before it goes on the wire: JSON stays an object so it can be mutated. */
export type Message =
  | { kind: "json"; value: Record<string, unknown> }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Uint8Array };

/** A field path in a JSON message, e.g. `["media", "chunk"]`. */
export type FieldPath = readonly string[];

/** How the fuzzer speaks one protocol's far end. */
export interface InboundProtocol {
  readonly name: string;
  /** A fresh serializer: one per session. */
  serializer(): FrameSerializer;
  /** Transport options the protocol needs (rates, chunk sizes), besides serializer and clock. */
  readonly options: Omit<TransportOptions, "serializer" | "clock">;
  /** What the far end sends first (connected, start); empty where nothing opens a stream. */
  opening(): Message[];
  /**
   * The frame type a valid `media` message becomes, what the probe after the fuzz waits for.
   *
   * @default {"audio"}
   */
  readonly content?: FrameType;
  /** A valid media message: `seq` numbers every message of the stream, `chunk` the media alone. */
  media(seq: number, chunk: number): Message;
  /** Valid non-media messages the far end may send mid-stream (DTMF, mark acknowledgements). */
  controls(seq: number): Message[];
  /** The far end's end of stream, if the protocol has one. */
  stop?(seq: number): Message;
  /**
   * Whether the serializer drops and counts (`stats.inboundAfterEnd`) what comes after `stop`,
   * as the telephony ones do; a frame carrier (JSON) hands on whatever comes.
   */
  readonly endsStream: boolean;
  /**
   * Whether every text message must carry exactly the next number (AudioHook's `seq`), binary
   * media none: media then takes no number, nothing comes before the opening (audio before
   * AudioHook's open is a breach that ends the session unopened), a number a mutated message may
   * have taken is skipped, and a control goes before the stop so that the far end's numbering and
   * ours agree again.
   */
  readonly strictSequence?: boolean;
  /** Fields holding sequence numbers, chunk numbers or timestamps, for the number mutations. */
  readonly numberPaths: readonly FieldPath[];
  /** Fields holding base64 audio. */
  readonly base64Paths: readonly FieldPath[];
  /**
   * The media number a mutated message may still be read as, where the serializer puts media in
   * order by numbers a mutation can move (Twilio-like `media.chunk`, or `media.timestamp` as a
   * number of packets): its reader takes JSON numbers and strings of plain decimal digits
   * (`JsonReader.optionalNumber`), so `"16"` is media 16 while `"0x10"` is no number, and the
   * message a decode error. Undefined when nothing readable is there.
   */
  mediaNumberRead?(wire: string | Uint8Array): number | undefined;
}

export function getPath(value: unknown, path: FieldPath): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Sets `path` in `value` if its parent exists; returns whether it did. */
export function setPath(value: unknown, path: FieldPath, to: unknown): boolean {
  const parent = getPath(value, path.slice(0, -1));
  if (typeof parent !== "object" || parent === null) return false;
  // An own property even for "__proto__", which JSON keeps as a plain key.
  Object.defineProperty(parent, path[path.length - 1]!, {
    value: to,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return true;
}

/** Renders a message as the bytes or text the client socket sends. */
export function toWire(message: Message): string | Uint8Array {
  if (message.kind === "json") return JSON.stringify(message.value);
  if (message.kind === "text") return message.text;
  return message.bytes;
}

const clone = <T>(value: T): T => structuredClone(value);

/** The provider's messages of a scripted call, by event name (the first of each). */
function provider(script: ScriptStep[], key = "event"): Map<string, Record<string, unknown>> {
  const byEvent = new Map<string, Record<string, unknown>>();
  for (const step of script) {
    if (!("from" in step)) continue;
    const wire = step.wire as Record<string, unknown>;
    const event = String(wire[key]);
    if (!byEvent.has(event)) byEvent.set(event, wire);
  }
  return byEvent;
}

/** Keeps the type a template gave a number field (Twilio writes numbers as strings). */
function renumber(template: unknown, path: FieldPath, target: Record<string, unknown>, n: number) {
  const was = getPath(template, path);
  if (was === undefined) return;
  setPath(target, path, typeof was === "string" ? String(n) : n);
}

interface TwilioLikeShape {
  name: string;
  serializer: () => FrameSerializer;
  options: Omit<TransportOptions, "serializer" | "clock">;
  script: ScriptStep[];
  seqPath: FieldPath;
  /** The events opening a stream, in order. */
  opening: string[];
  controls: string[];
  stop: string;
  /** First media timestamp and step (ms); Plivo's is epoch ms. */
  timestamp: { base: number; stepMs: number };
  /** Replaces the fixture's payload, where it is not one whole 20 ms packet. */
  payload?: string;
  /** Messages the fixture lacks, by event name. */
  extra?: Record<string, Record<string, unknown>>;
}

/** A Twilio-like JSON protocol: every message numbered, media chunked and timestamped. */
function twilioLike(shape: TwilioLikeShape): InboundProtocol {
  const events = provider(shape.script);
  for (const [event, wire] of Object.entries(shape.extra ?? {})) events.set(event, wire);
  const template = (event: string) => {
    const found = events.get(event);
    if (!found) throw new Error(`${shape.name}: no ${event} in its fixture`);
    return found;
  };
  const numbered = (event: string, seq: number) => {
    const value = clone(template(event));
    renumber(template(event), shape.seqPath, value, seq);
    return { kind: "json" as const, value };
  };
  return {
    name: shape.name,
    serializer: shape.serializer,
    options: shape.options,
    opening: () => shape.opening.map((event, i) => numbered(event, i)),
    media(seq, chunk) {
      const message = numbered("media", seq);
      const base = template("media");
      renumber(base, ["media", "chunk"], message.value, chunk);
      const ts = shape.timestamp.base + (chunk - 1) * shape.timestamp.stepMs;
      renumber(base, ["media", "timestamp"], message.value, ts);
      if (shape.payload) setPath(message.value, ["media", "payload"], shape.payload);
      return message;
    },
    controls: (seq) => shape.controls.map((event) => numbered(event, seq)),
    stop: (seq) => numbered(shape.stop, seq),
    endsStream: true,
    numberPaths: [shape.seqPath, ["media", "chunk"], ["media", "timestamp"]],
    base64Paths: [["media", "payload"]],
    mediaNumberRead(wire) {
      const value = parsedObject(wire);
      if (value === undefined) return undefined;
      const chunkField = getPath(value, ["media", "chunk"]);
      const atField = getPath(value, ["media", "timestamp"]);
      // A number the reader refuses makes the whole message a decode error: none of it is read.
      if (refusedNumber(chunkField) || refusedNumber(atField)) return undefined;
      const chunk = readableWhole(chunkField);
      const at = readableWhole(atField);
      const { base, stepMs } = shape.timestamp;
      const byTime = at === undefined ? undefined : Math.floor((at - base) / stepMs) + 1;
      const read = [chunk, byTime].filter((n): n is number => n !== undefined);
      return read.length === 0 ? undefined : Math.max(...read);
    },
  };
}

/** A wire message's JSON object, if it is one. */
function parsedObject(wire: string | Uint8Array): Record<string, unknown> | undefined {
  if (typeof wire !== "string") return undefined;
  try {
    const value = JSON.parse(wire);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A number field as the serializers' JSON reader reads it (`JsonReader.optionalNumber` itself, so
 * that the fuzz follows what the reader takes, not a copy of its rule); `NaN` when it refuses it.
 */
function readNumber(field: unknown): number {
  try {
    return JsonReader.parse(JSON.stringify({ field }), "fuzz").optionalNumber("field") ?? NaN;
  } catch (error) {
    if (error instanceof TransportError) return NaN;
    throw error;
  }
}

/** Whether the reader refuses a field present (neither `undefined` nor `null`) as no number. */
function refusedNumber(field: unknown): boolean {
  return field !== undefined && field !== null && Number.isNaN(readNumber(field));
}

/** A number field as the reader reads it, when it is a whole number the fuzz can count on from. */
function readableWhole(field: unknown): number | undefined {
  const number = readNumber(field);
  return Number.isSafeInteger(number) ? number : undefined;
}

const EIGHT_KHZ = { audioIn: { sampleRate: 8000 }, audioOut: { sampleRate: 8000 } };

/** 20 ms of 8 kHz PCM16 silence, base64 (Exotel's fixture packet is a few samples). */
const PCM16_20MS_8K = btoa(String.fromCharCode(...new Uint8Array(320)));

const twilio = twilioLike({
  name: "twilio",
  serializer: () => new TwilioSerializer(),
  options: EIGHT_KHZ,
  script: twilioCall,
  seqPath: ["sequenceNumber"],
  opening: ["connected", "start"],
  controls: ["dtmf", "mark"],
  stop: "stop",
  timestamp: { base: 0, stepMs: 20 },
});

const telnyx = twilioLike({
  name: "telnyx",
  serializer: () => new TelnyxSerializer(),
  options: EIGHT_KHZ,
  script: telnyxCall,
  seqPath: ["sequence_number"],
  opening: ["connected", "start"],
  controls: ["dtmf", "mark"],
  stop: "stop",
  timestamp: { base: 0, stepMs: 20 },
});

const plivo = twilioLike({
  name: "plivo",
  serializer: () => new PlivoSerializer(),
  options: EIGHT_KHZ,
  script: plivoCall,
  seqPath: ["sequenceNumber"],
  opening: ["start"],
  controls: ["dtmf", "playedStream", "clearedAudio"],
  stop: "stop",
  timestamp: { base: 1705312200000, stepMs: 20 },
  // Plivo's "stop" (Audio Streaming Protocol Reference), absent from the scripted call.
  extra: {
    stop: { event: "stop", sequenceNumber: 0, streamId: "87654321-4321-4321-4321-cba987654321" },
  },
});

const exotel = twilioLike({
  name: "exotel",
  serializer: () => new ExotelSerializer(),
  // Exotel's messages are 200 ms: at the default chunkMs its serializer would say so at set-up.
  options: { audioIn: { sampleRate: 8000 }, audioOut: { sampleRate: 8000, chunkMs: 200 } },
  script: exotelCall,
  seqPath: ["sequence_number"],
  opening: ["connected", "start"],
  controls: ["dtmf", "mark"],
  stop: "stop",
  timestamp: { base: 0, stepMs: 20 },
  payload: PCM16_20MS_8K,
});

/** 20 ms of 16 kHz PCM16, a ramp numbered by `chunk` so that duplicates are byte-equal. */
function pcm20ms(chunk: number): Uint8Array {
  const bytes = new Uint8Array(640);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (chunk + i) & 0xff;
  return bytes;
}

const rawPcm: InboundProtocol = {
  name: "raw_pcm",
  serializer: () => new RawPcmSerializer(),
  options: { audioIn: { sampleRate: 16000 }, audioOut: { sampleRate: 16000 } },
  opening: () => [],
  media: (_seq, chunk) => ({ kind: "bytes", bytes: pcm20ms(chunk) }),
  controls: (seq) => [{ kind: "json", value: { hello: seq } }],
  endsStream: false,
  numberPaths: [["hello"]],
  base64Paths: [],
};

const json: InboundProtocol = {
  name: "json",
  serializer: () => new JsonSerializer(),
  options: { audioIn: { sampleRate: 16000 }, audioOut: { sampleRate: 16000 } },
  opening: () => [{
    kind: "json",
    value: { type: "start", streamId: "s1", callId: "c1", params: { lang: "en" } },
  }],
  media: (_seq, chunk) => ({
    kind: "json",
    value: {
      type: "audio",
      audio: btoa(String.fromCharCode(...pcm20ms(chunk))),
      sampleRate: 16000,
      channels: 1,
      timestampMs: (chunk - 1) * 20,
    },
  }),
  controls: (seq) => [
    { kind: "json", value: { type: "dtmf", digit: "5" } },
    { kind: "json", value: { type: "text", text: `hello ${seq}` } },
    { kind: "json", value: { type: "message", message: { seq } } },
    { kind: "json", value: { type: "mark", name: `m${seq}` } },
  ],
  stop: () => ({ kind: "json", value: { type: "end", reason: "hangup" } }),
  endsStream: false,
  numberPaths: [["timestampMs"], ["sampleRate"], ["channels"]],
  base64Paths: [["audio"]],
};

/** The Twilio-like protocols, raw PCM and JSON frames. */
export const JSON_PROTOCOLS: readonly InboundProtocol[] = [
  twilio,
  telnyx,
  plivo,
  exotel,
  rawPcm,
  json,
];
