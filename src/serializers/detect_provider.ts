/**
 * Tells which telephony provider opened a media WebSocket from its first messages, so that one
 * endpoint can take calls from any of them.
 *
 * @module
 */

import type { FrameSerializer } from "../serializer.ts";
import {
  ConversationRelaySerializer,
  type ConversationRelaySerializerOptions,
} from "./conversation_relay.ts";
import { AsteriskSerializer, type AsteriskSerializerOptions } from "./asterisk.ts";
import { JambonzSerializer, type JambonzSerializerOptions } from "./jambonz.ts";
import { ExotelSerializer, type ExotelSerializerOptions } from "./exotel.ts";
import { GenesysSerializer, type GenesysSerializerOptions } from "./genesys.ts";
import { PlivoSerializer, type PlivoSerializerOptions } from "./plivo.ts";
import { TelnyxSerializer, type TelnyxSerializerOptions } from "./telnyx.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";
import { TwilioSerializer, type TwilioSerializerOptions } from "./twilio.ts";
import { VonageSerializer, type VonageSerializerOptions } from "./vonage.ts";

/** The providers {@linkcode detectProvider} recognizes. */
export type TelephonyProvider =
  | "twilio"
  | "telnyx"
  | "plivo"
  | "exotel"
  | "vonage"
  | "genesys"
  | "conversationrelay"
  | "asterisk"
  | "jambonz";

/** Options for {@linkcode detectProvider}: each provider's serializer options (credentials, …). */
export interface DetectProviderOptions {
  /**
   * Options for a Twilio call's serializer.
   *
   * @default {{}}
   */
  twilio?: TwilioSerializerOptions;
  /**
   * Options for a Telnyx call's serializer.
   *
   * @default {{}}
   */
  telnyx?: TelnyxSerializerOptions;
  /**
   * Options for a Plivo call's serializer.
   *
   * @default {{}}
   */
  plivo?: PlivoSerializerOptions;
  /**
   * Options for an Exotel call's serializer.
   *
   * @default {{}}
   */
  exotel?: ExotelSerializerOptions;
  /**
   * Options for a Vonage call's serializer.
   *
   * @default {{}}
   */
  vonage?: VonageSerializerOptions;
  /**
   * Options for a Genesys AudioHook session's serializer.
   *
   * @default {{}}
   */
  genesys?: GenesysSerializerOptions;
  /**
   * Options for a ConversationRelay session's serializer (Twilio's or Telnyx's).
   *
   * @default {{}}
   */
  conversationRelay?: ConversationRelaySerializerOptions;
  /**
   * Options for an Asterisk `chan_websocket` channel's serializer.
   *
   * @default {{}}
   */
  asterisk?: AsteriskSerializerOptions;
  /**
   * Options for a jambonz `listen` socket's serializer.
   *
   * @default {{}}
   */
  jambonz?: JambonzSerializerOptions;
}

