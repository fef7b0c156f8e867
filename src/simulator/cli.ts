/**
 * The simulator's command line: call a bot as a telephony platform would, print a progress
 * line while the call runs and the report at the end.
 *
 * ```sh
 * deno run -A jsr:@x/ws-transport/simulate --protocol twilio --audio caller.wav \
 *   --record heard.wav ws://127.0.0.1:8000/phone
 * # From a checkout, against the demo (`npm start`): its echo line, delayed 2 s so that what the
 * # caller hears back is an answer (undelayed, each "answer" starts before the words it echoes).
 * npm run simulate -- --protocol raw --calls 5 "ws://127.0.0.1:8000/ws?delay_ms=2000"
 * ```
 *
 * The only file of the simulator that uses Deno's APIs (files, arguments, signals, the
 * terminal); the library itself is web standards only.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { RESAMPLER_RATES } from "../audio/resampler.ts";
import { systemClock } from "../clock.ts";
import { isKeypadDigit } from "../_keypad_digits.ts";
import { resolveCallOptions, speechThreshold } from "./_call_options.ts";
import { CtrlC } from "./_ctrl_c.ts";
import { FLAG_NAMES } from "./_gate_names.ts";
import { IDLE_CONTEXT } from "./_idle_context.ts";
import { judgeCallNaming } from "./_judge_call.ts";
import { ProgressLine } from "./_progress_line.ts";
import { simulateCallNaming } from "./_simulate_call.ts";
import { assertSpeechSegments, assertSpeechSegmentsWithin } from "./_speech_segments.ts";
import { assertWebSocketUrl } from "./_websocket_url.ts";
import { aggregateReports } from "./aggregate_reports.ts";
import type { CallFailureReason } from "./call_verdict.ts";
import { CallerAudio, type SpeechSegment } from "./caller_audio.ts";
import type { FarEnd, FarEndFactory, FarEndOptions } from "./far_end.ts";
import { FAR_ENDS } from "./far_ends.ts";
import { formatReport } from "./format_report.ts";
import type { CallReport } from "./report.ts";
import type { SimulateCallOptions } from "./simulate_call.ts";
import { syntheticCaller } from "./synthetic_caller.ts";
import { orList } from "../_or_list.ts";

/**
 * The most calls one run makes (`--calls`). One process runs every call on one thread: at 300
 * real-time Twilio calls it already used half a core (BENCHMARKS.md, "Simulated Twilio calls"),
 * so far past this the caller's own frames go out late and the report measures the simulator,
 * not the bot; and a mistyped count (`--calls 100000`) opened that many sockets at once, each
 * call's buffers with them, before anything could be reported. More load: more processes.
 */
const MAX_CALLS = 1000;

/**
 * The exit status of a run the simulator itself failed (an exception of its own, not bad usage):
 * apart from 1 (a call failed: the bot's doing, as CI reads it) and 2 (bad usage: the user's),
 * so that neither is blamed for the simulator's bug.
 */
const INTERNAL_ERROR = 3;

/** How wide a line of {@linkcode HELP} is at most: a terminal's 100 columns. */
const HELP_WIDTH = 99;
/** Where the help's descriptions start: after `  -p, --protocol NAME       `. */
const HELP_INDENT = 28;

/**
 * `text` wrapped at spaces to the help's description column, its first line after a flag's
 * name: the protocols, listed from `FAR_ENDS`, ran on in one line of 209 characters, which a
 * terminal breaks anywhere, under the flags' column.
 */
function helpColumn(text: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && HELP_INDENT + line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(HELP_INDENT)}`);
}

const HELP =
  `Call a voice bot's WebSocket as a telephony platform would, and report what the caller lived.

