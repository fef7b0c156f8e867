// Valid inbound messages for the protocols that carry audio as binary frames beside text events
// (Vonage, jambonz, FreeSWITCH's mod_audio_fork, Asterisk's chan_websocket), pipecat's protobuf
// frames, and Twilio ConversationRelay, which carries text alone. Taken from the documented
// calls in tests/serializers/fixtures/, as the Twilio-like ones are.
import type { Frame } from "../../src/frames.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { vonageCall } from "../serializers/fixtures/vonage_call.ts";
import { freeswitchCall, jambonzCall } from "../serializers/fixtures/audio_fork_calls.ts";
import { asteriskPlainTextCall } from "../serializers/fixtures/asterisk_call.ts";
import { twilioRelaySession } from "../serializers/fixtures/conversation_relay_session.ts";
import { genesysSession } from "../serializers/fixtures/genesys_session.ts";
import type { InboundProtocol, Message } from "./generators.ts";

/** `bytes` of PCM (or μ-law) numbered by `chunk`, so that a duplicate is byte-equal. */
function numberedAudio(bytes: number, chunk: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < out.length; i++) out[i] = (chunk * 7 + i) & 0xff;
  return out;
}

/** A fixture's text message as a message the fuzzer can mutate: JSON stays an object. */
function fromText(text: string): Message {
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { kind: "json", value };
    }
  } catch {
    // plain text, as Asterisk and send_text speak
  }
  return { kind: "text", text };
}

/** The text messages a fixture's far end sends (`from` is its name), in order. */
function textsFrom(script: readonly object[], from: string): Message[] {
  return (script as { from?: string; wire?: unknown }[])
    .filter((step) => step.from === from && typeof step.wire !== "number")
    .map((step) =>
      typeof step.wire === "string"
        ? fromText(step.wire)
        : { kind: "json", value: structuredClone(step.wire as Record<string, unknown>) }
    );
}

/** A protocol whose audio is binary and whose first text message opens the stream. */
function binaryAudio(shape: {
  name: string;
  serializer: InboundProtocol["serializer"];
  options: InboundProtocol["options"];
  texts: Message[];
  audioBytes: number;
  numberPaths?: InboundProtocol["numberPaths"];
}): InboundProtocol {
  const [opening, ...controls] = shape.texts;
  return {
    name: shape.name,
    serializer: shape.serializer,
    options: shape.options,
    opening: () => [structuredClone(opening!)],
    media: (_seq, chunk) => ({ kind: "bytes", bytes: numberedAudio(shape.audioBytes, chunk) }),
    controls: () => controls.map((message) => structuredClone(message)),
    endsStream: false,
    numberPaths: shape.numberPaths ?? [],
    base64Paths: [],
  };
}

const SIXTEEN_KHZ = { audioIn: { sampleRate: 16000 }, audioOut: { sampleRate: 16000 } };
const EIGHT_KHZ = { audioIn: { sampleRate: 8000 }, audioOut: { sampleRate: 8000 } };

const vonage = binaryAudio({
  name: "vonage",
  serializer: () => new VonageSerializer(),
  options: SIXTEEN_KHZ,
  texts: textsFrom(vonageCall, "vonage"),
  audioBytes: 640,
  numberPaths: [["duration"]],
});

const jambonz = binaryAudio({
  name: "jambonz",
  serializer: () => new JambonzSerializer(),
  options: SIXTEEN_KHZ,
  texts: textsFrom(jambonzCall, "platform"),
  audioBytes: 640,
  numberPaths: [["sampleRate"], ["duration"], ["sipStatus"]],
});

const freeswitch = binaryAudio({
  name: "freeswitch",
  serializer: () => new FreeSwitchSerializer(),
  options: EIGHT_KHZ,
  texts: textsFrom(freeswitchCall, "platform"),
  audioBytes: 320,
  numberPaths: [["duration"]],
});

const asterisk = binaryAudio({
  name: "asterisk",
  serializer: () => new AsteriskSerializer(),
  options: EIGHT_KHZ,
  texts: textsFrom(asteriskPlainTextCall, "asterisk"),
  audioBytes: 160,
});