/** What {@linkcode detectProvider} found: the provider and a fresh serializer for it. */
export interface DetectedProvider {
  /** Which provider sent the messages. */
  provider: TelephonyProvider;
  /** A new serializer for this call, made with the provider's options. */
  serializer: FrameSerializer;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * How jambonz's first message begins, whole or cut: `listen.js` writes `sampleRate` and `mixType`
 * first, then the call's attributes, then the verb's own `metadata`, and mod_audio_fork keeps
 * 8192 bytes of it, so a large metadata arrives cut, no JSON (`JambonzSerializer` starts the call
 * on what came before the cut). Read from the text, the verb's metadata cannot hide it either,
 * whatever fields of other providers' it names (an `event`, a `type`).
 */
const JAMBONZ_FIRST_MESSAGE = /^\{"sampleRate":\d+,"mixType":"/;

/**
 * Which provider sent `messages` (the first messages of a call, in order), with a serializer for
 * it; `null` while they do not tell yet (Telnyx and Exotel both open with a bare `connected`: the
 * `start` after it decides) or when no provider matches.
 *
 * What decides: Genesys opens with an AudioHook `open` (`version: "2"`); Vonage's events are
 * named `websocket:…` (the Video API's Audio Connector opens with a bare `content-type`);
 * ConversationRelay (Twilio's or Telnyx's) opens with `setup`; Twilio's `connected` says `protocol: "Call"`; a `start` names its ids in
 * each provider's own spelling: Twilio `streamSid`/`start.callSid`, Plivo `start.callId`/
 * `start.streamId`, Telnyx `stream_id`/`start.call_control_id`, Exotel
 * `stream_sid`/`start.call_sid`; Asterisk's `chan_websocket` opens with `MEDIA_START` (plain
 * text or JSON), jambonz's `listen` with `sampleRate` and `mixType`, then the call's attributes
 * (read from its text: mod_audio_fork cuts a large one short, no JSON, which `JambonzSerializer`
 * reads all the same). FreeSWITCH's `mod_audio_fork` opens with whatever metadata its start
 * command carried, so it cannot be told. Binary messages (but for a JSON object a proxy delivered
 * as bytes) and other text that is not JSON are skipped. Each message is
 * judged alone, the first that tells deciding: as messages come, pass the newest (the earlier
 * ones told nothing), not the whole list again, which parses each of them once more every time.
 *
 * The serializer has seen none of the messages: hand them to it after the transport has bound and
 * set it up (the messages carry what it must learn, such as stream ids, and Genesys's `open` must
 * be answered by it), e.g. by replaying them through `serializer.deserialize`.
 *
 * @example Telling Twilio from Telnyx
 * ```ts
 * import { detectProvider } from "@x/ws-transport/detect";
 * import assert from "node:assert/strict";
 *
 * assert.equal(detectProvider(['{"event":"connected","version":"1.0.0"}']), null); // Telnyx? Exotel?
 * const telnyx = detectProvider([
 *   '{"event":"connected","version":"1.0.0"}',
 *   '{"event":"start","sequence_number":"1","stream_id":"s1","start":{"call_control_id":"v3:c1","media_format":{"encoding":"PCMU","sample_rate":8000,"channels":1}}}',
 * ]);
 * assert.equal(telnyx?.provider, "telnyx");
 * const twilio = detectProvider(['{"event":"connected","protocol":"Call","version":"1.0.0"}'], {
 *   twilio: { authToken: "secret" },
 * });
 * assert.equal(twilio?.provider, "twilio");
 * ```
 */
export function detectProvider(
  messages: Iterable<string | Uint8Array>,
  options: DetectProviderOptions = {},
): DetectedProvider | null {
  for (const data of messages) {
    if (typeof data === "string" && /^\s*MEDIA_START\s/.test(data)) {
      return { provider: "asterisk", serializer: serializerForProvider("asterisk", options) };
    }
    if (typeof data === "string" && JAMBONZ_FIRST_MESSAGE.test(data)) {
      return { provider: "jambonz", serializer: serializerForProvider("jambonz", options) };
    }
    const message = parse(data);
    if (message === undefined) continue;
    const provider = providerOf(message);
    if (provider !== undefined) {
      return { provider, serializer: serializerForProvider(provider, options) };
    }
  }
  return null;
}

function parse(data: string | Uint8Array): JsonObject | undefined {
  let text: string;
  if (typeof data === "string") text = data;
  else {
    // Some proxies deliver text as binary; audio is never a JSON object, so this is safe.
    if (data[0] !== 0x7b) return undefined; // "{"
    try {
      text = utf8.decode(data);
    } catch {
      return undefined; // binary audio that happened to start with "{"
    }
  }
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined; // not JSON: not a first message any provider sends, so not evidence
  }
}

/**
 * The message's own field `key`, never an inherited one: were `Object.prototype` polluted
 * elsewhere in the process (say with `streamSid`), every message would look like that provider's,
 * and its serializer, which reads own fields only, would refuse the call.
 */
function field(message: JsonObject, key: string): unknown {
  return Object.hasOwn(message, key) ? message[key] : undefined;
}

function providerOf(message: JsonObject): TelephonyProvider | undefined {
  const has = (key: string) => Object.hasOwn(message, key);
  const event = field(message, "event");
  // First, as Vonage puts the application's own headers beside its fields: one named `type`,
  // `sessionId`, `version` or `id` must not make its message ConversationRelay's or Genesys's.
  if (typeof event === "string" && event.startsWith("websocket:")) return "vonage";
  const hosted = hostedProviderOf(message);
  if (hosted !== undefined) return hosted;
  if (
    field(message, "version") === "2" && typeof field(message, "type") === "string" &&
    typeof field(message, "id") === "string"
  ) {
    return "genesys";
  }
  if (event === "MEDIA_START" && has("optimal_frame_size")) return "asterisk";
  if (
    event === undefined && typeof field(message, "callSid") === "string" &&
    has("sampleRate") && has("mixType")
  ) {
    return "jambonz";
  }
  if (typeof event !== "string") return undefined;
  if (event === "connected") return field(message, "protocol") === "Call" ? "twilio" : undefined;
  if (event !== "start" && event !== "media") return undefined;
  const start = field(message, "start");
  const inStart = (key: string) => isObject(start) && Object.hasOwn(start, key);
  if (has("streamSid") || inStart("callSid") || inStart("accountSid")) return "twilio";
  if (inStart("callId") || inStart("streamId") || has("streamId")) return "plivo";
  if (has("stream_id") || inStart("call_control_id")) return "telnyx";
  if (has("stream_sid") || inStart("call_sid")) return "exotel";
  return undefined;
}

/**
 * A fresh serializer for `provider`, made with that provider's options: what
 * {@linkcode detectProvider} returns once it knows, for a server that knows the provider from the
 * URL instead (`/twilio`, `/telnyx`, …). A name that is no {@linkcode TelephonyProvider}'s (the
 * URL's case or spelling wrong, a path a stranger made up) is a `RangeError`: refuse the request.
 *
 * @example One endpoint per provider
 * ```ts
 * import { serializerForProvider, type TelephonyProvider } from "@x/ws-transport/detect";
 * import { TwilioSerializer } from "@x/ws-transport/twilio";
 * import assert from "node:assert/strict";
 *
 * const serializer = serializerForProvider("twilio", { twilio: { autoHangUp: false } });
 * assert.ok(serializer instanceof TwilioSerializer);
 * const path = "/favicon.ico"; // a request's path, whoever made it
 * assert.throws(() => serializerForProvider(path.slice(1) as TelephonyProvider), RangeError);
 * ```
 */
export function serializerForProvider(
  provider: TelephonyProvider,
  options: DetectProviderOptions = {},
): FrameSerializer {
  switch (provider) {
    case "twilio":
      return new TwilioSerializer(options.twilio);
    case "telnyx":
      return new TelnyxSerializer(options.telnyx);
    case "plivo":
      return new PlivoSerializer(options.plivo);
    case "exotel":
      return new ExotelSerializer(options.exotel);
    case "vonage":
      return new VonageSerializer(options.vonage);
    case "genesys":
      return new GenesysSerializer(options.genesys);
    case "conversationrelay":
      return new ConversationRelaySerializer(options.conversationRelay);
    case "asterisk":
      return new AsteriskSerializer(options.asterisk);
    case "jambonz":
      return new JambonzSerializer(options.jambonz);
  }
  // A name taken from a URL reaches here unchecked: `undefined` handed on as the transport's
  // `serializer` would be read as no option, and the stranger's socket served as raw PCM.
  throw new RangeError(`no provider is named ${describe(provider)}`);
}

/**
 * ConversationRelay (Twilio's and Telnyx's) opens with `{"type":"setup","sessionId",…}`; the
 * Vonage Video API's Audio Connector opens with its `content-type` and the custom headers, with
 * no `event` (the Voice API's says `websocket:connected`); SignalWire's `<Stream>` reference
 * wraps its Twilio-style messages in a log envelope (`eventType`, `rawEvent`).
 */
function hostedProviderOf(message: JsonObject): TelephonyProvider | undefined {
  const event = field(message, "event");
  // Before ConversationRelay's fields: the Audio Connector's custom headers sit beside its own.
  const contentType = field(message, "content-type");
  if (
    event === undefined && typeof contentType === "string" &&
    contentType.toLowerCase().startsWith("audio/l16")
  ) {
    return "vonage";
  }
  if (field(message, "type") === "setup" && typeof field(message, "sessionId") === "string") {
    return "conversationrelay";
  }
  // SignalWire's reference shows its Twilio-style messages inside a log envelope: one level, so
  // an envelope in an envelope is no evidence (followed down, a client's 10,000 of them overflowed
  // the stack before any transport, and its size limit, existed).
  const rawEvent = field(message, "rawEvent");
  if (event === undefined && isObject(rawEvent)) {
    return isObject(field(rawEvent, "rawEvent")) ? undefined : providerOf(rawEvent);
  }
  return undefined;
}
