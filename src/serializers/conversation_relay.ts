/**
 * ConversationRelay (Twilio's `<Connect><ConversationRelay>`, and Telnyx's copy of it):
 * {@linkcode ConversationRelaySerializer}, and {@linkcode verifyTwilioSignature} for the upgrade
 * request Twilio signs.
 *
 * @module
 */

import type { Frame, MessageFrame, StartFrame, TranscriptionFrame } from "../frames.ts";
import type { FrameSerializer, SerializerContext } from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { toJson } from "./_to_json.ts";
import type { JsonObject } from "./telephony/_json_value.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { customParameters } from "./telephony/_custom_parameters.ts";
import { phoneDigit } from "../_keypad_digits.ts";
import { kindOf } from "../_kind_of.ts";
import { isObject } from "./telephony/_json_value.ts";

export { verifyTwilioSignature, type VerifyTwilioSignatureOptions } from "./twilio_signature.ts";

const PROVIDER = "ConversationRelay";

/**
 * How long the platform takes to speak one character of text, as the serializer estimates it to
 * hold an `end` until the goodbye before it has been heard: about 14 characters a second, the
 * pace of speech at 150 words a minute (a word and its space about 5.7 characters).
 */
const ESTIMATED_MS_PER_CHARACTER = 70;

/**
 * The same for a character of the scripts written about a syllable (or two) a character: Chinese
 * (Han), Japanese (kanji and kana) and Korean (Hangul syllables), 4 a second. Broadcast news,
 * read fast, is Mandarin at 250–270 characters a minute (CCTV) and Japanese at 300 (NHK): timed
 * at 70 ms, a third of that, the `end` would leave with two thirds of the goodbye unspoken.
 */
const ESTIMATED_MS_PER_SYLLABIC_CHARACTER = 250;

/** The characters {@linkcode ESTIMATED_MS_PER_SYLLABIC_CHARACTER} times. */
const SYLLABIC_CHARACTER =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/**
 * What a held `end` leaves of the transport's `sendTimeoutMs`, which bounds a `serialize` that
 * answers with a promise (the session ends, 1011, past it): the `end` goes before that bound.
 */
const SEND_MARGIN_MS = 250;

/** Who may cut the platform's speech short: ConversationRelay's `interruptible`. */
export type ConversationRelayInterruptible = boolean | "none" | "dtmf" | "speech" | "any";

/** Options for {@linkcode ConversationRelaySerializer}. */
export interface ConversationRelaySerializerOptions {
  /**
   * How `text` frames are spoken. `false`: every `text` frame is a whole reply, sent as one
   * token with `last: true`. `true`: `text` frames are the tokens of a reply as an LLM streams
   * them (`last: false`), and an empty `text` frame ends the reply (`token: ""`, `last: true`),
   * as the platform's docs advise for low latency. A reply cut short by an interruption is
   * ended for the bot: see {@linkcode ConversationRelaySerializer}.
   *
   * @default {false}
   */
  streamText?: boolean;
  /**
   * The `lang` sent with every text token (the session's language when absent).
   *
   * @default {undefined}
   */
  lang?: string;
  /**
   * The `interruptible` sent with every text token (the TwiML attribute's value when absent).
   *
   * @default {undefined}
   */
  interruptible?: ConversationRelayInterruptible;
  /**
   * The `preemptible` sent with every text token: whether the next reply may cut this one short.
   *
   * @default {undefined}
   */
  preemptible?: boolean;
  /**
   * The `handoffData` sent with `end` (Twilio hands it to the `<Connect action>` URL as
   * `HandoffData`). A bot can also write its own `end` message as a `message` frame.
   *
   * @default {undefined}
   */
  handoffData?: string;
}

