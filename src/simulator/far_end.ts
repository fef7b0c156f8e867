/**
 * The per-platform part of the simulator: a {@linkcode FarEnd} speaks one platform's wire
 * protocol as the platform does. Everything else (timing, playout, recording, the report) is
 * shared, so a new protocol is one file implementing this interface and one line in
 * `far_ends.ts`.
 *
 * @module
 */

/** Options every platform understands (each ignores what it has no use for). */
export interface FarEndOptions {
  /**
   * Custom parameters sent in the opening messages (Twilio `customParameters`, Telnyx and
   * Exotel `custom_parameters`, Plivo `extra_headers`, Vonage headers, Genesys `customConfig`).
   *
   * @default {{}}
   */
  customParameters?: Record<string, string>;
  /**
   * The call's id (call SID, call control id, conversation id…).
   *
   * @default {a made-up id in the platform's format}
   */
  callId?: string;
  /**
   * The stream's id (stream SID, stream id, AudioHook session id…).
   *
   * @default {a made-up id in the platform's format}
   */
  streamId?: string;
  /**
   * The caller's number.
   *
   * @default {"+15550100001"}
   */
  from?: string;
  /**
   * The number called.
   *
   * @default {"+15550100002"}
   */
  to?: string;
  /**
   * The audio rate, for platforms that offer a choice (Vonage 8000/16000, Exotel
   * 8000/16000/24000, Plivo 8000/16000, raw PCM any; Telnyx: the rate it plays the bot's L16 at,
   * its bidirectional sampling rate 8000/16000/24000).
   *
   * @default {the platform's default}
   */
  sampleRate?: number;
  /**
   * The audio encoding, for platforms that offer a choice (Telnyx `PCMU`/`PCMA`/`L16`/`G722`, Plivo
   * `audio/x-l16`/`audio/x-mulaw`, Exotel `audio/x-raw`/`audio/x-mulaw`; the default first).
   *
   * @default {the platform's default}
   */
  encoding?: string;
  /**
   * The encoding the platform plays the bot's audio in, where that is set apart from `encoding`
   * (Telnyx's bidirectional codec, `stream_bidirectional_codec`: `PCMU`, `PCMA`, `L16` or `G722`).
   *
   * @default {the platform's default (Telnyx: PCMU)}
   */
  playbackEncoding?: string;
  /**
   * Whether ConversationRelay sends the caller's keypresses to the bot: the `dtmfDetection`
   * attribute of `<ConversationRelay>`. Off, a keypress is not sent as `dtmf` and stops no speech
   * (the report counts it as not detected: `dtmf.undetected`). Twilio's default is off; the
   * simulator's is on, as it was before this option: the caller presses keys only when the run
   * asks it to (`dtmf`), and a bot tested on keys has them turned on in its TwiML. The other
   * platforms have no such setting and read no such option (the command line refuses it there).
   *
   * @default {true}
   */
  dtmfDetection?: boolean;
  /**
   * Whether Genesys's `open` carries `inputVariables` (the Architect flow's inputs to the Audio
   * Connector: none here, so an empty object). AudioHook makes them optional (Genesys's Audio
   * Connector reference server, `OpenParameters`: `inputVariables?`); `false` opens without them,
   * to try a bot on such an open. A bot that tells an Audio Connector session from a listen-only
   * Monitor's by them (`GenesysSerializer`'s `sendAudio: "auto"`) then sends no audio. The other
   * platforms have no such field and read no such option (the command line refuses it there).
   *
   * @default {true}
   */
  inputVariables?: boolean;
}

/** What happens to a mark still waiting when the bot clears the audio before it. */
export type MarkOnClear = "ack" | "drop";

/** What became of a mark the bot asked for (see {@linkcode FarEndContext.markSettled}). */
export type MarkOutcome = "played" | "cleared" | "dropped";

