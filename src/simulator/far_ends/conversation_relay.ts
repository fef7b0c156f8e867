/**
 * ConversationRelay (`<Connect><ConversationRelay url="wss://…">`), as Twilio's "Getting and
 * sending WebSocket messages" page documents it (twilio.com/docs/voice/conversationrelay/
 * websocket-messages, read 2026-08) and Telnyx's "ConversationRelay WebSocket channel" AsyncAPI
 * reference documents its copy of it (developers.telnyx.com/api-reference/websockets/
 * conversationrelay-websocket-channel). The platform does the speech: the socket carries text.
 *
 * - The platform sends `setup` at once (`sessionId`, `callSid`, `from`, `to`, `direction`,
 *   `customParameters` from `<Parameter>`; Twilio adds `accountSid`, `parentCallSid`,
 *   `callType`, `callerName`, `callStatus`; Telnyx `callControlId`, `callSessionId`,
 *   `callLegId`), then `prompt` (`voicePrompt`, `lang`, `last`) when the caller has said
 *   something, `dtmf` (`digit`) for a keypress, `interrupt` (`utteranceUntilInterrupt`,
 *   `durationUntilInterruptMs`) when the caller's speech cut the bot's speech short, and `error`
 *   (`description`) for a message it could not take.
 * - It takes `text` (`token`, `last`, optional `lang`, `interruptible`, `preemptible`),
 *   `play` (`source`, optional `loop`, `interruptible`, `preemptible`), `sendDigits` (`digits`),
 *   `language` (`ttsLanguage`, `transcriptionLanguage`) and `end` (optional `handoffData`, a
 *   string); JSON text only. A message it cannot validate is answered by `error` (Twilio error
 *   64107) and not processed; the session goes on, but ten in a row close it (Twilio's "Handling
 *   errors": close 1007, "Too many consecutive malformed messages"; Telnyx's copy the same).
 * - `interruptible` is `none`, `dtmf`, `speech` or `any` (`true` is `any`, `false` `none`), by
 *   default `any`: caller speech (or a keypress) over the speech stops it. A talk cycle marked
 *   `preemptible` gives way to the next one (its first `text` or `play`), still being heard or
 *   still waiting, once it has ended (a `play` sent inside an open text cycle does not cut it);
 *   a cycle not marked, ahead of it, plays on.
 * - `interrupt` is sent "when the caller interrupts TTS playback by speaking" (Twilio's
 *   "Interrupt message"): a keypress that stops the speech (`interruptible` `dtmf` or `any`) is
 *   told as its `dtmf` message alone.
 * - A `play` is a talk cycle of its own: it carries its own `interruptible` and `preemptible` and
 *   no `last`. One sent while a `text` cycle is still open (no `last: true` yet) is queued where
 *   it arrives, and the text cycle's tokens after it go on with that cycle.
 * - `dtmf` is sent only with `dtmfDetection` on: the attribute of the `<ConversationRelay>` TwiML
 *   noun (twilio.com/docs/voice/conversationrelay/conversationrelay-noun, its attributes table)
 *   that says whether keypresses are sent over the WebSocket, `false` by default. The
 *   simulator's default is on (`FarEndOptions.dtmfDetection` says why): a keypress the platform
 *   does not detect is not sent and stops no speech.
 * - `loop` is how many times the media plays, by default once; `0` plays it 1,000 times, the
 *   most it plays ("Play media message": "A value of 0 plays it 1,000 times (maximum)"), so a
 *   larger `loop` plays 1,000 times too.
 *
 * What the documents leave to the platform, the simulator decides: its speech recognizer takes a
 * talk spurt of the caller's audio (above the call's `speechThresholdDbfs`) for one utterance, ended by {@linkcode ENDPOINT_MS} of silence,
 * and sends it as one final `prompt` ("utterance N"); its speech synthesizer speaks each token at
 * {@linkcode MS_PER_CHARACTER} a character, queued as it arrives behind the speech before it (a
 * talk cycle not `preemptible` plays out before the next begins); `play` sounds one second
 * per loop (the URL is not fetched). A barge-in is judged by the `interruptible` of the cycle
 * being heard, and `interrupt` tells what was heard of that cycle: of a text cycle its text and
 * its own speech, not a `play` heard in its midst.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import { addVoice } from "../_voice.ts";
import { TalkSpurtDetector } from "../_talk_spurts.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { hexId, type Json } from "./_json_events.ts";

/** Silence that ends an utterance for the simulated recognizer. */
export const ENDPOINT_MS = 300;
/** How long the simulated synthesizer takes to speak one character. */
export const MS_PER_CHARACTER = 60;