/**
 * Frames ⇄ ConversationRelay messages. The platform does speech recognition and synthesis; the
 * socket carries text both ways, so the session has no audio and no pacing.
 *
 * Inbound: `setup` → a `start` frame (`sessionId` as `streamId`, `callSid` as `callId`,
 * `customParameters` as `params`, a value that is no string, number or boolean as its JSON
 * text, counted in `decodeErrors` and reported; the whole message stays readable as
 * `setupMessage`); a final `prompt` (`last` not `false`) → a `transcription` frame
 * (`voicePrompt`, the number of the person on the line as `userId`: `from`, or `to` on a call the
 * app placed; `lang` as `language`), a partial one → a `message` frame holding it; `interrupt` → an `interruption`
 * frame followed by a `message` frame holding it (`utteranceUntilInterrupt`,
 * `durationUntilInterruptMs`: what the caller heard, for cutting the LLM's context; one of the
 * wrong type is counted in `decodeErrors` and reported, and the interruption still happens);
 * `dtmf` → a `dtmf` frame; `error` → an "error" event (code `"protocol"`, the session goes on)
 * and a `message` frame holding it; other types (debug `info` messages, later additions) →
 * `message` frames. A binary message is a decode error: ConversationRelay sends none.
 *
 * Outbound: `text` → a text token (see `streamText`; `lang`, `interruptible` and `preemptible`
 * when set); `dtmf` → `sendDigits` for a digit the platform plays ("0"-"9", "*", "#": the keypad
 * letters "A"-"D" are no `sendDigits` digit, and such a frame is refused, an `"encode"` error
 * counted in `transport.stats.encodeErrors`, the session going on; a pause (`w`) goes as a
 * `message` frame holding a `sendDigits` of your own); `end` and `cancel` → `end` once (with
 * `handoffData`): the session ends and the call goes on to the `<Connect action>` URL, or hangs
 * up when the TwiML has nothing after `<Connect>`. Neither platform's reference says whether
 * speech already sent is finished before `end` takes effect, and no message says when text has
 * been spoken; so an `end` (not a `cancel`: that hangs up at once) is held, on the transport's
 * clock, until the text sent before it has had its time to be spoken, as estimated (70 ms a
 * character, about 150 words a minute, but 250 ms a Chinese, Japanese or Korean one, a syllable
 * each; each token from when it left, behind the speech before it; a `play` is not timed): a
 * goodbye written just before the `end` is heard either way. The platform's `interrupt` (the
 * caller's speech stopped the bot's) or a `cancel` sends a held `end` at once; the hold never
 * outlasts the transport's `sendTimeoutMs` less 250 ms, and a goodbye estimated to take longer is
 * reported (a `"timeout"` error: its end may go unheard; with no time left to hold, the `end`
 * goes at once). `message`
 * frames go as JSON text (an `end` of your own among them, not held), for `play`,
 * `language` or a token with settings of its own. `audio` cannot be carried: it is dropped,
 * counted in `transport.stats.audioBytesRefused` and reported once (code `"encode"`). The
 * platform stops its own speech when the caller talks over it, and the app cannot stop it (a
 * reply marked `preemptible` gives way to the next one as it begins: the flag is the cut reply's,
 * not the next's); but a streamed reply (`streamText`) that an interruption cut short is over,
 * and its talk cycle is closed with an empty `last: true` token at once: at the bot's
 * `interruption`, or at the platform's `interrupt` (sent through the transport's context, ahead
 * of any token queued). Otherwise `interruption` sends nothing.
 * Tokens of a cut reply that still come after the interruption (an LLM stream that has not
 * noticed) would be spoken as a new talk cycle: the transport drops them (`speaksText`), counted
 * in `transport.stats.textFramesStale` and reported once as `staleaudio`, when the bot tags its
 * text frames with a `responseId` (a new id for each reply) or begins each reply with
 * `transport.startResponse()`; the platform's `interrupt` closes the replies written so far as
 * `transport.interrupt()` does.
 * Marks send nothing either: there is no playout to acknowledge.
 *
 * @example A prompt in, a reply out
 * ```ts
 * import { ConversationRelaySerializer } from "@x/ws-transport/conversation-relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new ConversationRelaySerializer();
 * const start = relay.deserialize(JSON.stringify({
 *   type: "setup",
 *   sessionId: "VX1",
 *   callSid: "CA1",
 *   from: "+15550100001",
 *   customParameters: { lang: "en" },
 * }));
 * assert.deepEqual(start, { type: "start", streamId: "VX1", callId: "CA1", params: { lang: "en" } });
 * const heard = relay.deserialize('{"type":"prompt","voicePrompt":"Hi!","lang":"en-US","last":true}');
 * assert.ok(heard && !Array.isArray(heard) && heard.type === "transcription");
 * assert.equal(heard.text, "Hi!");
 * assert.equal(heard.language, "en-US"); // the language heard, where the platform says
 * assert.equal(
 *   relay.serialize({ type: "text", text: "Hello there." }),
 *   '{"type":"text","token":"Hello there.","last":true}',
 * );
 * ```
 */