/** How a call a {@linkcode FarEnd} ends from within the protocol ended (see `endCall`). */
export interface EndCallOptions {
  /**
   * The call failed: the side ending it said so in the protocol (AudioHook's `disconnect` with
   * reason `error` or `unauthorized`). The report's ending carries `failed: true`, and the call
   * fails as one whose bot closed the socket with an error code does (the CLI exits 1). Only
   * `true` fails the call.
   *
   * @default {false}
   */
  failed?: boolean;
  /**
   * Why, in the bot's own words, where the protocol carries them (AudioHook's `disconnect`
   * `info`, ConversationRelay's `end` `handoffData`): the report's ending keeps them
   * (`CallEnding.info`, at most 200 characters) and its detail ends with them, quoted: often the
   * very reason the call failed.
   *
   * @default {none}
   */
  info?: string;
  /**
   * The platform ends the call itself (`by` `"caller"`) because the bot broke this rule of its
   * (the `rule` of a violation reported with `context.violation`: Asterisk hanging up on a message
   * over 65,500 bytes, `asterisk.message-too-large`). The report's ending keeps it
   * (`CallEnding.brokenRule`), and what the caller's audio still held is the bot's doing
   * (`notReached`), not the caller's choice; before `ready()` (a handshake the bot never
   * answered: Genesys's `genesys.open-timeout`) the caller never began, and nothing is
   * `notReached`. Ignored with `by` `"bot"`.
   *
   * @default {none: the platform ended it for no rule of the bot's}
   */
  brokenRule?: string;
}

/** What the simulator does for a {@linkcode FarEnd}: its clock, its socket and its speaker. */
export interface FarEndContext {
  /** Milliseconds since the call started (the socket opened). */
  now(): number;
  /** Waits `ms`; rejects once the call is over, so a far end's timers never outlive it. */
  sleep(ms: number): Promise<void>;
  /** Sends one message to the bot. */
  send(message: string | Uint8Array): void;
  /** Reports that the bot broke one of the platform's rules (`rule` is a short stable id). */
  violation(rule: string, detail: string): void;
  /**
   * Queues the bot's audio (PCM16 mono at `playbackRate`) in the far end's playout buffer,
   * `times` over: a looped media (ConversationRelay's `play` with `loop`) is its one clip queued
   * by reference `times` times, played back to back, not a copy per loop. It is one message of
   * the bot's in the report (`audio.chunks`, lead times, early and late chunks), as it is on the
   * wire. The samples are kept, not copied: they must not change until they have played.
   * Throws a `RangeError` unless `times` is a whole number, 1 or more.
   *
   * @default {times: 1}
   */
  play(samples: Int16Array, times?: number): void;
  /** Milliseconds of the bot's audio queued in the playout buffer, not yet played. */
  queuedMs(): number;
  /**
   * Asks to be told when the audio queued so far has played: `ack` runs then (or at once, or
   * never, when a clear drops it first, as `onClear` says).
   */
  mark(name: string, onClear: MarkOnClear, ack: () => void): void;
  /**
   * Like `mark`, for the far end's own use (mod_audio_fork's markers in its buffer): not a mark
   * the bot asked for, so not counted in the report's marks.
   */
  whenPlayed(onClear: MarkOnClear, played: () => void): void;
  /**
   * For a far end that answers the bot's marks itself rather than through `mark` (mod_audio_fork
   * answers from its own lists): the bot asked for mark `name`. The report counts it as requested.
   */
  markRequested(name: string): void;
  /**
   * What became of a mark told of by `markRequested`: answered as played (`"played"`), answered
   * as cleared (`"cleared"`), or dropped with no answer ever (`"dropped"`).
   */
  markSettled(name: string, outcome: MarkOutcome): void;
  /**
   * Drops all queued audio now (the bot cleared it): the report dates the barge-in's clear by it
   * (`BargeIn.clearAtMs`). Not for part of the queue: see `dropQueued`.
   */
  clear(): void;
  /**
   * Drops the part of the queued audio from `fromMs` to `toMs` into it (0 is the next sample to
   * play, `queuedMs()` the end; `Infinity` reaches it) by the platform's own rule, not the bot's
   * clear: ConversationRelay dropping a preemptible talk cycle queued behind speech that plays
   * on. What is before and after plays on without a break, as queued: nothing is queued again,
   * nor counted as received twice. The report counts the audio dropped in `audio.clearedMs`
   * (dropped before it played) but dates no barge-in's clear by it (`BargeIn.clearAtMs`), and
   * answers no mark for it: a mark waits for the audio left before it.
   */
  dropQueued(fromMs: number, toMs: number): void;
  /** The platform's handshake is done: the caller's audio may flow. */
  ready(): void;
  /**
   * Ends the call from within the protocol: the bot asked to (`"bot"`, e.g. AudioHook's
   * `disconnect`) or the platform gives up on it (`"caller"`, e.g. no answer to a handshake;
   * with `{ brokenRule }` when it hangs up on a rule the bot broke). The simulator then hangs up
   * as the caller would (`hangUp`) and closes the socket. With `{ failed: true }` the call failed
   * by how it ended: the bot ended it saying it failed.
   */
  endCall(by: "bot" | "caller", reason: string, options?: EndCallOptions): void;
  /** Notes a message the platform accepts but the simulator has no use for (it is counted). */
  note(what: string): void;
  /**
   * The call's `speechThresholdDbfs`: sound above it is speech, for a far end that listens to the
   * caller itself (ConversationRelay's recognizer) as for the report. Optional for a context
   * made by hand (a far end's test); -45 then, the call's default.
   */
  readonly speechThresholdDbfs?: number;
}