const RATE = 8000;
/** `simulateCall`'s default `speechThresholdDbfs`, for a context that does not give one. */
const DEFAULT_SPEECH_THRESHOLD_DBFS = -45;
const INTERRUPTIBLE = ["none", "dtmf", "speech", "any"] as const;
type Interruptible = typeof INTERRUPTIBLE[number];
/** "Send digits message": "Must only contain the characters 0-9, w, #, and *". */
const DIGITS = /^[0-9*#w]+$/;
/** Invalid messages in a row after which the platform closes the session ("Handling errors"). */
const INVALID_LIMIT = 10;
/** How long the simulated media of a `play` lasts, each loop. */
const MEDIA_LOOP_MS = 1000;
/** The most loops a `play` plays, and what `loop: 0` asks ("Play media message", "loop"). */
const MAX_LOOPS = 1000;

/** One talk cycle's speech: what it says and how much of it is queued to play. */
interface TalkCycle {
  text: string;
  queuedMs: number;
  interruptible: Interruptible;
  preemptible: boolean;
  ended: boolean;
}

/**
 * One stretch of a talk cycle's speech in the playout queue. A text cycle's speech lies in more
 * than one when a `play` came in its midst: the queue plays in the order the speech came.
 */
interface QueuedSpeech {
  cycle: TalkCycle;
  ms: number;
  /** How much of the cycle's speech was queued before this stretch. */
  cycleOffsetMs: number;
}

/** Which platform's copy of ConversationRelay to be. */
export type ConversationRelayPlatform = "twilio" | "telnyx";

/** The platform's side of a ConversationRelay session. */
export class ConversationRelayFarEnd implements FarEnd {
  readonly protocol: string;
  readonly caller = { sampleRate: RATE, frameMs: 20 } as const;
  readonly playbackRate = RATE;
  readonly #platform: ConversationRelayPlatform;
  readonly #options: FarEndOptions;
  readonly #callId: string;
  /** `dtmfDetection`: whether the caller's keypresses reach the bot. */
  readonly #dtmfDetection: boolean;
  #context!: FarEndContext;
  #recognizer!: TalkSpurtDetector;
  #utterances = 0;
  #lang = "en-US";
  /** The text talk cycle begun last: the bot's next text joins it while it is open. */
  #openText: TalkCycle | null = null;
  /**
   * The speech queued since the last clear, oldest first, each stretch with its cycle: one not
   * `preemptible` plays to its end before the next begins, so the cycle being heard may be older
   * than `#openText`.
   */
  #queued: QueuedSpeech[] = [];
  #invalidInARow = 0;

  constructor(options: FarEndOptions, platform: ConversationRelayPlatform = "twilio") {
    this.#platform = platform;
    this.protocol = platform === "twilio" ? "conversationrelay" : "telnyx-conversationrelay";
    this.#options = options;
    // Read as the far end is made: the command line refuses the option where nothing reads it.
    this.#dtmfDetection = options.dtmfDetection ?? true;
    this.#callId = options.callId ??
      (platform === "twilio" ? hexId("CA") : `v3:${hexId("", 40)}`);
  }

  open(context: FarEndContext): void {
    this.#context = context;
    this.#recognizer = new TalkSpurtDetector({
      sampleRate: RATE,
      // The caller's speech as the call's report finds it: a threshold raised above the caller's
      // background noise must not leave the recognizer hearing one endless utterance.
      thresholdDbfs: context.speechThresholdDbfs ?? DEFAULT_SPEECH_THRESHOLD_DBFS,
      hangoverMs: ENDPOINT_MS,
      originMs: 0,
      onChange: (change) => change === "start" ? this.#callerSpeaks() : this.#prompt(),
    });
    context.send(JSON.stringify(this.#setup()));
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#recognizer.push(samples);
  }

  /**
   * A keypress over speech that takes one (`interruptible` `dtmf` or `any`) stops it, and the bot
   * is told of the key by its `dtmf` message only (with `dtmfDetection` on; off, neither):
   * Twilio's "Interrupt message" is sent "when the caller interrupts TTS playback by speaking"
   * (websocket-messages, "Getting messages from Twilio"), and the `interruptible` it names is
   * what "dtmf" refines (changelog 2025-04-01).
   */
  sendDtmf(digit: string): boolean | "undetected" {
    // Undetected, the key is the caller's alone: the call counts it as not detected, the
    // setting's doing, not as one the protocol cannot carry.
    if (!this.#dtmfDetection) return "undetected";
    const heard = this.#beingHeard();
    if (heard !== null && allows(heard.cycle.interruptible, "dtmf")) this.#clear();
    this.#send({ type: "dtmf", digit });
    return true;
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // the platform closes the socket: no message says so
  }

  receive(data: string | Uint8Array): void {
    if (typeof data !== "string") {
      return this.#invalid(
        "conversationrelay.binary-message",
        `a binary message of ${counted(data.length, "byte")}: ConversationRelay carries no audio`,
      );
    }
    let message: Json;
    try {
      message = JSON.parse(data);
    } catch {
      return this.#invalid("conversationrelay.invalid-message", `not JSON: ${data.slice(0, 60)}`);
    }
    const problem = validate(message);
    if (problem !== null) return this.#invalid("conversationrelay.invalid-message", problem);
    this.#invalidInARow = 0;
    switch (message.type) {
      case "text":
        return this.#text(message);
      case "play":
        return this.#play(message);
      case "sendDigits":
        return this.#context.note("conversationrelay sendDigits");
      case "language":
        if (typeof message.transcriptionLanguage === "string") {
          this.#lang = message.transcriptionLanguage;
        }
        return this.#context.note("conversationrelay language");
      case "end": {
        // The handoff data is the bot's own text: as `info` it is capped, quoted and its control
        // characters escaped (_ending_words.ts), and an aggregate groups calls without it.
        const options = typeof message.handoffData === "string"
          ? { info: message.handoffData }
          : {};
        return this.#context.endCall("bot", "the bot ended the session", options);
      }
    }
  }

  #setup(): Json {
    const common = {
      type: "setup",
      from: this.#options.from ?? "+15550100001",
      to: this.#options.to ?? "+15550100002",
      direction: "inbound",
      callerName: "",
      customParameters: this.#options.customParameters ?? {},
    };
    if (this.#platform === "twilio") {
      return {
        ...common,
        sessionId: this.#options.streamId ?? hexId("VX"),
        accountSid: hexId("AC"),
        parentCallSid: "",
        callSid: this.#callId,
        forwardedFrom: "",
        callType: "PSTN",
        callStatus: "RINGING",
      };
    }
    return {
      ...common,
      sessionId: this.#options.streamId ?? crypto.randomUUID(),
      accountSid: crypto.randomUUID(),
      callSid: this.#callId,
      callControlId: this.#callId,
      callSessionId: crypto.randomUUID(),
      callLegId: crypto.randomUUID(),
      callStatus: "active",
    };
  }

  /**
   * The recognizer heard the caller start: speech over the cycle being heard stops it if it
   * allows, and `interrupt` tells the bot what was heard of it.
   */
  #callerSpeaks(): void {
    const heard = this.#beingHeard();
    if (heard !== null && allows(heard.cycle.interruptible, "speech")) this.#interrupt(heard);
  }

  /** The recognizer heard the caller stop: one final transcript. */
  #prompt(): void {
    this.#send({
      type: "prompt",
      voicePrompt: `utterance ${++this.#utterances}`,
      lang: this.#lang,
      last: true,
    });
  }

  #text(message: Json): void {
    const open = this.#openText;
    const cycle = open !== null && !open.ended ? open : this.#newCycle(message);
    this.#openText = cycle;
    cycle.text += message.token as string;
    this.#speak(cycle, (message.token as string).length * MS_PER_CHARACTER);
    if (message.last === true) cycle.ended = true;
  }

  /**
   * A `play` is a whole talk cycle with its own flags (Twilio's "Play media message" carries its
   * own `interruptible` and `preemptible`, and no `last`), even in the midst of an open text
   * cycle: that cycle stays open, so the rest of its tokens neither begin a cycle of their own
   * nor preempt the speech before them.
   */
  #play(message: Json): void {
    const loop = message.loop as number | undefined;
    const loops = loop === undefined ? 1 : loop === 0 ? MAX_LOOPS : Math.min(loop, MAX_LOOPS);
    const cycle = this.#newCycle(message);
    cycle.ended = true;
    this.#speak(cycle, loops * MEDIA_LOOP_MS, mediaClip(), loops);
    this.#context.note("conversationrelay play");
  }

  /** A talk cycle begins: the preemptible ones still to be heard give way to it. */
  #newCycle(message: Json): TalkCycle {
    this.#preempt();
    // Only the speech still playing is kept: a long call's replies do not pile up.
    if (this.#beingHeard() === null) this.#queued = [];
    return {
      text: "",
      queuedMs: 0,
      interruptible: interruptibleOf(message.interruptible) ?? "any",
      preemptible: message.preemptible === true,
      ended: false,
    };
  }

  /**
   * A new talk cycle begins: the cycles still to be heard that are `preemptible` give way to it,
   * and only those. Twilio's "Text tokens message" and "Play media message" set `preemptible` per
   * talk cycle, for *that* cycle's speech (its changelog of 2025-04-01: whether "the TTS of the
   * current talk cycle can allow text tokens from the subsequent talk cycle to interrupt"); a
   * cycle not `preemptible` queued ahead of it plays on. The preemptible cycles' speech is
   * dropped where it lies in the queue (`dropQueued`), the rest playing on as queued: the
   * platform's own rule, not a clear of the bot's, and the speech kept is neither cut nor queued
   * again.
   */
  #preempt(): void {
    const heard = this.#beingHeard(); // from here on `#queued` holds only what is still to play
    // Only a cycle that is over gives way: a text cycle still open (no `last: true` yet) does not
    // give way to a `play` sent in its midst, the rest of its tokens being still to come.
    const givesWay = (cycle: TalkCycle) => cycle.preemptible && cycle.ended;
    if (heard === null || !this.#queued.some(({ cycle }) => givesWay(cycle))) return;
    const still = this.#queued.map((speech, i) => ({
      speech,
      unplayedMs: i === 0 ? speech.ms - heard.heardInStretchMs : speech.ms,
    }));
    this.#queued = [];
    for (const { speech } of still) if (!givesWay(speech.cycle)) this.#queued.push(speech);
    const context = this.#context;
    // Where the speech begins in the queue: counted from its end, as `#beingHeard` counts.
    const stillMs = still.reduce((sum, { unplayedMs }) => sum + unplayedMs, 0);
    let atMs = Math.max(0, context.queuedMs() - stillMs);
    for (const { speech, unplayedMs } of still) {
      // What follows a dropped stretch moves up into its place: `atMs` stays where it began.
      if (givesWay(speech.cycle)) context.dropQueued(atMs, atMs + unplayedMs);
      else atMs += unplayedMs;
    }
  }

  /** Queues `ms` of the cycle's speech: `samples` (by default its voice), `times` over. */
  #speak(cycle: TalkCycle, ms: number, samples: Int16Array = voice(ms), times = 1): void {
    this.#queued.push({ cycle, ms, cycleOffsetMs: cycle.queuedMs });
    cycle.queuedMs += ms;
    this.#context.play(samples, times);
  }

  /**
   * The cycle the caller is hearing and how much of its speech they have heard, or `null` when
   * nothing plays. What is still queued is the end of the speech queued last: counted back from
   * the newest, the stretch it reaches into is the one being heard; those before it have played
   * out.
   */
  #beingHeard(): { cycle: TalkCycle; heardMs: number; heardInStretchMs: number } | null {
    let unplayedMs = this.#context.queuedMs();
    if (unplayedMs <= 0) return null;
    for (let i = this.#queued.length - 1; i >= 0; i--) {
      const speech = this.#queued[i]!;
      if (unplayedMs > speech.ms && i > 0) {
        unplayedMs -= speech.ms;
        continue;
      }
      this.#queued.splice(0, i); // played out: no barge-in will reach them again
      const heardInStretchMs = Math.max(0, speech.ms - unplayedMs);
      return {
        cycle: speech.cycle,
        heardMs: speech.cycleOffsetMs + heardInStretchMs,
        heardInStretchMs,
      };
    }
    return null;
  }

  /**
   * Drops all the speech queued: the cycles it belonged to are over, and so is the open text
   * cycle, whose speech may all have played out before a `play` sent in its midst was cut: the
   * bot's next token begins a new cycle with its own flags, not the rest of the one cut short.
   */
  #clear(): void {
    this.#context.clear();
    for (const { cycle } of this.#queued) cycle.ended = true;
    if (this.#openText !== null) this.#openText.ended = true;
    this.#queued = [];
  }

  /** Stops the speech and tells the bot how much of the cycle being heard was heard. */
  #interrupt({ cycle, heardMs }: { cycle: TalkCycle; heardMs: number }): void {
    this.#clear();
    const spoken = cycle.text.slice(0, Math.floor(heardMs / MS_PER_CHARACTER));
    this.#send({
      type: "interrupt",
      utteranceUntilInterrupt: spoken,
      durationUntilInterruptMs: Math.round(heardMs),
    });
  }

  #invalid(rule: string, detail: string): void {
    this.#context.violation(rule, detail);
    this.#send({ type: "error", description: `Invalid message received: ${detail}` });
    if (++this.#invalidInARow >= INVALID_LIMIT) {
      // The platform's hang-up, on the bot's rule: what the caller had still to say is the bot's.
      this.#context.endCall("caller", `${INVALID_LIMIT} invalid messages in a row`, {
        brokenRule: rule,
      });
    }
  }

  #send(message: Json): void {
    this.#context.send(JSON.stringify(message));
  }
}