export class ConversationRelaySerializer implements FrameSerializer {
  /**
   * The protocol carries no audio: a transport that reads this drops outbound audio before
   * chunking and pacing it, and never counts it as heard.
   */
  readonly carriesAudio = false;
  /**
   * The platform speaks the bot's text: a transport that reads this drops text of an interrupted
   * response (tagged with its `responseId`, or begun by `startResponse`) as it drops stale audio,
   * rather than letting it open a talk cycle after the interruption.
   */
  readonly speaksText = true;
  readonly #options: ConversationRelaySerializerOptions;
  #context: SerializerContext | undefined;
  #setup: JsonObject | undefined;
  #ended = false;
  #audioRefused = false;
  /** A streamed reply is open (`streamText`): a token left with `last: false`, none ended it. */
  #replyOpen = false;
  /** When the text sent so far should have been spoken, by the transport's clock (estimated). */
  #speechEndsAtMs = -Infinity;
  /**
   * The `end` held until the goodbye before it has been spoken: its message, whether a `cancel`
   * has said it already, and what lets it go at once (the platform's `interrupt`, the session's
   * end).
   */
  #heldEnd: { message: string; said: boolean; letGo: AbortController } | undefined;

  /**
   * Makes a serializer for one session; see {@linkcode ConversationRelaySerializerOptions}. A
   * setting of the wrong kind is a `RangeError`: it would go out on every token (or the `end`),
   * each refused by the platform (error 64107, not processed; ten in a row close the session).
   */
  constructor(options: ConversationRelaySerializerOptions = {}) {
    const { streamText, lang, interruptible, preemptible, handoffData } = options;
    checkOption("streamText", streamText, "a boolean", typeof streamText === "boolean");
    checkOption("lang", lang, "a string", typeof lang === "string");
    checkOption(
      "interruptible",
      interruptible,
      'a boolean or "none", "dtmf", "speech" or "any"',
      typeof interruptible === "boolean" || INTERRUPTIBLE.includes(interruptible as string),
    );
    checkOption("preemptible", preemptible, "a boolean", typeof preemptible === "boolean");
    checkOption("handoffData", handoffData, "a string", typeof handoffData === "string");
    this.#options = options;
  }

  /** The `setup` message, once it has come: `from`, `to`, `direction`, `callStatus`, … */
  get setupMessage(): Readonly<JsonObject> | undefined {
    return this.#setup;
  }