Usage: simulate [options] <ws-url>

  -p, --protocol NAME       ${helpColumn(`${Object.keys(FAR_ENDS).join(", ")} (default: twilio)`)}
  -a, --audio FILE          what the caller says: a WAV file (default: a synthetic caller)
      --pcm-rate HZ         read --audio as raw PCM16 (little-endian, mono) at this rate
                            instead of WAV
      --segments LIST       where the speech is in the audio, in ms: 500-1700,4000-5200
                            (one utterance each, none overlapping; default: found by an
                            energy detector)
  -r, --record FILE         write a stereo WAV: left the caller, right what the caller heard
                            (with --calls N: FILE-1.wav … FILE-N.wav; at --speed 1 only)
      --speed N             send the caller's audio N times real time, or "max" (default: 1);
                            the silence after it always goes in real time; at max the
                            utterances' latencies are not measured (all end at once)
      --speech-threshold DB sound above this RMS level (dBFS) is speech, the caller's and the
                            bot's (default: -45); raise it above a bot's background audio
      --dtmf LIST           keypad presses as DIGIT@MS, MS a time of the caller's audio:
                            1@2000,#@4500 (digits 0-9, *, #, A-D; vonage and pipecat carry no
                            A-D, raw and freeswitch none)
      --hang-up-at MS       hang up at this time of the caller's audio
      --wait-for-bot        never hang up: wait for the bot to end the call (a call that
                            reaches --max-duration instead exits 1)
      --linger MS           after the audio ends, hang up once the bot is quiet this long
                            (default: 3000; not with --hang-up-at or --wait-for-bot)
      --max-duration MS     end the call after this long (default: 300000)
      --connect-timeout MS  fail a call whose WebSocket has not opened within MS (default:
                            10000; --max-duration bounds it too)
      --max-underrun-total MS
                            exit 1 when a call's caller heard more than MS of underruns in all
                            (gaps in the bot's replies: the report's "underruns"); the bot
                            transport's own count is not seen from here (another process)
      --max-underrun MS     a silence of the bot's up to MS long, between two of its sounds,
                            is an underrun (a gap the caller heard inside a reply); a longer
                            one ends the reply (default: 1000)
      --early MS            bot audio that arrives with more than MS already queued ahead of it
                            counts as early (default: 1000)
      --require-answer      exit 1 when the bot left any of the caller's utterances unanswered
                            (the report's "responses N/M answered"): those the audio held but
                            the caller never said because the bot hung up first, or made the
                            platform hang up by breaking its rules, count ("2 not reached: the
                            bot hung up at 0.30 s"); hanging up after answering the last one
                            passes; those --hang-up-at or --max-duration left unsaid are counted
                            apart ("1 left unsaid"), not against the bot, as is one they cut
                            mid-sentence ("#2 cut short by the caller's hang-up"); a call in
                            which the caller said nothing (silent audio, speech under
                            --speech-threshold, a handshake the bot never completed) fails: it
                            checked nothing; not with --speed max
      --allow-unheard-goodbye
                            pass a call whose bot hung up over its own audio: by default one
                            the bot ended with more than 60 ms of its audio still unplayed at
                            the far end exits 1 ("the bot hung up with 1.98 s of its audio
                            unheard"); the caller's hang-up and a barge-in's clear never do
      --barge-in MS         speak over the bot MS into each of its answers
      --barge-in-for MS     …for this long (default: 1200)
      --barge-ins N         barge in on N answers at most (default: every answer, but not the
                            bot's answer to a barge-in: the caller listens to that)
  -n, --calls N             run N calls at once and print their aggregate report (1 to
                            ${MAX_CALLS}; default: 1)
      --ramp MS             with --calls 2 or more: spread the calls' starts over MS
                            (default: 0)
      --param KEY=VALUE     a custom parameter of the call (repeatable, each KEY once; raw and
                            pipecat carry none)
      --rate HZ             the platform's audio rate, where it offers a choice (vonage, plivo
                            with audio/x-l16, exotel, signalwire, jambonz, freeswitch, raw;
                            telnyx: its L16 playback rate; asterisk's rate comes with its
                            --encoding); a platform's one rate is taken too (-p genesys --rate
                            8000); a rate refused names the flags that give it, if any do
      --encoding NAME       the platform's encoding, where it offers a choice, its default
                            first (telnyx PCMU, PCMA, L16 or G722; plivo audio/x-l16 or
                            audio/x-mulaw; exotel audio/x-raw or audio/x-mulaw; asterisk ulaw,
                            alaw, g722, slin, slin12, slin16, slin24, slin32, slin44, slin48,
                            slin96 or slin192)
      --playback-encoding NAME
                            the encoding the platform plays the bot's audio in, where it is set
                            apart from --encoding (telnyx only: its bidirectional codec, PCMU,
                            the default, PCMA, L16 or G722; with L16, --rate is its rate)
      --dtmf-detection BOOL with --dtmf, ConversationRelay's dtmfDetection attribute: true sends
                            the caller's keypresses to the bot (the simulator's default), false
                            does not (Twilio's default)
      --no-input-variables  genesys only: an open without inputVariables, which AudioHook makes
                            optional (default: an empty inputVariables, as the Audio Connector
                            sends); a bot that takes such a session for a listen-only Monitor's
                            sends the caller no audio
      --call-id ID          the call's id (default: made up in the platform's format; raw and
                            pipecat carry none)
      --json                print the report as JSON instead of text
  -q, --quiet               no progress line
  -h, --help                this text

Exit status: 0 when every call connected, broke no platform rule, was not closed by the bot with
an error code (1011, 1013 and the other failures of RFC 6455 §7.4.1 and §11.7) nor ended by it as
a failure (Genesys: a disconnect with reason error or unauthorized), kept within
--max-underrun-total when given, had every utterance answered with --require-answer, was ended
by the bot before --max-duration with --wait-for-bot, was not hung up by the bot over its own
audio (unless --allow-unheard-goodbye), and had its --record file written; 1 otherwise; 2 for
bad usage; 3 when the simulator itself failed (an internal error, said on stderr: neither the
bot's fault nor the command line's); 130 when Ctrl-C cut a call short (before it ended, or
after, in the platform's closing handshake: Genesys waiting for "closed"; its verdict
"interrupted"), after the report of what happened until then; a Ctrl-C after every call ended
that cuts no handshake short (the caller only waits for the socket to close) leaves the status to
the calls' verdicts. The report's "result" line (in JSON, each call's "verdict") says whether each
call passed and every reason it failed.`;

/** Where call `index` (from 0) of `calls` is recorded: `FILE`, or `FILE-1.wav` … `FILE-N.wav`. */
function recordFile(record: string, calls: number, index: number): string {
  return calls === 1 ? record : record.replace(/(\.wav)?$/i, `-${index + 1}.wav`);
}

/** A number as the help writes one: decimal digits, perhaps a fraction (`1500`, `2.5`, `.5`). */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
/** A negative number, as a flag's value: `-30`, `-4.5`. */
const NEGATIVE_NUMBER = /^-(\d+(\.\d*)?|\.\d+)$/;

/**
 * `value` as a number when it is written as the help writes numbers ({@linkcode DECIMAL}, or a
 * negative one where `signed`), else NaN, which every flag refuses. `Number()` alone took what
 * no help offers and nobody means: `0x2`, `0b10`, `1e3`, `Infinity`, `+5`, spaces around, and an
 * empty value as 0 (`--calls 0x2` ran two calls, `--hang-up-at=` hung up at once).
 */
function decimal(value: string, signed = false): number {
  return DECIMAL.test(value) || (signed && NEGATIVE_NUMBER.test(value)) ? Number(value) : NaN;
}

/** Milliseconds from a flag value, more than `above`; throws a `RangeError` naming the flag. */
function millis(value: string | undefined, flag: string, above = -1): number | undefined {
  if (value === undefined) return undefined;
  const n = decimal(value);
  if (!Number.isFinite(n)) {
    throw new RangeError(`--${flag} must be milliseconds, got ${value}`);
  }
  if (n <= above) throw new RangeError(`--${flag} must be above ${above} ms, got ${value}`);
  return n;
}

/** A count from a flag value (a whole number, 0 or more); throws a `RangeError` naming the flag. */
function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = decimal(value);
  if (!Number.isInteger(n)) {
    throw new RangeError(`--${flag} must be a whole number, got ${value}`);
  }
  return n;
}

/** A sample rate from a flag value (a whole number of Hz above 0); throws naming the flag. */
function hertz(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = decimal(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`--${flag} must be a rate in Hz (a whole number above 0), got ${value}`);
  }
  return n;
}

/** `--speed`'s value: a number above 0, or `max`; throws naming the flag. */
function speedOf(value: string): number {
  if (value === "max") return Infinity;
  const n = decimal(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new RangeError(`--speed must be a number above 0 or max, got ${value}`);
  }
  return n;
}

/** `--speech-threshold`'s value: a level in dBFS above -100, at most 0; throws naming the flag. */
function thresholdOf(value: string): number {
  return speechThreshold(decimal(value, true), "--speech-threshold", value);
}

/**
 * The platform flags as the user typed them (`--rate 12345`), for those of `keys` that were
 * given: what a far end's error is about, when it read them.
 */
function platformFlags(platform: FarEndOptions, keys: ReadonlySet<PropertyKey>): string {
  return PLATFORM_FLAGS.filter(([key]) => platform[key] !== undefined && keys.has(key))
    .map(([key, flag]) => `--${flag} ${platform[key]}`).join(" ");
}

/**
 * What gives a refused `--rate` (`rate`), as the far end knows it (far_end.ts `optionsForRate`),
 * worded as the flags that set it: `; for 16000 Hz, use --encoding slin16 or --encoding g722`
 * (Asterisk, whose rate is its format's). Empty when the far end names no way.
 */
function rateHint(farEnd: FarEnd, rate: number): string {
  const ways = (farEnd.optionsForRate?.(rate) ?? []).map((options) =>
    PLATFORM_FLAGS.filter(([key]) => options[key] !== undefined)
      .map(([key, flag]) => `--${flag} ${options[key]}`).join(" ")
  ).filter((flags) => flags !== "");
  return ways.length === 0 ? "" : `; for ${rate} Hz, use ${ways.join(" or ")}`;
}

/**
 * {@linkcode rateHint} for a `--rate` the far end refused as it was made (Plivo's μ-law at
 * 16000 Hz): asked of the far end made with the same options but no rate, which knows the
 * settings that carry one. Empty when the rate was not read (not what was refused), when the far
 * end refuses the other options too, or when it names no way.
 */
function refusedRateHint(
  factory: FarEndFactory,
  platform: FarEndOptions,
  read: ReadonlySet<PropertyKey>,
): string {
  const rate = platform.sampleRate;
  if (rate === undefined || !read.has("sampleRate")) return "";
  const { sampleRate: _, ...others } = platform;
  let farEnd: FarEnd;
  try {
    farEnd = factory(others);
  } catch {
    return ""; // refused without the rate too: the other options are what is wrong
  }
  return rateHint(farEnd, rate);
}

/** The far-end options the command line sets, by the flag that sets each. */
const PLATFORM_FLAGS = [
  ["encoding", "encoding"],
  ["playbackEncoding", "playback-encoding"],
  ["sampleRate", "rate"],
  ["dtmfDetection", "dtmf-detection"],
] as const;

/**
 * `args` with each long option that takes a value and is followed by a negative number joined
 * into one argument (`--speech-threshold -30` → `--speech-threshold=-30`): node:util's parseArgs
 * refuses a value that starts with "-" as ambiguous, yet every speech threshold is a negative
 * level and the help writes it so. Nothing after `--` is touched.
 */
function joinNegativeValues(args: readonly string[], takesValue: ReadonlySet<string>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return [...joined, ...args.slice(i)];
    const next = args[i + 1];
    if (takesValue.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/**
 * Throws a `RangeError` when a flag that takes one value was given more than once (`--linger 500
 * --linger 900`, `-p raw --protocol twilio`): parseArgs keeps the last, and which wins is said
 * nowhere, so a flag typed again further along a long command line replaced the first without a
 * word, as a repeated `--param` key did. `--param` itself is repeatable (`multiple`), and a switch
 * given twice (`--json --json`) ignores nothing.
 */
function assertEachFlagOnce(tokens: readonly ParsedToken[]): void {
  const given = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.value === undefined) continue;
    const option = OPTIONS[token.name as keyof typeof OPTIONS];
    if ("multiple" in option) continue;
    const first = given.get(token.name);
    if (first !== undefined) {
      throw new RangeError(
        `--${token.name} given twice (${first}, then ${token.value}): give each flag once`,
      );
    }
    given.set(token.name, token.value);
  }
}

/** What parseArgs reads a command line as, one token per option, positional or `--`. */
type ParsedToken = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

/**
 * Makes the far end once, before any call, so that what it refuses (a rate the platform does not
 * take) is bad usage found first, named by the flags it read (`--rate 12345: …`): its own message
 * is the platform's rule, not the flag the user typed. Refuses an encoding or a rate given to a
 * platform that offers no choice of it (Twilio's encoding, Genesys's rate, …): its far end never
 * reads the option, and the call would run in the platform's own format as though it had been
 * taken; a rate equal to the one it runs at is taken (`-p genesys --rate 8000`). A refused rate
 * names the flags that give it where the far end knows some (`optionsForRate`: Asterisk's and
 * Plivo's encodings), and the platform's only rate where no setting changes it. And refuses
 * a caller rate the simulator cannot make the caller's audio at (FreeSWITCH at 40 kHz, raw PCM
 * at 12345 Hz): the call would fail as it starts, in terms of the resampler.
 */
function checkFarEnd(protocol: string, platform: FarEndOptions): FarEnd {
  const factory = FAR_ENDS[protocol];
  if (!factory) {
    throw new RangeError(
      `--protocol must be one of ${Object.keys(FAR_ENDS).join(", ")}, got ${protocol}`,
    );
  }
  const read = new Set<PropertyKey>();
  const watched = new Proxy(platform, {
    get(target, key, receiver) {
      read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  let farEnd: FarEnd;
  try {
    farEnd = factory(watched);
  } catch (error) {
    // The options read before it threw are the ones it refused (alone or together).
    const flags = platformFlags(platform, read);
    if (flags === "") throw error;
    throw new RangeError(
      `${flags}: ${(error as Error).message}${refusedRateHint(factory, platform, read)}`,
    );
  }
  // Options every far end reads as it is made, if it uses them at all.
  for (const [key, flag] of PLATFORM_FLAGS) {
    if (platform[key] === undefined || read.has(key)) continue;
    // A rate the far end never reads but runs at anyway, both ways, is taken: `-p genesys --rate
    // 8000` asks for what the call does, as `-p twilio --rate 8000` (read, for SignalWire's
    // choice) always was taken. Pipecat (16 kHz from the caller, 24 kHz to it) has no one rate.
    const { sampleRate: from } = farEnd.caller;
    const to = farEnd.playbackRate;
    if (key === "sampleRate" && platform.sampleRate === from && from === to) continue;
    // No option opens dtmfDetection on another platform, as one opens Telnyx's L16 playback rate:
    // "with these options" would send the user looking for one. Where it belongs is said instead.
    if (key === "dtmfDetection") {
      throw new RangeError(
        `--${flag} ${platform[key]}: ${protocol} offers no choice of it: it is ` +
          `ConversationRelay's (-p ${protocolsReading(key).join(" or ")})`,
      );
    }
    if (key !== "sampleRate") {
      // Nor does any open an encoding on a platform that reads none: "with these options" sent
      // the user looking for one (`-p twilio --encoding PCMA`). The platforms that take it, instead.
      throw new RangeError(
        `--${flag} ${platform[key]}: ${protocol} offers no choice of it: ` +
          `-p ${orList(protocolsReading(key))} takes --${flag}`,
      );
    }
    if (farEnd.optionsForRate === undefined) {
      // No setting of this platform's changes its rate: "with these options" would send the user
      // looking for one. Its rate is said as its only one.
      throw new RangeError(
        `--${flag} ${platform[key]}: ${protocol} offers no choice of it: ` +
          (from === to
            ? `its only rate is ${from} Hz`
            : `its only rates are ${from} Hz from the caller, ${to} Hz to it`),
      );
    }
    throw new RangeError(
      `--${flag} ${platform[key]}: ${protocol} offers no choice of it (with these options)` +
        (from === to
          ? `: its audio is ${from} Hz`
          : `: its audio is ${from} Hz from the caller, ${to} Hz to it`) +
        (rateHint(farEnd, platform.sampleRate!) ||
          `; no setting of ${protocol}'s gives ${platform.sampleRate} Hz`),
    );
  }
  // A switch of Genesys's open alone: elsewhere it would leave out nothing, the call running as
  // though it had been taken. The platforms that read it (as they are made) are named instead.
  if (platform.inputVariables !== undefined && !read.has("inputVariables")) {
    throw new RangeError(
      `--no-input-variables: ${protocol} sends no inputVariables: ` +
        `-p ${orList(protocolsReading("inputVariables"))} does`,
    );
  }
  // A call id and custom parameters may first be read in the opening messages: opened once
  // against a context that goes nowhere, a far end that never reads them (raw PCM, pipecat)
  // carries none, and the call would run as though they had been taken.
  if (platform.callId !== undefined || platform.customParameters !== undefined) {
    factory(watched).open(IDLE_CONTEXT);
    if (platform.callId !== undefined && !read.has("callId")) {
      throw new RangeError(`--call-id ${platform.callId}: ${protocol} carries no call id`);
    }
    if (platform.customParameters !== undefined && !read.has("customParameters")) {
      throw new RangeError(`--param: ${protocol} carries no custom parameters`);
    }
  }
  const rate = farEnd.caller.sampleRate;
  if (!RESAMPLER_RATES.includes(rate)) {
    // CallerAudio reads audio at these rates and resamples it to the platform's, only to these.
    const flags = platformFlags(platform, read);
    throw new RangeError(
      `${flags === "" ? "" : `${flags}: `}the simulator makes the caller's audio at ` +
        `${RESAMPLER_RATES.join(", ")} Hz, not at ${protocol}'s ${rate} Hz`,
    );
  }
  return farEnd;
}

