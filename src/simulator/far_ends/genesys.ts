/**
 * Genesys Cloud AudioHook, protocol version 2, with the client's side played as Genesys's
 * reference client does it (purecloudlabs/audiohook-reference-implementation, `client/` and
 * `app/audiohook/src/client/clientsessionimpl.ts`; developer.genesys.cloud "AudioHook protocol"):
 *
 * - Every text message is `{version: "2", type, seq, serverseq, id, position, parameters}` from
 *   the client (`seq` counting from 1, `serverseq` the server's last `seq`, `position` the audio
 *   position as an ISO 8601 duration) and `{version, type, seq, clientseq, id, parameters}` from
 *   the server, whose `seq` must be the previous one plus one.
 * - The client opens with `open` (organization, conversation, participant `ani`/`aniName`/`dnis`,
 *   the media it offers: PCMU 8 kHz, here mono `["external"]` or `["internal"]`, `customConfig`,
 *   `language`) and waits 5 s for `opened` (a `disconnect` instead starts its close transaction,
 *   as one later does), whose `media` (required, a list) must select at most one offered medium;
 *   then streams PCMU in 200 ms binary frames, sends a first `ping` 1 s after `opened`, another at
 *   once when its `pong` arrives, then one every 5 s (each after a pong with that round trip as
 *   `rtt`), and expects each `pong` (echoing the ping's `seq` as `clientseq`) before the next ping
 *   is due: a ping still unanswered then is its error 408 and the end of the session, on the bot's
 *   rule (`genesys.pong-timeout`).
 * - The client ends with `close` (`reason: "end"`, or `"disconnect"` after the server's
 *   `disconnect`) and waits up to 10 s for `closed` before dropping the socket. Server text over
 *   65,535 characters is refused (413).
 * - Closing the socket is the client's: a server that closes it before its `closed` (after its
 *   `disconnect`, or while the client waits for `closed`) cut the close transaction short. The
 *   reference client then stops waiting at once (`onWsClose`: "WebSocket closed unexpectedly in
 *   state CLOSING", and `handleCloseCleanup` cancels the close timer), and so does this far end,
 *   which reports it (`genesys.closed-early`) instead of a close timeout.
 * - `pause`/`resume` from the server are answered with `paused`/`resumed`; `event` messages are
 *   accepted (a `barge_in` entity clears the bot's audio).
 * - A server's `disconnect` gives a `reason`, one of `completed`, `unauthorized` and `error`
 *   (protocol/message.ts `DisconnectReason`, an optional `info` beside it; validators.ts
 *   `isDisconnectParameters`). `completed` ends the call as the bot meant it to; `error` and
 *   `unauthorized` are the bot saying it failed the caller, and the call fails (the ending's
 *   `failed`); its `info`, the bot's own why ("no usable media"), ends the ending's detail. Any
 *   other reason, or none, the reference client refuses as not a server message (its 500 error
 *   and a close with reason `error`), reported as `genesys.disconnect-reason`, and so it does an
 *   `info` that is no string (`genesys.disconnect-info`).
 * - Server messages that cross the client's `close` on the wire are stragglers, not faults: the
 *   reference client ignores a `pong`, `pause` or `resume` that comes while it closes ("straggler
 *   or late"). So does this far end with the bot's audio that arrives within a round trip of its
 *   `close` (the largest it measured by `open` and `opened` or by ping and pong, or the age of a
 *   ping still unanswered, up to the ping interval) and {@linkcode STRAGGLER_ALLOWANCE_MS}:
 *   counted as a note, not played. Only the caller's `close` has such stragglers: audio later
 *   than that (a bot that streams on after it was told the call is over), after the bot's own
 *   `disconnect` (sent after it, as the WebSocket keeps the order) or `closed`, or before
 *   `opened` (also while a session never opened closes) is `genesys.audio-out-of-session`, once
 *   per message.
 * - Genesys limits the server's binary messages by their number, whatever their size: 5 a second
 *   on average, 25 at once (developer.genesys.cloud, Genesys Cloud limits, AudioHook section:
 *   `global.inbound.binary.average.rate.per.second`, `global.inbound.binary.max`). The message
 *   past them is not played: the client answers `error` 429 (with `retryAfter`) and ends the
 *   session, its `close` of reason `error`, as the reference client follows each error it signals
 *   (`signalFatalError`); the call ends on the bot's rule (`genesys.rate-limit`). The bot's audio
 *   that comes before that `close` went before the bot read the 429 (counted as a note, not
 *   played), and what comes after it is judged as at the caller's `close`.
 *
 * The reference client is the Monitor's: it refuses binary messages from the server. The
 * bidirectional Audio Connector (what a bot uses) plays them, PCMU 8 kHz: so does this far end,
 * and its `open` carries `inputVariables` (empty) as the Audio Connector's does, unless told to
 * leave them out (`inputVariables: false`): the field is optional (the Audio Connector reference
 * server's src/protocol/message.ts, `OpenParameters`), and a bot may meet an open without it. It
 * also reports its playback as the Audio Connector does: `playback_started` when it begins to
 * play the bot's audio after none, `playback_completed` once all it was sent has played (client
 * messages with empty parameters in Genesys's Audio Connector reference server,
 * GenesysCloudBlueprints/audioconnector-server-reference-implementation, src/protocol/
 * voice-bots.ts); audio a `barge_in` drops is not reported played.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import { mulawDecode, mulawEncode } from "../../audio/g711.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";

const OPEN_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 10_000;
const INITIAL_PING_MS = 1000;
const PING_INTERVAL_MS = 5000;
const MAX_TEXT = 65_535;
/**
 * How long past a round trip after `close` the bot's audio may still arrive as audio it sent
 * before it read the `close`: the time its event loop and serializer take to act on it. Far above
 * that on any machine (tens of ms), far below a reply that streams on (seconds).
 */