  /** Whose ConversationRelay this is, once `setup` has said (Telnyx's carries a `callControlId`). */
  get platform(): "twilio" | "telnyx" | undefined {
    if (this.#setup === undefined) return undefined;
    return typeof this.#setup.callControlId === "string" ? "telnyx" : "twilio";
  }

  /** Keeps the transport's context: refused audio is counted there, platform errors reported. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /**
   * One outbound frame to a ConversationRelay message; see the class description. Only an `end`
   * may come as a promise: held until the text before it has been spoken.
   */
  serialize(frame: Extract<Frame, { type: "end" }>): string | Promise<string> | null;
  serialize(frame: Exclude<Frame, { type: "end" }>): string | null;
  serialize(frame: Frame): string | Promise<string> | null;
  serialize(frame: Frame): string | Promise<string> | null {
    switch (frame.type) {
      case "text":
        this.#replyOpen = this.#options.streamText === true && frame.text !== "";
        this.#spoken(frame.text);
        return this.#token(frame.text);
      case "interruption":
        return this.#closeCutReply();
      case "dtmf":
        return toJson({ type: "sendDigits", digits: sendableDigit(frame.digit) });
      case "end":
      case "cancel": {
        const held = this.#heldEnd;
        if (frame.type === "cancel" && held !== undefined && !held.said) {
          // Hang up now, with the held `end` as the cancel's message: the transport closes the
          // socket once the cancel is answered, before the held answer leaves (lost at the
          // close, its frame counted dropped), and a socket closed with no `end` is the
          // platform's error 64105 ("Websocket ended"), the `handoffData` never handed on.
          held.said = true;
          return held.message;
        }
        if (this.#ended) return null;
        this.#ended = true;
        const handoffData = this.#options.handoffData;
        const end = toJson(
          handoffData === undefined ? { type: "end" } : { type: "end", handoffData },
        );
        return frame.type === "end" ? this.#onceSpoken(end) : end;
      }
      case "message": {
        // A token of the bot's own (settings of its own) is speech the `end` waits for too.
        const { message } = frame;
        if (isObject(message) && message.type === "text" && typeof message.token === "string") {
          this.#spoken(message.token);
        }
        return toJson(message);
      }
      case "audio":
        this.#refuse(frame.audio.length);
        return null;
      default:
        return null;
    }
  }

  /** One ConversationRelay message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data !== "string" && data[0] !== 0x7b) {
      throw new TransportError(
        "decode",
        `${PROVIDER}: a binary message of ${data.length} bytes; ConversationRelay sends JSON text only`,
      );
    }
    const message = JsonReader.parse(data, PROVIDER);
    const raw: MessageFrame = { type: "message", message: message.value };
    switch (message.string("type")) {
      case "setup":
        return this.#start(message);
      case "prompt": {
        const text = message.string("voicePrompt");
        if (message.value.last === false) return raw;
        const transcription: TranscriptionFrame = {
          type: "transcription",
          text,
          userId: this.#caller(),
          timestamp: new Date().toISOString(),
        };
        // The language heard (Twilio's "Prompt message": `lang`), for a bot that answers in it;
        // one of the wrong type is reported, the words still delivered.
        let language: string | undefined;
        this.#checkDetail(() => language = message.optionalString("lang"));
        if (language) transcription.language = language;
        return transcription;
      }
      case "interrupt":
        // What the caller heard is a detail; the barge-in itself is not: a field of the wrong type
        // is reported, and the interruption still happens (refused whole, the bot's stale reply
        // would keep its place).
        this.#checkDetail(() => message.optionalString("utteranceUntilInterrupt"));
        this.#checkDetail(() => message.optionalNumber("durationUntilInterruptMs"));
        // The platform stopped the speech itself: tokens of the replies written so far, still
        // coming from an LLM that has not noticed, are stale (they would be spoken as a new talk
        // cycle), whether or not the bot answers with an interruption of its own.
        this.#context?.farEndInterrupted?.();
        // The speech stopped: nothing is left to hear, and a held `end` goes now.
        this.#speechEndsAtMs = -Infinity;
        this.#heldEnd?.letGo.abort();
        // The caller cut the reply short: its close goes at once, ahead of any token queued.
        if (this.#replyOpen && this.#context !== undefined) {
          this.#context.send(this.#closeCutReply()!);
        }
        return [{ type: "interruption" }, raw];
      case "dtmf":
        return { type: "dtmf", digit: message.dtmfDigit("digit") };
      case "error": {
        const description = message.optionalString("description") ?? "(no description)";
        this.#context?.report(new TransportError("protocol", `${PROVIDER}: ${description}`));
        return raw;
      }
      default:
        return raw;
    }
  }

  /**
   * The session is ending (the socket closed under a held `end`): the `end` has nothing left to
   * wait for and goes now, for the transport to count it dropped at the close. No frames held.
   */
  finish(): null {
    this.#heldEnd?.letGo.abort();
    return null;
  }

  /** `text` goes to the platform to be spoken: its speaking time is added to what is queued. */
  #spoken(text: string): void {
    const clock = this.#context?.clock;
    if (clock === undefined || text === "") return;
    const startsAtMs = Math.max(clock.now(), this.#speechEndsAtMs);
    this.#speechEndsAtMs = startsAtMs + estimatedSpeechMs(text);
  }

  /**
   * `end`, once the text sent before it has had its estimated time to be spoken: at once when
   * none is left (or the context gives no clock), else a promise the transport waits on, bounded
   * under its `sendTimeoutMs` (a goodbye estimated to take longer is reported: its end may go
   * unheard), and let go at once by the platform's `interrupt` or the session's end (a `cancel`
   * sends it itself).
   */
  #onceSpoken(end: string): string | Promise<string> {
    const clock = this.#context?.clock;
    if (clock === undefined) return end;
    const leftMs = this.#speechEndsAtMs - clock.now();
    if (!(leftMs > 0)) return end;
    const boundMs = Math.max(0, (this.#context?.sendTimeoutMs ?? Infinity) - SEND_MARGIN_MS);
    if (leftMs > boundMs) {
      this.#context?.report(
        new TransportError(
          "timeout",
          `${PROVIDER}: the text before the end takes about ${Math.ceil(leftMs)} ms more to ` +
            `speak, longer than the end may wait (${boundMs} ms, under sendTimeoutMs): end sent ` +
            "then, the caller may not hear all of the goodbye",
        ),
      );
    }
    // No time to hold it (`sendTimeoutMs` of 250 ms or less): at once, not as a promise the
    // transport's bound on it, due as soon (0 ms), would give up, ending the session (1011).
    if (boundMs === 0) return end;
    const held = this.#heldEnd = { message: end, said: false, letGo: new AbortController() };
    // Let go early (the speech stopped, the session ended), the end goes at once: no rejection.
    const spoken = clock.sleep(Math.min(leftMs, boundMs), held.letGo.signal).catch(() => {});
    return spoken.then(() => {
      if (this.#heldEnd === held) this.#heldEnd = undefined;
      return end;
    });
  }

  #start(message: JsonReader): StartFrame {
    const streamId = message.string("sessionId");
    const callId = message.optionalString("callSid") ?? message.optionalString("callControlId");
    const start: StartFrame = { type: "start", streamId, params: this.#params(message) };
    if (callId !== undefined) start.callId = callId;
    // Kept only once decoded: a setup refused as a decode error describes no session.
    this.#setup = message.value;
    return start;
  }

  /**
   * `customParameters` as the start frame's `params`. Twilio's are `<Parameter>` names and values,
   * strings; but Telnyx's call command `conversation_relay_start` takes `custom_parameters` as
   * values of any JSON type (its SDKs: `Hash{Symbol=>Object}`), forwarded to this message. One
   * such value must not cost the call its start (its ids, the bot's greeting): a nested value
   * goes on as its JSON text, and `customParameters` that is no object as no parameters, each
   * counted in `decodeErrors` and reported (`setupMessage` keeps the message as it came).
   */
  #params(message: JsonReader): Record<string, string> {
    return customParameters(message.value.customParameters, {
      provider: PROVIDER,
      field: "setup's customParameters",
      context: this.#context,
    });
  }

  /** Reads an optional detail of a message; one of the wrong type is reported, not thrown. */
  #checkDetail(read: () => unknown): void {
    try {
      read();
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      this.#repaired(`${error.message}; the message goes on without it`);
    }
  }

  /**
   * A message read in part (`message`, naming the provider): counted in `decodeErrors` and
   * reported, the session going on.
   */
  #repaired(message: string): void {
    this.#context?.count("decodeErrors");
    this.#context?.report(new TransportError("decode", message));
  }