/** Why `message` is not one the platform takes, or `null`. */
function validate(message: unknown): string | null {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return "not a JSON object";
  }
  const m = message as Json;
  const optional = (key: string, type: string) =>
    m[key] === undefined || typeof m[key] === type ? null : `${m.type}.${key} is not a ${type}`;
  // Speech the bot sends, `text` or `play`, says who may cut it short in the same words.
  const interruptible = () =>
    m.interruptible === undefined || interruptibleOf(m.interruptible)
      ? null
      : `${m.type}.interruptible is not none, dtmf, speech, any or a boolean`;
  switch (m.type) {
    case "text":
      if (typeof m.token !== "string") return "text without a string token";
      return optional("last", "boolean") ?? optional("lang", "string") ??
        optional("preemptible", "boolean") ?? interruptible();
    case "play":
      if (typeof m.source !== "string") return "play without a source URL";
      // "Required. Must contain a valid URL." ("Play media message"): a relative path is none.
      if (!isUrl(m.source)) return "play.source is not a URL";
      // "Optional, integer value" ("Play media message"); TwiML's `<Play>` "loop" adds ">= 0".
      if (m.loop !== undefined && !(Number.isInteger(m.loop) && (m.loop as number) >= 0)) {
        return "play.loop is not a whole number of times, 0 or more";
      }
      return optional("preemptible", "boolean") ?? interruptible();
    case "sendDigits":
      return typeof m.digits === "string" && DIGITS.test(m.digits)
        ? null
        : "sendDigits.digits is not a string of 0-9, *, # and w";
    case "language":
      if (m.ttsLanguage === undefined && m.transcriptionLanguage === undefined) {
        return "language without ttsLanguage or transcriptionLanguage";
      }
      return optional("ttsLanguage", "string") ?? optional("transcriptionLanguage", "string");
    case "end":
      return optional("handoffData", "string");
    default:
      return `unknown type: ${JSON.stringify(m.type)}`;
  }
}

/** Whether `text` parses as an absolute URL. */
function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function interruptibleOf(value: unknown): Interruptible | undefined {
  if (value === true) return "any";
  if (value === false) return "none";
  return INTERRUPTIBLE.find((v) => v === value);
}

/** `ms` of the simulated synthesizer's voice. */
function voice(ms: number): Int16Array {
  const samples = new Int16Array(Math.round((RATE * ms) / 1000));
  addVoice(samples, 0, samples.length, RATE, { phase: 0, total: samples.length, peak: 0.3 });
  return samples;
}

/**
 * One loop of the simulated media of a `play`. Queued by reference once per `play`, `loops`
 * times over (`context.play(clip, loops)`), never copied per loop: a `loop: 0` hold music is
 * 1,000 loops, 16 MB at 8 kHz as one array, held per call until it plays or is dropped.
 */
function mediaClip(): Int16Array {
  return voice(MEDIA_LOOP_MS);
}

function allows(interruptible: Interruptible, by: "speech" | "dtmf"): boolean {
  return interruptible === "any" || interruptible === by;
}