/**
 * The protocols whose far end reads `key` of its options as it is made, given no other: where a
 * flag refused elsewhere belongs, read from the far ends rather than listed again here.
 */
function protocolsReading(key: keyof FarEndOptions): string[] {
  return Object.entries(FAR_ENDS).filter(([, factory]) => {
    let read = false;
    factory(new Proxy({}, { get: (_, name) => void (read ||= name === key) }));
    return read;
  }).map(([name]) => name);
}

/**
 * `file` as an error names it: a relative name with the path it was taken as. `npm run simulate`
 * and `deno task simulate` run in the checkout's root, not in the shell's directory, so a
 * `caller.wav` the user can see beside them may not be the one that was looked for.
 */
function fileNamed(file: string): string {
  if (isAbsolute(file)) return file;
  try {
    return `${file} (${resolve(file)})`;
  } catch {
    return file; // no read permission, which the working directory needs: the name as typed
  }
}

/**
 * Throws a `TypeError` when `file` cannot be written, leaving it as it was: an existing file is
 * opened without truncating it (its old recording stays until the call has a new one), a missing
 * one is created and removed again.
 */
function checkWritable(file: string): void {
  try {
    try {
      Deno.openSync(file, { write: true, createNew: true }).close();
      Deno.removeSync(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      Deno.openSync(file, { write: true }).close();
    }
  } catch (error) {
    throw new TypeError(`--record: cannot write ${fileNamed(file)}: ${(error as Error).message}`);
  }
}

/**
 * Whether `a` and `b` name one file: by its device and inode where the system gives them (a
 * link, `./x.wav` beside `x.wav`), else by the path each resolves to. False when `a` does not
 * exist yet.
 */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [Deno.statSync(a), Deno.statSync(b)];
    if (x.ino !== null && y.ino !== null) return x.dev === y.dev && x.ino === y.ino;
    return resolve(a) === resolve(b);
  } catch {
    return false; // `a` not there (nothing to overwrite), or not to be looked at
  }
}