const STRAGGLER_ALLOWANCE_MS = 1000;
/** The `reason`s of a `disconnect` the reference client takes (validators.ts). */
const DISCONNECT_REASONS: ReadonlySet<unknown> = new Set(["completed", "unauthorized", "error"]);
/** The reasons that are the bot saying it failed the caller. */
const FAILED_REASONS: ReadonlySet<unknown> = new Set(["unauthorized", "error"]);
const RATE = 8000;
/** Genesys's limit on the server's binary messages: this many a second on average… */
const BINARY_PER_SECOND = 5;
/** …and this many at once (the allowance a session opens with). */
const BINARY_BURST = 25;
/**
 * A session id as Genesys's reference implementation takes one (protocol/validators.ts,
 * `uuidRegex`): a UUID of versions 1–5 in its text form, or the nil UUID.
 */
const SESSION_UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12})$/i;

type State = "opening" | "open" | "closing" | "closed";
type Json = Record<string, unknown>;

/** Genesys's side of an AudioHook session (the AudioHook client). */
export class GenesysFarEnd implements FarEnd {
  readonly protocol = "genesys";
  readonly caller = { sampleRate: RATE, frameMs: 200 } as const;
  readonly playbackRate = RATE;
  readonly #options: FarEndOptions;
  /** Whether the `open` carries `inputVariables` (`FarEndOptions.inputVariables`). */
  readonly #inputVariables: boolean;
  readonly #id: string;
  readonly #offered = [
    { type: "audio", format: "PCMU", channels: ["external"], rate: RATE },
    { type: "audio", format: "PCMU", channels: ["internal"], rate: RATE },
  ];
  #context!: FarEndContext;
  #state: State = "opening";
  #seq = 0;
  #serverseq = 0;
  #samplesSent = 0;
  #pausedAt: number | null = null;
  #pendingPing: number | null = null;
  /** When the ping waiting for its pong went. */
  #pingSentAt = 0;
  /** The round trip of the last ping answered: the next ping's `rtt` (none before, or 0). */
  #lastRoundTripMs = 0;
  /** When the `open` went: `opened`'s answer to it is the first round trip measured. */
  #openSentAt = 0;
  /**
   * The longest round trip measured, by `open` and `opened` or a ping and its pong: how late audio
   * in flight at close can be.
   */
  #roundTripMs = 0;
  /** When the caller's `close` of the open session went (`null` before, and for any other). */
  #closeSentAt: number | null = null;
  /** Why no audio of the bot's can be in flight at a `close` that has no `#closeSentAt`. */
  #noAudioInFlight = "";
  #firstPong = true;
  #closeReason = "end";
  /** The bot sent a `disconnect` (taken or refused): nothing it sends after was in flight. */
  #botDisconnected = false;
  /** The bot's binary messages Genesys would take now (`BINARY_BURST` at most), and when. */
  #binaryAllowance = BINARY_BURST;
  #binaryAllowanceAt = 0;
  /** The bot's binary messages in the open session, the one past the limit included. */
  #binaryMessages = 0;
  /** When the open session began (`opened`): the rate limit's detail dates messages from it. */
  #openedAt = 0;
  /** The bot broke the rate limit: Genesys said 429 and ends the session. */
  #rateLimited = false;
  /** Whether the bot's audio is playing (said `playback_started`, not yet `playback_completed`). */
  #playing = false;
  /** Bot audio messages played so far, numbered: which one's playout ends a stretch. */
  #played = 0;
  #closed: (() => void) | undefined;

  constructor(options: FarEndOptions) {
    this.#options = options;
    // Read as the far end is made, as the command line asks of every option it refuses elsewhere.
    this.#inputVariables = options.inputVariables ?? true;
    // Every AudioHook message's `id` is the session's UUID (the reference implementation's
    // `isMessageBase` requires `uuidRegex`), and the serializer refuses an `open` with another.
    if (options.streamId !== undefined && !SESSION_UUID.test(options.streamId)) {
      throw new RangeError(
        `Genesys's session id (streamId) is a UUID, got ${JSON.stringify(options.streamId)}`,
      );
    }
    // The call id is the open's `conversationId`, which AudioHook also requires to be a UUID
    // (`isOpenParameters`): the serializer refuses an open with another.
    if (options.callId !== undefined && !SESSION_UUID.test(options.callId)) {
      throw new RangeError(
        `Genesys's conversation id (callId) is a UUID, got ${JSON.stringify(options.callId)}`,
      );
    }
    this.#id = options.streamId ?? crypto.randomUUID();
  }

  open(context: FarEndContext): void {
    this.#context = context;
    this.#openSentAt = context.now();
    this.#send("open", {
      organizationId: crypto.randomUUID(),
      conversationId: this.#options.callId ?? crypto.randomUUID(),
      participant: {
        id: crypto.randomUUID(),
        ani: this.#options.from ?? "+1-555-555-1234",
        aniName: "Simulated Caller",
        dnis: this.#options.to ?? "+1-800-555-6789",
      },
      media: this.#offered,
      customConfig: this.#options.customParameters ?? {},
      language: "en-US",
      // The Audio Connector's open carries the Architect flow's input variables (none here): what
      // tells a server it may talk back (`GenesysSerializer`'s `sendAudio: "auto"`), as this far
      // end plays what it is sent. Optional in AudioHook, and left out when asked.
      ...(this.#inputVariables ? { inputVariables: {} } : {}),
    });
    context.sleep(OPEN_TIMEOUT_MS).then(() => {
      if (this.#state !== "opening") return;
      context.violation("genesys.open-timeout", `no "opened" within ${OPEN_TIMEOUT_MS} ms`);
      this.#send("error", { code: 408, message: "Open transaction timeout" });
      this.#closeReason = "error";
      // The platform's hang-up, on the bot's rule (`brokenRule`). Before the handshake the caller
      // never began, so nothing of its audio is the bot's `notReached`: `handshakeMs` is null.
      context.endCall("caller", `Genesys hung up: no "opened" within ${OPEN_TIMEOUT_MS} ms`, {
        brokenRule: "genesys.open-timeout",
      });
    }, () => {/* the call ended first */});
  }

  sendAudio(samples: Int16Array): void {
    if (this.#state !== "open") return;
    const start = this.#samplesSent;
    this.#samplesSent += samples.length;
    if (this.#pausedAt === null) this.#context.send(mulawEncode(samples));
    else if (start === this.#pausedAt) this.#context.note("genesys audio withheld while paused");
  }

  sendDtmf(digit: string): boolean {
    if (this.#state !== "open") return false;
    this.#send("dtmf", { digit });
    return true;
  }

  async hangUp(): Promise<void> {
    if (this.#state !== "open" && this.#state !== "opening") return;
    // Only the caller's hang-up of an open session has the bot's audio in flight at its close.
    // In a session never opened no audio was the bot's to send; after the bot's own `disconnect`
    // (the WebSocket keeps the order) all that comes was sent after it, knowing the call over.
    // Genesys's own end (its 429) has the bot's audio in flight as the caller's does.
    if (this.#state === "opening") this.#noAudioInFlight = "a session never opened";
    else if (this.#botDisconnected) this.#noAudioInFlight = `after the bot's "disconnect"`;
    else this.#closeSentAt = this.#context.now();
    this.#state = "closing";
    const closed = new Promise<void>((resolve) => (this.#closed = resolve));
    this.#send("close", { reason: this.#closeReason });
    const timedOut = await Promise.race([
      closed.then(() => false),
      this.#context.sleep(CLOSE_TIMEOUT_MS).then(() => true, () => false),
    ]);
    if (timedOut) {
      this.#context.violation("genesys.close-timeout", `no "closed" within ${CLOSE_TIMEOUT_MS} ms`);
    }
    this.#state = "closed";
  }

  socketClosed(detail: string): void {
    const cutShort = this.#state === "closing"
      ? `while Genesys waited for "closed" to its "close"`
      : (this.#state === "open" || this.#state === "opening") && this.#closeReason === "disconnect"
      ? `after its "disconnect", before Genesys's "close"`
      : null;
    if (cutShort) this.#context.violation("genesys.closed-early", `${detail} ${cutShort}`);
    // Nothing more comes: no wait (for `opened` or `closed`) and no ping outlives the socket.
    this.#state = "closed";
    this.#closed?.();
  }

  receive(data: string | Uint8Array): void {
    const context = this.#context;
    if (typeof data !== "string") {
      // Audio Connector: the bot's audio, PCMU 8 kHz mono.
      if (this.#state !== "open") return this.#audioOutOfSession(data);
      // Sent before the bot could read the 429: Genesys is ending the session.
      if (this.#rateLimited) return context.note("genesys audio after its 429, not played");
      if (!this.#withinRateLimit()) return this.#overRateLimit();
      return this.#play(data);
    }
    if (data.length > MAX_TEXT) {
      return context.violation(
        "genesys.message-too-large",
        `413: a text message of ${data.length} characters`,
      );
    }
    let message: Json;
    try {
      message = JSON.parse(data);
    } catch {
      return context.violation("genesys.bad-json", `400: not JSON: ${data.slice(0, 60)}`);
    }
    if (
      message?.version !== "2" || typeof message.type !== "string" ||
      typeof message.seq !== "number"
    ) {
      return context.violation(
        "genesys.bad-message",
        `400: not an AudioHook server message: ${data.slice(0, 80)}`,
      );
    }
    if (message.id !== this.#id) {
      context.violation(
        "genesys.session-id",
        `message for session ${String(message.id)}, not ${this.#id}`,
      );
    }
    if (message.seq !== this.#serverseq + 1) {
      context.violation("genesys.seq", `server seq ${message.seq} after ${this.#serverseq}`);
    }
    this.#serverseq = message.seq;
    if (typeof message.clientseq !== "number" || message.clientseq > this.#seq) {
      context.violation(
        "genesys.clientseq",
        `clientseq ${String(message.clientseq)}; the client's last seq is ${this.#seq}`,
      );
    }
    this.#handle(message.type, message);
  }

  #handle(type: string, message: Json): void {
    const context = this.#context;
    const parameters = (message.parameters ?? {}) as Json;
    switch (type) {
      case "opened":
        return this.#onOpened(parameters);
      case "pong":
        return this.#onPong(message.clientseq as number);
      case "closed":
        if (this.#state === "closing") {
          // The bot is done: nothing may follow its `closed` (the WebSocket keeps the order).
          this.#state = "closed";
        } else context.violation("genesys.unexpected", `"closed" while ${this.#state}`);
        return this.#closed?.();
      case "disconnect":
        // Also while the client waits for `opened`: a server may refuse the open transaction so
        // (an offer it cannot use, a caller it does not authorize), and the reference client
        // takes a `disconnect` in any state but closing or closed, its open timer cancelled, and
        // starts its close transaction (clientsessionimpl.ts, onDisconnectMessage and
        // initiateClose). This far end ignored it there, and blamed the bot 5 s later for an
        // `opened` that never came.
        if (this.#state === "open" || this.#state === "opening") {
          return this.#onDisconnect(parameters);
        }
        return;
      case "event": {
        const entities = Array.isArray(parameters.entities) ? parameters.entities as Json[] : [];
        for (const entity of entities) {
          if (entity?.type === "barge_in") {
            context.clear();
            this.#playing = false; // dropped, not played: no playback_completed for it
          } else context.note(`genesys event ${String(entity?.type)}`);
        }
        return;
      }
      case "pause":
        if (this.#state === "open" && this.#pausedAt === null) this.#pausedAt = this.#samplesSent;
        this.#send("paused", {});
        return;
      case "resume": {
        const start = this.#pausedAt ?? this.#samplesSent;
        this.#pausedAt = null;
        this.#send("resumed", {
          start: duration(start),
          discarded: duration(this.#samplesSent - start),
        });
        return;
      }
      case "updated":
      case "reconnect":
        return context.note(`genesys ${type}`);
      default:
        context.violation("genesys.unknown-type", `409: unexpected "${type}"`);
    }
  }

  /**
   * The bot asks to end the call: the ending is the bot's, failed when its reason says it failed
   * the caller. The reference client refuses parameters `isDisconnectParameters` does not pass
   * (validators.ts: a reason it does not know, an `info` that is no string): its 500 and a close
   * with reason `error` (clientsessionimpl.ts, the message handler's catch).
   */
  #onDisconnect(parameters: Json): void {
    const context = this.#context;
    this.#botDisconnected = true;
    const { reason, info } = parameters;
    const refused = !DISCONNECT_REASONS.has(reason)
      ? {
        rule: "genesys.disconnect-reason",
        detail: `a disconnect whose reason is ${JSON.stringify(reason) ?? "missing"}, none of ` +
          `${[...DISCONNECT_REASONS].join(", ")}`,
        ending: "disconnect (no valid reason)",
      }
      : info !== undefined && typeof info !== "string"
      ? {
        rule: "genesys.disconnect-info",
        detail: `a disconnect (${reason}) whose info is no string: ` +
          `${String(JSON.stringify(info)).slice(0, 60)}`,
        ending: `disconnect (${reason}, refused: its info is no string)`,
      }
      : null;
    if (refused) {
      context.violation(refused.rule, refused.detail);
      this.#send("error", { code: 500, message: "Internal client error" });
      this.#closeReason = "error";
      return context.endCall("bot", refused.ending);
    }
    this.#closeReason = "disconnect";
    // Its info (a string, checked above) is why, in the bot's words: "no usable media".
    context.endCall("bot", `disconnect (${reason})`, {
      ...(FAILED_REASONS.has(reason) ? { failed: true } : {}),
      ...(typeof info === "string" ? { info } : {}),
    });
  }

  /**
   * The bot's audio outside the open session: a straggler while the client closes (sent before
   * the bot read the `close`, within a round trip and the allowance), else a violation.
   */
  #audioOutOfSession(data: Uint8Array): void {
    const context = this.#context;
    if (this.#state === "closing" && this.#closeSentAt !== null) {
      const afterMs = context.now() - this.#closeSentAt;
      const roundTripMs = this.#roundTripSoFar();
      const windowMs = roundTripMs + STRAGGLER_ALLOWANCE_MS;
      if (afterMs <= windowMs) return context.note("genesys audio in flight at close, not played");
      return context.violation(
        "genesys.audio-out-of-session",
        `${data.length} bytes of audio ${Math.round(afterMs)} ms after "close", past the ` +
          `${Math.round(windowMs)} ms audio in flight takes (round trip ` +
          `${Math.round(roundTripMs)} ms + ${STRAGGLER_ALLOWANCE_MS} ms)`,
      );
    }
    const why = this.#state === "closing" ? ` ${this.#noAudioInFlight}` : "";
    context.violation(
      "genesys.audio-out-of-session",
      `${counted(data.length, "byte")} of audio while ${this.#state}${why}`,
    );
  }

  /**
   * The round trip as far as it is known now: the longest the open transaction or a ping took to
   * its answer, or longer, the age of a ping still waiting for its pong. A bot answers a ping as
   * it reads it, and the close after it later still: what it sent before that pong left before it
   * read the close, however late it comes. Counted up to the ping interval, the longest the
   * client waits for a pong before it calls it missing (a bot that never answers must not excuse
   * audio without end).
   */
  #roundTripSoFar(): number {
    if (this.#pendingPing === null) return this.#roundTripMs;
    const waitingMs = Math.min(this.#context.now() - this.#pingSentAt, PING_INTERVAL_MS);
    return Math.max(this.#roundTripMs, waitingMs);
  }

  /**
   * Whether Genesys takes one more binary message now, by its limit (a token bucket: the allowance
   * grows by `BINARY_PER_SECOND` a second up to `BINARY_BURST`, each message spends one); spends it
   * if so.
   */
  #withinRateLimit(): boolean {
    const now = this.#context.now();
    this.#binaryMessages++;
    this.#binaryAllowance = Math.min(
      BINARY_BURST,
      this.#binaryAllowance + ((now - this.#binaryAllowanceAt) * BINARY_PER_SECOND) / 1000,
    );
    this.#binaryAllowanceAt = now;
    if (this.#binaryAllowance < 1) return false;
    this.#binaryAllowance -= 1;
    return true;
  }

  /**
   * A binary message past the limit: not played; error 429, with how long until one more would be
   * taken (`retryAfter`), and the session ends on the bot's rule. The `message` is ours: the one
   * Genesys words it with is not published.
   */
  #overRateLimit(): void {
    const context = this.#context;
    this.#rateLimited = true;
    const retryMs = ((1 - this.#binaryAllowance) * 1000) / BINARY_PER_SECOND;
    const limit = `${BINARY_PER_SECOND} a second on average, ${BINARY_BURST} at once`;
    context.violation(
      "genesys.rate-limit",
      `429: binary message ${this.#binaryMessages}, ${
        Math.round(context.now() - this.#openedAt)
      } ms into the session, is past Genesys's limit (${limit}): not played, and the session ends`,
    );
    this.#send("error", {
      code: 429,
      message: "Too many binary messages",
      retryAfter: msDuration(retryMs),
    });
    this.#closeReason = "error";
    context.endCall(
      "caller",
      `Genesys hung up: the bot's binary messages broke its rate limit (${limit})`,
      { brokenRule: "genesys.rate-limit" },
    );
  }

  /** Plays the bot's audio, saying when a stretch of it starts and has all played. */
  #play(data: Uint8Array): void {
    const context = this.#context;
    context.play(mulawDecode(data));
    if (!this.#playing) {
      this.#playing = true;
      this.#send("playback_started", {});
    }
    const message = ++this.#played;
    context.whenPlayed("drop", () => {
      // Played all it was sent, unless more came meanwhile.
      if (message !== this.#played || !this.#playing || this.#state !== "open") return;
      this.#playing = false;
      this.#send("playback_completed", {});
    });
  }

  #onOpened(parameters: Json): void {
    const context = this.#context;
    if (this.#state !== "opening") {
      return context.violation("genesys.unexpected", `"opened" while ${this.#state}`);
    }
    // `media` is required, a list of media objects (validators.ts `isOpenedParameters`): the
    // reference client refuses another `opened` as no server message (its 500). Reported, and
    // taken as selecting none, as the session goes on here.
    const listed = parameters.media;
    const wellFormed = Array.isArray(listed) &&
      listed.every((m) => typeof m === "object" && m !== null && !Array.isArray(m));
    if (!wellFormed) {
      context.violation(
        "genesys.media",
        `500: an "opened" whose media is ${
          String(JSON.stringify(listed) ?? "missing").slice(0, 60)
        }, not a list of media objects: not an AudioHook server message`,
      );
    }
    const media = wellFormed ? listed as Json[] : [];
    const offered = (m: Json) =>
      this.#offered.some((o) =>
        o.format === m.format && o.rate === m.rate && o.type === m.type &&
        JSON.stringify(o.channels) === JSON.stringify(m.channels)
      );
    if (media.length > 1) context.violation("genesys.media", "400: more than one medium selected");
    else if (media.length === 1 && !offered(media[0]!)) {
      context.violation(
        "genesys.media",
        `400: selected ${JSON.stringify(media[0])}, not one offered`,
      );
    }
    // The open transaction is the session's first round trip: before the first ping (1 s after
    // `opened`, its pong later still) none other is measured, and a caller hanging up then left
    // the bot's audio in flight 0 ms of round trip, blaming a bot on a slow link for audio it
    // sent before it could read the `close`. It includes the bot's time to accept the open, so it
    // errs long, as an unanswered ping's age does: capped as that is, at the ping interval (the
    // client waits no longer than OPEN_TIMEOUT_MS, as long, for `opened` anyway).
    this.#roundTripMs = Math.min(context.now() - this.#openSentAt, PING_INTERVAL_MS);
    this.#state = "open";
    this.#openedAt = this.#binaryAllowanceAt = context.now();
    if (parameters.startPaused === true) this.#pausedAt = 0;
    context.ready();
    void this.#pinger();
  }

  async #pinger(): Promise<void> {
    const context = this.#context;
    try {
      await context.sleep(INITIAL_PING_MS);
      this.#ping();
      for (;;) {
        await context.sleep(PING_INTERVAL_MS);
        if (this.#state !== "open") return;
        if (this.#pendingPing !== null) {
          const missing = `no pong for ping ${this.#pendingPing} within ${PING_INTERVAL_MS} ms`;
          context.violation("genesys.pong-timeout", `408: ${missing}`);
          // The reference client's `sendPing`: `signalFatalError(408, "Timeout waiting for
          // pong")`, its error and then its close transaction with reason `error`.
          this.#send("error", { code: 408, message: "Timeout waiting for pong" });
          this.#closeReason = "error";
          context.endCall("caller", `Genesys hung up: ${missing}`, {
            brokenRule: "genesys.pong-timeout",
          });
          return;
        }
        this.#ping();
      }
    } catch {
      // The call ended: no more pings.
    }
  }

  #ping(): void {
    if (this.#state !== "open") return;
    this.#pingSentAt = this.#context.now();
    // The reference client's `sendPing`: `rtt` once a pong has measured one (a zero it leaves
    // out, as its test of the time is truthiness).
    this.#pendingPing = this.#send(
      "ping",
      this.#lastRoundTripMs ? { rtt: msDuration(this.#lastRoundTripMs) } : {},
    );
  }

  #onPong(clientseq: number): void {
    const context = this.#context;
    if (this.#pendingPing === null) {
      return context.violation("genesys.unexpected-pong", "409: pong with no ping outstanding");
    }
    if (clientseq !== this.#pendingPing) {
      return context.violation(
        "genesys.pong-seq",
        `400: pong clientseq ${clientseq} for ping ${this.#pendingPing}`,
      );
    }
    this.#pendingPing = null;
    this.#lastRoundTripMs = context.now() - this.#pingSentAt;
    this.#roundTripMs = Math.max(this.#roundTripMs, this.#lastRoundTripMs);
    if (this.#firstPong) {
      // The reference client answers the first pong with a second ping at once, for an RTT.
      this.#firstPong = false;
      this.#ping();
    }
  }

  /** Sends a client message; returns its `seq`. */
  #send(type: string, parameters: Json): number {
    const seq = ++this.#seq;
    this.#context.send(JSON.stringify({
      version: "2",
      type,
      seq,
      serverseq: this.#serverseq,
      id: this.#id,
      position: duration(this.#samplesSent),
      parameters,
    }));
    return seq;
  }
}

/** An audio position in samples as AudioHook's ISO 8601 duration (`PT1.25S`). */
function duration(samples: number): string {
  return msDuration((samples * 1000) / RATE);
}

/** A time in milliseconds as AudioHook's ISO 8601 duration, to the millisecond. */
function msDuration(ms: number): string {
  return `PT${Number((ms / 1000).toFixed(3))}S`;
}