  /**
   * The number of the person whose speech the prompts carry: `from` on a call that came in, but
   * `to` on one the app placed (`direction` "outbound-api", "outbound-dial"): there `from` is the
   * app's own number, and every callee would share it as one user.
   */
  #caller(): string {
    const setup = this.#setup;
    const direction = setup?.direction;
    const placed = typeof direction === "string" && direction.startsWith("outbound");
    const number = placed ? setup?.to : setup?.from;
    return typeof number === "string" && number !== "" ? number : "caller";
  }

  /**
   * An interruption ends the streamed reply it cut: its talk cycle is closed with an empty
   * `last: true` token. Neither Twilio's nor Telnyx's message reference says whether the platform
   * closes a talk cycle by itself when the caller barges in, nor whether a reply left without its
   * `last: true` is ever given up; left open, the bot's next reply would be taken for more of the
   * cut one (a talk cycle ends only at `last: true`): spoken under the cut reply's
   * `interruptible` and `preemptible`, its heard text (`utteranceUntilInterrupt`) counted from the
   * cut reply's start. An empty token speaks nothing, so a cycle the platform had closed already
   * costs only an empty one. `null`: no streamed reply is open, nothing to send.
   */
  #closeCutReply(): string | null {
    if (!this.#replyOpen) return null;
    this.#replyOpen = false;
    return this.#token("");
  }

  #token(text: string): string {
    const { streamText, lang, interruptible, preemptible } = this.#options;
    const token: JsonObject = { type: "text", token: text, last: !streamText || text === "" };
    if (lang !== undefined) token.lang = lang;
    if (interruptible !== undefined) token.interruptible = interruptible;
    if (preemptible !== undefined) token.preemptible = preemptible;
    return toJson(token);
  }

  #refuse(bytes: number): void {
    this.#context?.count("audioBytesRefused", bytes);
    if (this.#audioRefused) return;
    this.#audioRefused = true;
    this.#context?.report(
      new TransportError(
        "encode",
        `${PROVIDER}: outbound audio dropped: the platform speaks text, so write text frames`,
      ),
    );
  }
}