function parseSegments(text: string): SpeechSegment[] {
  const segments = text.split(",").map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match) throw new RangeError(`--segments takes START-END,… in ms, got ${part}`);
    const segment = { startMs: Number(match[1]), endMs: Number(match[2]) };
    if (!(segment.endMs > segment.startMs)) {
      throw new RangeError(`--segments: each START-END ends after it starts, got ${part}`);
    }
    return segment;
  });
  // Overlapping ones are refused by simulateCall too, but named here by the flag the user typed.
  assertSpeechSegments(segments, `--segments ${text}`);
  return segments;
}

/**
 * `--param`'s pairs as the call's custom parameters. A key given twice is refused: the call
 * carries one value for it, and which one would be taken (the last) was said nowhere, so a
 * parameter typed again further along a long command line silently replaced the first.
 */
function parseParams(pairs: readonly string[]): Record<string, string> {
  const parameters = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new RangeError(`--param takes KEY=VALUE, got ${pair}`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (parameters.has(key)) {
      throw new RangeError(
        `--param ${key} given twice (${key}=${parameters.get(key)}, then ${pair}): give each ` +
          `key once`,
      );
    }
    parameters.set(key, value);
  }
  return Object.fromEntries(parameters);
}

/** The bytes of `--audio`'s file; throws a `TypeError` naming the flag when it cannot be read. */
async function readAudio(file: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(file);
  } catch (error) {
    throw new TypeError(`--audio: cannot read ${fileNamed(file)}: ${(error as Error).message}`);
  }
}

