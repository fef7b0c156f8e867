/**
 * The telephony side of a new call: which provider it is (from the path, or from its first
 * messages) and its serializer. Module-private to the bridge.
 *
 * @module
 */

import type { Clock, FrameSerializer, TransportOptions, WebSocketLike } from "@x/ws-transport";
import {
  detectProvider,
  type DetectProviderOptions,
  serializerForProvider,
  type TelephonyProvider,
} from "@x/ws-transport/detect";

/** The providers a path can name (`/twilio`, …). */
export const PROVIDERS: readonly TelephonyProvider[] = [
  "twilio",
  "telnyx",
  "plivo",
  "exotel",
  "vonage",
  "genesys",
];

/**
 * Why the bridge cannot take a call from `provider`, or `undefined` when it can: it serves the
 * providers a path can name, whose audio it knows how to cut (`audioOutFor`), and no other.
 */
export function refusalOf(provider: TelephonyProvider): string | undefined {
  // ConversationRelay carries text, not audio: a speech-to-speech model has nothing to hear.
  if (provider === "conversationrelay") {
    return "ConversationRelay carries no audio: it cannot reach a speech model";
  }
  if (!PROVIDERS.includes(provider)) {
    return `${provider} is not a provider the bridge serves (${PROVIDERS.join(", ")})`;
  }
  return undefined;
}

/** A fresh serializer for `provider`, with its options (credentials, …). */
export function serializerFor(
  provider: TelephonyProvider,
  options: DetectProviderOptions,
): FrameSerializer {
  const refusal = refusalOf(provider);
  if (refusal !== undefined) throw new TypeError(refusal);
  return serializerForProvider(provider, options);
}

/**
 * How the provider wants the bot's audio cut: Exotel asks for chunks of at least 3,200 bytes
 * (its pages call that 100 ms, which holds at 16 kHz; at its default 8 kHz it is 200 ms),
 * Genesys rate-limits small messages (200 ms packets of PCMU, padded with μ-law silence), the
 * others take 20 ms, a phone line's own frame.
 *
 * Genesys acknowledges no playout, so what the caller heard is the transport's estimate; its
 * 200 ms packets leave only once whole, the first 20 ms chunk of each 180 ms after its pacing
 * time, which the estimate does not know of: `playoutDelayMs` tells it.
 */
export function audioOutFor(provider: TelephonyProvider): {
  chunkMs: number;
  /** The length of a whole chunk or packet: an utterance is padded to a multiple of it. */
  wholeMs: number;
  /** More transport options for the provider. */
  options?: Pick<TransportOptions, "fixedAudioPacketSize" | "padByte" | "playoutDelayMs">;
} {
  switch (provider) {
    case "exotel":
      return { chunkMs: 200, wholeMs: 200 };
    case "genesys": {
      const options = { fixedAudioPacketSize: 1600, padByte: 0xff, playoutDelayMs: 180 };
      return { chunkMs: 20, wholeMs: 200, options };
    }
    default:
      return { chunkMs: 20, wholeMs: 20 };
  }
}

/** A call whose provider is known, with the messages read to tell (to be replayed). */
export interface IdentifiedCall {
  provider: TelephonyProvider;
  serializer: FrameSerializer;
  messages: (string | Uint8Array)[];
}

/** How long and how many messages {@linkcode identifyCall} waits for. */
/** The largest message taken while the provider is told (its opening messages are small JSON). */
const MAX_FIRST_MESSAGE_BYTES = 64 * 1024;

export interface IdentifyOptions {
  providers: DetectProviderOptions;
  clock: Clock;
  timeoutMs: number;
  maxMessages: number;
}

/**
 * Reads `socket`'s first messages until `detectProvider` tells the provider, then calls
 * `onCall` synchronously, inside the message event, so the transport made there is listening
 * before the next message is delivered. Closes the socket (1008) when the provider cannot be
 * told within `timeoutMs` or `maxMessages`, or is one the bridge does not serve (`refusalOf`:
 * ConversationRelay, …); returns why through `onFail`.
 */
export function identifyCall(
  socket: WebSocketLike,
  options: IdentifyOptions & {
    onCall: (call: IdentifiedCall) => void;
    onFail: (why: string) => void;
  },
): void {
  const messages: (string | Uint8Array)[] = [];
  const timer = new AbortController();
  const stop = () => {
    timer.abort();
    socket.removeEventListener("message", onMessage);
    socket.removeEventListener("close", onClose);
  };
  const fail = (why: string) => {
    stop();
    if (socket.readyState < 2) socket.close(1008, "unknown telephony provider");
    options.onFail(why);
  };
  const onMessage = (event: MessageEvent) => {
    const data: unknown = event.data;
    const size = typeof data === "string" ? data.length : (data as ArrayBuffer).byteLength;
    if (size > MAX_FIRST_MESSAGE_BYTES) {
      // Held until the provider is known, a big message would cost memory for nothing: no
      // provider opens with one (the transport's own maxMessageBytes takes over after).
      stop();
      if (socket.readyState < 2) socket.close(1009, "message too big");
      return options.onFail(`a first message of ${size} bytes`);
    }
    if (typeof data === "string") messages.push(data);
    else if (data instanceof ArrayBuffer) messages.push(new Uint8Array(data));
    else return fail("a message that is neither text nor bytes");
    const found = detectProvider(messages, options.providers);
    if (found) {
      stop();
      const refusal = refusalOf(found.provider);
      if (refusal === undefined) return options.onCall({ ...found, messages });
      // Told, but not a call the bridge can take: refused as its named path would be, before
      // any model session is opened for it.
      if (socket.readyState < 2) socket.close(1008, `${found.provider} is not served here`);
      options.onFail(refusal);
    } else if (messages.length >= options.maxMessages) {
      fail(`no provider recognized in the first ${messages.length} messages`);
    }
  };
  const onClose = () => {
    stop();
    options.onFail("the caller's side closed before saying who it is");
  };
  socket.addEventListener("message", onMessage);
  socket.addEventListener("close", onClose);
  options.clock.sleep(options.timeoutMs, timer.signal).then(
    () => fail(`no provider recognized within ${options.timeoutMs} ms`),
    () => {/* identified, or closed */},
  );
}