/** How long the platform takes to speak `text`, as estimated (see the constants above). */
function estimatedSpeechMs(text: string): number {
  const syllabic = text.match(SYLLABIC_CHARACTER)?.length ?? 0;
  return (text.length - syllabic) * ESTIMATED_MS_PER_CHARACTER +
    syllabic * ESTIMATED_MS_PER_SYLLABIC_CHARACTER;
}

/** The `interruptible` values that are no boolean ("Text tokens message"). */
const INTERRUPTIBLE: readonly string[] = ["none", "dtmf", "speech", "any"];

/** A `RangeError` for an option given (not `undefined`) that is not `expected`. */
function checkOption(name: string, value: unknown, expected: string, ok: boolean): void {
  if (value === undefined || ok) return;
  throw new RangeError(`${name} must be ${expected}, got ${kindOf(value)}`);
}

/**
 * `digit` as a `sendDigits` digit, or a `TransportError("encode")`. Twilio's reference ("Getting
 * and sending WebSocket messages", "Send digits message") gives `digits` as a string of DTMF
 * digits, its example `"9www4085551212"` (`w`: a half-second pause, as in `<Play digits>`), and
 * lists no keypad letters; the simulator's far end, written from it, takes 0-9, `*`, `#` and `w`
 * and answers anything else with `error` (64107), not played. So the letters A-D, which a caller's
 * keypad may send us, are refused here, counted, rather than sent to be refused there. A `dtmf`
 * frame is one keypress: a pause is no `dtmf` frame (write a `sendDigits` message for one).
 */
function sendableDigit(digit: string): string {
  return phoneDigit(PROVIDER, "sendDigits", digit);
}