/** One platform, as the bot's WebSocket sees it. */
export interface FarEnd {
  /** The protocol's name, as the report shows it. */
  readonly protocol: string;
  /**
   * The WebSocket subprotocols the platform offers when it connects, if any. A bot that answers
   * none is taken, as the platforms' own clients take it: Asterisk's `res_http_websocket` client
   * needs no `Sec-WebSocket-Protocol` in the answer, and libwebsockets (jambonz's and FreeSWITCH's
   * `mod_audio_fork`) falls back to its first protocol.
   */
  readonly subprotocols?: readonly string[];
  /** The caller's audio on the wire: mono, this rate, one message per `frameMs`. */
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  /** The rate the far end plays the bot's audio at (what `context.play` is given). */
  readonly playbackRate: number;
  /**
   * For a `sampleRate` this far end, as made, does not run at both ways (it never reads the
   * option, or it was made without it because its other options refuse that rate): the changes
   * to its other options under which it would take that rate, one set each way, none when no
   * setting gives it (Asterisk at 16000 Hz: `{ encoding: "slin16" }` or `{ encoding: "g722" }`,
   * its rate coming with its format; Plivo's μ-law at 16000 Hz: `{ encoding: "audio/x-l16" }`).
   * The command line names them, as its flags, where it refuses a `--rate`: which setting carries
   * a rate is the platform's to know. Nothing else reads it, and the command line makes only the
   * built-in far ends (`FAR_ENDS`): one of your own needs none. Optional: a far end without it
   * has no setting that changes its rate (one rate, or a rate read as it is), and the command
   * line calls its rate its only one.
   */
  optionsForRate?(rate: number): FarEndOptions[];
  /**
   * The socket is open: send the opening messages, and call `context.ready()` when audio may
   * flow (at once, or when the bot has answered a handshake).
   */
  open(context: FarEndContext): void;
  /** Handles one message from the bot. */
  receive(data: string | Uint8Array): void;
  /**
   * The socket closed under the far end: the bot closed it or the connection dropped (`detail`
   * words it as the report's ending does, e.g. "the bot closed the WebSocket (1000 bye)").
   * Nothing more comes from the bot: a far end waiting on it (Genesys's `closed`) ends its wait.
   * Not called for the caller's own close, after `hangUp`.
   */
  socketClosed?(detail: string): void;
  /** Sends one frame of the caller's audio (`caller.frameMs` of samples at `caller.sampleRate`). */
  sendAudio(samples: Int16Array): void;
  /**
   * Sends a keypad press; returns true when it went to the bot, false when the protocol cannot
   * carry it (no way to carry one: raw PCM, FreeSWITCH; or not this key, or not yet: Vonage and
   * pipecat at A to D, pipecat before a 2.0 bot-ready, Genesys outside an open session), and
   * `"undetected"` when it could but the platform, as set up, does not detect keys
   * (ConversationRelay's `dtmfDetection` off): the report counts the two apart (report.ts
   * `dtmf`), so that a key dropped by a setting is not laid at the protocol's door.
   * `"undetected"` is truthy: a caller of `sendDtmf` tells sent from not sent by `=== true`, not
   * by truthiness.
   */
  sendDtmf(digit: string): boolean | "undetected";
  /**
   * The caller hangs up: sends the platform's closing messages and waits for any closing
   * handshake; the simulator closes the socket after it (bounded by its own timeout).
   */
  hangUp(): Promise<void>;
}

/** Makes a {@linkcode FarEnd} for one call. */
export type FarEndFactory = (options: FarEndOptions) => FarEnd;