function parseDtmf(text: string): { atMs: number; digit: string }[] {
  return text.split(",").map((part) => {
    const match = /^\s*([^@\s]+)@(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match || !isKeypadDigit(match[1]!)) {
      throw new RangeError(`--dtmf takes DIGIT@MS,…, got ${part}`);
    }
    return { digit: match[1]!, atMs: Number(match[2]) };
  });
}

/** The command line's options, as node:util's parseArgs reads them. */
const OPTIONS = {
  protocol: { type: "string", short: "p", default: "twilio" },
  audio: { type: "string", short: "a" },
  "pcm-rate": { type: "string" },
  segments: { type: "string" },
  record: { type: "string", short: "r" },
  speed: { type: "string" },
  dtmf: { type: "string" },
  "speech-threshold": { type: "string" },
  "hang-up-at": { type: "string" },
  "wait-for-bot": { type: "boolean" },
  "require-answer": { type: "boolean" },
  "allow-unheard-goodbye": { type: "boolean" },
  linger: { type: "string" },
  "max-duration": { type: "string" },
  "max-underrun-total": { type: "string" },
  "max-underrun": { type: "string" },
  early: { type: "string" },
  "connect-timeout": { type: "string" },
  "barge-in": { type: "string" },
  "barge-in-for": { type: "string" },
  "barge-ins": { type: "string" },
  // No default here: --ramp needs to know whether --calls was given (main() reads 1 for none).
  calls: { type: "string", short: "n" },
  ramp: { type: "string" },
  param: { type: "string", multiple: true },
  rate: { type: "string" },
  "dtmf-detection": { type: "string" },
  "no-input-variables": { type: "boolean" },
  encoding: { type: "string" },
  "playback-encoding": { type: "string" },
  "call-id": { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * The failures of the gates, which the run also says on stderr: the opt-in ones, and the one
 * `--allow-unheard-goodbye` turns off.
 */
const GATES: ReadonlySet<CallFailureReason> = new Set([
  "underruns",
  "unanswered",
  "bot-never-ended",
  "unheard-goodbye",
]);

/** The long options that take a value (`--speech-threshold`, …), as they are written. */
const TAKES_VALUE: ReadonlySet<string> = new Set(
  Object.entries(OPTIONS).filter(([, o]) => o.type === "string").map(([name]) => `--${name}`),
);

/**
 * Runs the command line with `args` (without the program name) and returns the exit status:
 * 0 when every call passed (as `--help` says: connected, broke no platform rule, not closed by
 * the bot with an error code nor ended by it as a failure, within `--max-underrun-total`, every
 * utterance answered with `--require-answer`, ended by the bot with `--wait-for-bot`, not hung up
 * by the bot over its own audio unless `--allow-unheard-goodbye`, recorded),
 * 1 otherwise, 2 for bad usage, 3 when the simulator itself failed (an internal error: an
 * exception of its own, said on stderr, never the bot's fault nor the usage's), 130 when Ctrl-C
 * cut a call short (its verdict `interrupted`: before it ended, or in the platform's closing
 * handshake after; one that cuts nothing short changes nothing). Prints the report (text, or JSON
 * with `--json`) to stdout and the progress line to stderr.
 *
 * @example Asking for help
 * ```ts
 * import { main } from "@x/ws-transport/simulate";
 * import assert from "node:assert/strict";
 *
 * const log = console.log;
 * console.log = () => {};
 * try {
 *   assert.equal(await main(["--help"]), 0);
 * } finally {
 *   console.log = log;
 * }
 * ```
 */
export async function main(args: string[]): Promise<number> {
  try {
    return await run(args);
  } catch (error) {
    // Bad usage was refused inside (2), and a call never rejects for the bot's faults: what
    // throws is the simulator's own fault, neither the user's (2) nor a call's that failed (1),
    // which a CI job would read as the bot's.
    sayOnStderr(
      `simulate: internal error (the simulator's own fault, not the bot's nor the command ` +
        `line's): ${(error as Error)?.stack ?? error}`,
    );
    return INTERNAL_ERROR;
  }
}

/** {@linkcode main}, but for the simulator's own faults, which it throws. */
async function run(args: string[]): Promise<number> {
  let options: SimulateCallOptions;
  let url: string;
  let calls: number;
  let rampMs: number;
  let record: string | undefined;
  let underrunBoundMs: number | undefined;
  let maxDurationMs: number;
  let values;
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(args, TAKES_VALUE),
      allowPositionals: true,
      options: OPTIONS,
      tokens: true,
    });
    values = parsed.values;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    assertEachFlagOnce(parsed.tokens);
    if (parsed.positionals.length !== 1) {
      // A flag given no value takes the URL after it as its own (`--linger ws://…`): say so.
      const taken = Object.entries(values).find(([, value]) =>
        typeof value === "string" && /^wss?:\/\//i.test(value)
      );
      throw new RangeError(
        "give exactly one WebSocket URL" +
          (taken === undefined || parsed.positionals.length > 0
            ? ""
            : ` (--${taken[0]} took ${taken[1]} as its value: give the flag its value first)`),
      );
    }
    url = parsed.positionals[0]!;
    // One no WebSocket can be made for is bad usage too, not a call that failed to connect; the
    // same URLs as simulateCall takes (_websocket_url.ts).
    assertWebSocketUrl(url, "the URL");
    calls = decimal(values.calls ?? "1");
    if (!Number.isInteger(calls) || calls < 1 || calls > MAX_CALLS) {
      throw new RangeError(
        `--calls must be a whole number from 1 to ${MAX_CALLS}, got ${values.calls}`,
      );
    }
    rampMs = millis(values.ramp, "ramp") ?? 0;
    // Flags one of which would be silently ignored are refused, as --pcm-rate without --audio is.
    if (values.ramp !== undefined && values.calls === undefined) {
      throw new RangeError("--ramp needs --calls (it spreads the starts of several calls)");
    }
    // One call has no starts to spread: the ramp would be ignored without a word.
    if (values.ramp !== undefined && calls === 1) {
      throw new RangeError(
        "--ramp needs --calls 2 or more (it spreads the starts of several calls)",
      );
    }
    record = values.record;
    const platform: FarEndOptions = {};
    if (values.param) platform.customParameters = parseParams(values.param);
    const rate = hertz(values.rate, "rate");
    if (rate !== undefined) platform.sampleRate = rate;
    if (values.encoding !== undefined) platform.encoding = values.encoding;
    if (values["playback-encoding"] !== undefined) {
      platform.playbackEncoding = values["playback-encoding"];
    }
    const detection = values["dtmf-detection"];
    if (detection !== undefined) {
      // The TwiML attribute's own words: `dtmfDetection="true"`.
      if (detection !== "true" && detection !== "false") {
        throw new RangeError(`--dtmf-detection must be true or false, got ${detection}`);
      }
      platform.dtmfDetection = detection === "true";
    }
    if (values["no-input-variables"]) platform.inputVariables = false;
    if (values["call-id"] !== undefined) {
      // An empty one would go out as the call's id (`"callSid": ""`), which no platform sends.
      if (values["call-id"] === "") throw new RangeError("--call-id must not be empty");
      platform.callId = values["call-id"];
    }
    options = { protocol: values.protocol, platform, record: record !== undefined };
    const pcmRate = hertz(values["pcm-rate"], "pcm-rate");
    if (values.audio !== undefined) {
      const bytes = await readAudio(values.audio);
      options.audio = pcmRate === undefined ? bytes : { pcm: bytes, sampleRate: pcmRate };
    } else if (pcmRate !== undefined) {
      // Nothing to read at that rate: the synthetic caller would speak, as though it were taken.
      throw new RangeError("--pcm-rate needs --audio");
    }
    if (values.segments !== undefined) options.speechSegments = parseSegments(values.segments);
    if (values.speed !== undefined) options.speed = speedOf(values.speed);
    if (values.dtmf !== undefined) options.dtmf = parseDtmf(values.dtmf);
    if (values["speech-threshold"] !== undefined) {
      options.speechThresholdDbfs = thresholdOf(values["speech-threshold"]);
    }
    const hangUpAtMs = millis(values["hang-up-at"], "hang-up-at");
    if (hangUpAtMs !== undefined) options.hangUpAtMs = hangUpAtMs;
    if (values["wait-for-bot"]) options.waitForBotHangUp = true;
    const lingerMs = millis(values.linger, "linger");
    if (lingerMs !== undefined) options.lingerMs = lingerMs;
    // Each says when the caller hangs up: given two, one would be ignored without a word.
    if (hangUpAtMs !== undefined && values["wait-for-bot"]) {
      throw new RangeError("--wait-for-bot and --hang-up-at contradict each other: give one");
    }
    if (lingerMs !== undefined && (hangUpAtMs !== undefined || values["wait-for-bot"])) {
      const other = hangUpAtMs !== undefined ? "--hang-up-at" : "--wait-for-bot";
      throw new RangeError(`--linger does nothing with ${other}: it is for a caller given neither`);
    }
    // A call bounded by no time at all, or a barge-in of none, can only fail: usage, not a call.
    const maxDurationFlag = millis(values["max-duration"], "max-duration", 0);
    if (maxDurationFlag !== undefined) options.maxDurationMs = maxDurationFlag;
    // 0 allowed: no underrun at all.
    underrunBoundMs = millis(values["max-underrun-total"], "max-underrun-total");
    // The far end's playout figures, as the library sets them: without these flags the CLI's
    // "underruns" and "early" could only be read at the library's defaults. 0 allowed (no
    // silence is a gap; any audio queued ahead is early), as the options take it.
    const maxUnderrunMs = millis(values["max-underrun"], "max-underrun");
    if (maxUnderrunMs !== undefined) options.maxUnderrunMs = maxUnderrunMs;
    const earlyMs = millis(values.early, "early");
    if (earlyMs !== undefined) options.earlyMs = earlyMs;
    // A handshake given no time at all can only fail, as a call of no duration: usage.
    const connectTimeoutMs = millis(values["connect-timeout"], "connect-timeout", 0);
    if (connectTimeoutMs !== undefined) options.connectTimeoutMs = connectTimeoutMs;
    const bargeIn = millis(values["barge-in"], "barge-in");
    if (bargeIn === undefined) {
      for (const name of ["barge-in-for", "barge-ins"] as const) {
        if (values[name] !== undefined) throw new RangeError(`--${name} needs --barge-in`);
      }
    } else {
      const durationMs = millis(values["barge-in-for"], "barge-in-for", 0);
      const bargeIns = count(values["barge-ins"], "barge-ins");
      // None at all: --barge-in would be ignored without a word, as --ramp with one call would.
      if (bargeIns === 0) {
        throw new RangeError("--barge-ins 0 barges in on no answer: leave out --barge-in instead");
      }
      options.bargeIn = {
        afterMs: bargeIn,
        ...(durationMs === undefined ? {} : { durationMs }),
        ...(bargeIns === undefined ? {} : { count: bargeIns }),
      };
    }
    if (record !== undefined && options.speed !== undefined && options.speed !== 1) {
      throw new RangeError(`--record needs --speed 1 (the call as it was heard)`);
    }
    // At max speed no answer is measured (report.ts): every call that has an utterance would fail.
    if (values["require-answer"] && options.speed === Infinity) {
      throw new RangeError("--require-answer needs answers measured: not with --speed max");
    }
    // Every check simulateCall makes before a call, made here before anything is touched: the
    // options', the platform's (its far end) and the audio's. Bad usage found inside a call
    // would come after the --record files were checked, and with --calls N, once per call.
    maxDurationMs = resolveCallOptions(options).maxDurationMs;
    const farEnd = checkFarEnd(values.protocol, platform);
    // ConversationRelay's setting acts on keypresses alone (its far end's sendDtmf): with none
    // pressed it changes nothing, and a --dtmf forgotten would go unnoticed, the call passing as
    // though keys had been tried. After the platform's check: a protocol with no such setting is
    // the first thing to say.
    if (platform.dtmfDetection !== undefined && options.dtmf === undefined) {
      throw new RangeError(
        "--dtmf-detection needs --dtmf (it says whether the caller's keypresses reach the bot: " +
          "without --dtmf the caller presses none)",
      );
    }
    // The audio is decoded once, here: for its checks (that it can be read, that the segments
    // lie within it: the synthetic caller's, when no file is given) and for every call. The
    // synthetic caller's too: made and resampled in each call (in the first, some 60 ms to make,
    // and 40 to 60 ms to resample for an 8 kHz platform, in every one), it held each call back
    // after its --ramp start, the first by some 120 ms, so that the ramp's first gap came out
    // short by the making.
    const audioFlags = values.audio === undefined
      ? " (the synthetic caller's audio)"
      : ` --audio ${values.audio}`;
    let audio: CallerAudio;
    try {
      audio = new CallerAudio(options.audio ?? syntheticCaller(), {
        sampleRate: farEnd.caller.sampleRate,
      });
    } catch (error) {
      // The file's, or its --pcm-rate's: the platform's rate was checked with the far end.
      const flags = audioFlags.trimStart() +
        (pcmRate === undefined ? "" : ` --pcm-rate ${pcmRate}`);
      throw new RangeError(`${flags}: ${(error as Error).message}`);
    }
    if (options.speechSegments !== undefined) {
      // Segments past the audio's end would count the silence after it as speech: refused by
      // simulateCall too, but named here by the flags the user typed.
      assertSpeechSegmentsWithin(
        options.speechSegments,
        audio.durationMs ?? Infinity,
        `--segments ${values.segments}${audioFlags}`,
      );
    }
    // Each call is handed the decoded samples at the platform's rate, not the file (or the
    // synthetic caller) again; the synthetic caller's speech segments with them.
    const samples = await audio.read(Math.round((audio.durationMs! * audio.sampleRate) / 1000));
    const { speechSegments } = audio;
    options.audio = {
      pcm: new Uint8Array(samples.buffer),
      sampleRate: audio.sampleRate,
      ...(speechSegments === undefined ? {} : { speechSegments }),
    };
    if (record !== undefined) {
      // Found unwritable now, not after the call, when its report would be lost with it; last,
      // once nothing else can refuse the command line.
      for (let i = 0; i < calls; i++) {
        const file = recordFile(record, calls, i);
        // Written after the call, the recording would replace the caller's audio it was made
        // from (`--audio heard.wav --record heard.wav`, a recording played back), lost unasked.
        if (values.audio !== undefined && sameFile(file, values.audio)) {
          throw new RangeError(
            `--record ${fileNamed(file)} is --audio's file: the recording would overwrite the ` +
              `caller's audio; record to another file`,
          );
        }
        checkWritable(file);
      }
    }
  } catch (error) {
    sayOnStderr(`simulate: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }

  const abort = new AbortController();
  // Ctrl-C hangs the calls up, each reporting what happened until then; a second one, pressed
  // when that takes too long, is the shell's again (_ctrl_c.ts).
  const ctrlC = new CtrlC({ clock: systemClock, onInterrupt: () => abort.abort() });
  const terminal = !values.quiet && Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  // Each update reads the calls' figures then (_progress_line.ts): a terminal's line four times a
  // second, a log's every 5 s.
  const progress = values.quiet ? undefined : new ProgressLine({
    clock: systemClock,
    calls,
    intervalMs: terminal ? 250 : 5000,
    write: (line) =>
      Deno.stderr.writeSync(encoder.encode(terminal ? `\r\x1b[K${line}` : `${line}\n`)),
  });
  let reports: CallReport[];
  try {
    reports = await Promise.all(Array.from({ length: calls }, async (_, i) => {
      // The first call starts at once, as the ramp says, not after a timer's turn; Ctrl-C ends
      // the others' wait: the call then reports itself aborted before it started.
      const startMs = calls > 1 ? (rampMs * i) / (calls - 1) : 0;
      if (startMs > 0) await systemClock.sleep(startMs, abort.signal).catch(() => {});
      // As simulateCall calls, the ending naming the flags the user typed, not the options.
      const report = await simulateCallNaming(
        url,
        { ...options, signal: abort.signal },
        FLAG_NAMES,
        (read) => progress?.watch(i, read),
      );
      progress?.ended(i);
      return report;
    }));
  } finally {
    progress?.stop();
    ctrlC.stop();
    // Not once the line could not be written: the terminal is gone, or stderr was never one.
    if (terminal && progress?.lost === undefined) {
      try {
        Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      } catch {
        // The terminal went away since the last update: nothing to clear.
      }
    }
  }

  /** Why each call's recording could not be written, by the call's index. */
  const recordingLost = new Map<number, string>();
  if (record !== undefined) {
    for (const [i, report] of reports.entries()) {
      // Only a call whose socket opened has a recording: an old file stays as it was otherwise.
      if (!report.recording) continue;
      const file = recordFile(record, calls, i);
      try {
        await Deno.writeFile(file, report.recording);
      } catch (error) {
        // The report still comes: the call happened.
        const lost = `--record: cannot write ${fileNamed(file)}: ${(error as Error).message}`;
        sayOnStderr(`simulate: ${lost}`);
        recordingLost.set(i, lost);
      }
    }
  }
  // Each call judged once, here, with the run's gates: the exit status, the report's result
  // lines and the JSON's verdict (first in each call's object) all read this.
  const judged = reports.map((report, i) => {
    delete report.recording;
    const lost = recordingLost.get(i);
    // As judgeCall judges, the gates' reasons naming the flags the user typed, not the options.
    const verdict = judgeCallNaming(report, {
      ...(underrunBoundMs === undefined ? {} : { maxUnderrunTotalMs: underrunBoundMs }),
      ...(values["require-answer"] ? { requireAnswer: true } : {}),
      ...(values["wait-for-bot"] ? { waitForBot: { maxDurationMs } } : {}),
      ...(values["allow-unheard-goodbye"] ? { allowUnheardGoodbye: true } : {}),
      ...(lost === undefined ? {} : { recordingLost: lost }),
    }, FLAG_NAMES);
    return { verdict, ...report };
  });
  const summary = calls === 1 ? judged[0]! : aggregateReports(judged);
  console.log(
    values.json
      ? JSON.stringify(calls === 1 ? summary : { ...summary, reports: judged }, jsonValue, 2)
      : formatReport(summary),
  );
  // On stderr too, as every other reason the run fails beside the report (stdout stays the
  // report): the opt-in gates, each saying which calls it failed. A call Ctrl-C cut short is held
  // to none (call_verdict.ts), so it prints no such line; calls that ran their course do.
  for (const [i, { verdict }] of judged.entries()) {
    const call = calls === 1 ? "" : `call ${i + 1} of ${calls}: `;
    for (const { reason, detail } of verdict.failures) {
      if (GATES.has(reason)) sayOnStderr(`simulate: ${call}${detail}`);
    }
  }
  // Interrupted (Ctrl-C): the report so far, and the shell's status for it, never a pass. Only
  // when Ctrl-C cut a call short (its verdict says so: before it ended, or in the platform's
  // closing handshake after, `ended.closingCutShort`): one that comes while the caller only
  // waits for the socket's close cut nothing short, and the verdicts stand.
  const cutShort = judged.some((r) => r.verdict.failures.some((f) => f.reason === "interrupted"));
  if (cutShort) return 130;
  return judged.every((r) => r.verdict.passed) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * Says `text` on stderr, or nothing where stderr cannot take it (a full disk, a terminal gone;
 * console.error passes over a closed pipe alone): what the run says there is beside its answer,
 * the report on stdout and the exit status, which a throw here turned into exit 1 (a failed
 * call, to CI) or 3.
 */
function sayOnStderr(text: string): void {
  try {
    console.error(text);
  } catch {
    // Nowhere left to say it.
  }
}

/** JSON has no Infinity (it would print `null`): `--speed max` is `"max"` in the report. */
function jsonValue(key: string, value: unknown): unknown {
  return key === "speed" && value === Infinity ? "max" : value;
}