/** pipecat's protobuf frames, made by the serializer itself (it reads what it writes). */
function protobufMessage(frame: Frame): Message {
  const writer = new ProtobufSerializer();
  writer.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const bytes = writer.serialize(frame);
  if (!(bytes instanceof Uint8Array)) throw new Error(`protobuf: ${frame.type} is not binary`);
  return { kind: "bytes", bytes };
}

const protobuf: InboundProtocol = {
  name: "protobuf",
  serializer: () => new ProtobufSerializer(),
  options: SIXTEEN_KHZ,
  opening: () => [],
  media: (_seq, chunk) =>
    protobufMessage({
      type: "audio",
      audio: numberedAudio(640, chunk),
      sampleRate: 16000,
      channels: 1,
    }),
  controls: (seq) => [
    protobufMessage({ type: "text", text: `hello ${seq}` }),
    protobufMessage({ type: "message", message: { label: "rtvi-ai", type: "client-ready" } }),
    protobufMessage({ type: "transcription", text: "hi", userId: "u", timestamp: String(seq) }),
  ],
  endsStream: false,
  numberPaths: [],
  base64Paths: [],
};

/** ConversationRelay carries no audio: its "media" is the caller's words, a final prompt. */
const relayTexts = textsFrom(twilioRelaySession, "provider");
const conversationRelay: InboundProtocol = {
  name: "relay",
  serializer: () => new ConversationRelaySerializer(),
  options: {},
  content: "transcription",
  opening: () => [structuredClone(relayTexts[0]!)],
  media: (seq) => ({
    kind: "json",
    value: { type: "prompt", voicePrompt: `utterance ${seq}`, lang: "en-US", last: true },
  }),
  controls: () => relayTexts.slice(1).map((message) => structuredClone(message)),
  endsStream: false,
  numberPaths: [["durationUntilInterruptMs"]],
  base64Paths: [],
};

/** Genesys AudioHook's client messages, by type, from the documented session. */
const audioHook = new Map(
  textsFrom(genesysSession, "genesys").map((
    m,
  ) => [String(m.kind === "json" && m.value.type), m]),
);

/** An AudioHook client message of `type`, numbered `seq` (Genesys numbers every one). */
function audioHookMessage(type: string, seq: number): Message {
  const message = structuredClone(audioHook.get(type)!) as Message & { kind: "json" };
  message.value.seq = seq;
  // Acknowledging none of the server's messages is always true; a later number may not be.
  message.value.serverseq = 0;
  return message;
}

/**
 * Genesys AudioHook: the server answers `open`, `ping` and `close` itself (through the
 * serializer's context); `paused` is left out of the controls, since audio is rightly dropped
 * until `resumed`.
 */
const genesys: InboundProtocol = {
  name: "genesys",
  serializer: () => new GenesysSerializer(),
  // A breach's `disconnect` asks Genesys to close; this far end never does, and the session ends
  // itself once `closeTimeoutMs` has passed (AudioHook: the client answers with its close). The
  // fuzz stretches this bound past its whole session (inbound_fuzz.ts, `outlastingCloseTimeout`),
  // so that every step reaches the session, which reads on meanwhile.
  options: { ...EIGHT_KHZ, closeTimeoutMs: 60_000 },
  opening: () => [audioHookMessage("open", 1)],
  // 100 ms of PCMU at 8 kHz, the external channel alone (what `opened` chose).
  media: (_seq, chunk) => ({ kind: "bytes", bytes: numberedAudio(800, chunk) }),
  controls: (seq) => ["ping", "dtmf", "update"].map((type) => audioHookMessage(type, seq)),
  stop: (seq) => audioHookMessage("close", seq),
  endsStream: false,
  strictSequence: true,
  numberPaths: [["seq"], ["serverseq"], ["position"]],
  base64Paths: [],
};

/** The binary-audio protocols, protobuf and ConversationRelay. */
export const BINARY_PROTOCOLS: readonly InboundProtocol[] = [
  vonage,
  jambonz,
  freeswitch,
  asterisk,
  protobuf,
  conversationRelay,
  genesys,
];
