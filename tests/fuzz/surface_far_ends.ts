// Minimal far ends for the surface fuzzer's platform kinds: each sends what its platform sends
// first (connected, start, the first text message) and answers marks the way the platform's
// documentation says, so that `marksAcknowledged` moves and the transport's playback follows real
// acknowledgements, not only its estimate. Everything is on the fake clock; nothing here checks:
// the checks are surface_operations.ts's. The opening and media messages come from the inbound
// fuzzer's protocols (generators.ts, generators_binary.ts), themselves taken from the documented
// calls in tests/serializers/fixtures/.
import type { FakeClock, MemorySocket } from "../../src/testing/mod.ts";
import type { InboundProtocol } from "./generators.ts";
import { toWire } from "./generators.ts";
import { PROTOCOLS } from "./protocols.ts";
import { AudioConnectorClient } from "../serializers/fixtures/audio_connector_client.ts";
import { forkFarEnd } from "../serializers/fixtures/fork_module_playout.ts";
import { asteriskFarEnd, mediaStart } from "../serializers/fixtures/asterisk_channel_playout.ts";
import type { MemorySocketPair } from "../../src/testing/mod.ts";

/** The platform kinds (each is the inbound fuzzer's protocol of the same name). */
export const PLATFORM_KINDS = [
  "telnyx",
  "plivo",
  "exotel",
  "jambonz",
  "freeswitch",
  "asterisk",
  "genesys",
  "relay",
  "protobuf",
  "json",
] as const;
export type PlatformKind = typeof PLATFORM_KINDS[number];
/** The kinds a far end here can serve: Twilio's session opens itself, its marks are answered here. */
export type AnsweringKind = PlatformKind | "twilio";

/** The inbound fuzzer's description of `kind`'s far end. */
export function platformProtocol(kind: AnsweringKind): InboundProtocol {
  const protocol = PROTOCOLS.get(kind);
  if (protocol === undefined) throw new Error(`no inbound protocol ${kind}`);
  return protocol;
}

/**
 * How a platform answers a mark: from a message the transport sent, the mark's name and the
 * answer to send once the audio before it has played; or a clear, whose pending marks are
 * answered at once (`cleared`) or dropped.
 */
interface MarkAnswers {
  /** The mark a message asks for, and the message that acknowledges it. */
  mark(text: string): { name: string; answer: string } | undefined;
  /** Whether `text` empties the platform's buffer. */
  clears(text: string): boolean;
  /** The platform's answer to the clear itself, if it sends one. */
  clearedAll?(text: string): string;
  /** The answer a pending mark gets when the buffer is cleared; `undefined`: none comes. */
  cleared?(name: string): string;
  /** Milliseconds of audio a message carries (binary or a JSON media message). */
  audioMs(data: string | Uint8Array): number;
}

const parse = (text: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
};

/** Bytes of a base64 payload, without decoding it. */
const base64Bytes = (b64: unknown) =>
  typeof b64 === "string"
    ? Math.floor(b64.length * 3 / 4) - (b64.match(/=+$/)?.[0].length ?? 0)
    : 0;

/** Milliseconds of a JSON media message's base64 payload at `bytesPerMs`. */
const jsonMediaMs = (bytesPerMs: number) => (data: string | Uint8Array) => {
  if (typeof data !== "string") return 0;
  const value = parse(data);
  const media = value?.media as Record<string, unknown> | undefined;
  return base64Bytes(media?.payload) / bytesPerMs;
};

/**
 * Twilio's Media Streams (twilio.com/docs/voice/media-streams/websocket-messages, "mark" and
 * "clear"): a `mark` the app sent comes back with the same name once the media before it has
 * played; on `clear` the buffer empties and the pending marks come back at once. Telnyx's stream
 * speaks the same (developers.telnyx.com, "Stream call media over WebSocket": `media`, `mark` and
 * `clear` to Telnyx, `mark` back). Exotel's Voicebot (developer.exotel.com/docs/agentstream/
 * websocket-protocol, "mark (Voicebot only)": "sent when audio you previously sent has finished
 * playing") says nothing of marks a `clear` cut: `answerCleared` false, they stay unanswered
 * (the close counts them).
 */
function twilioLikeMarks(
  kind: AnsweringKind,
  streamKey: string,
  bytesPerMs: number,
  answerCleared: boolean,
  streamSid?: string,
): MarkAnswers {
  // The stream's id, as the platform's own opening messages name it.
  const streamId = streamSid ??
    platformProtocol(kind).opening().map((m) => m.kind === "json" ? m.value[streamKey] : undefined)
      .find((id) => id !== undefined);
  const answer = (name: string) =>
    JSON.stringify({ event: "mark", [streamKey]: streamId, mark: { name } });
  return {
    mark(text) {
      const value = parse(text);
      if (value?.event !== "mark") return undefined;
      const name = String((value.mark as Record<string, unknown> | undefined)?.name);
      return { name, answer: answer(name) };
    },
    clears: (text) => parse(text)?.event === "clear",
    ...(answerCleared ? { cleared: answer } : {}),
    audioMs: jsonMediaMs(bytesPerMs),
  };
}

/**
 * Plivo (plivo.com/docs/voice/xml/the-stream-element/checkpoint-event: "Plivo will respond with
 * playedStream, indicating that audio events buffered before the Checkpoint were successfully
 * played out … only … if the preceding events were played successfully"): a `checkpoint` is
 * answered by `playedStream` with its name once the audio before it has played; `clearAudio` by
 * `clearedAudio` (plivo.com/docs/voice/audio-streaming/audio-streaming, "clearedAudio"), and the
 * checkpoints it cleared never play, so never come back.
 */
const plivoMarks: MarkAnswers = {
  mark(text) {
    const value = parse(text);
    if (value?.event !== "checkpoint") return undefined;
    const name = String(value.name);
    const answer = JSON.stringify({ event: "playedStream", streamId: value.streamId, name });
    return { name, answer };
  },
  clears: (text) => parse(text)?.event === "clearAudio",
  clearedAll: (text) => JSON.stringify({ event: "clearedAudio", streamId: parse(text)?.streamId }),
  audioMs: jsonMediaMs(8), // playAudio: μ-law at 8 kHz
};

/**
 * mod_audio_fork, and jambonz over it (docs.jambonz.org, Verbs → listen, "Bidirectional
 * (streaming) audio": `{"type":"mark","data":{"name"}}` is answered with `event: "playout"` when
 * it plays, or `event: "cleared"` when `killAudio` empties the buffer first). The module places
 * the mark by a sentinel in the audio; this far end plays by time alone, which is what the
 * transport can observe of it.
 */
function forkMarks(bytesPerMs: number): MarkAnswers {
  const answer = (name: string, event: string) =>
    JSON.stringify({ type: "mark", data: { name, event } });
  return {
    mark(text) {
      const value = parse(text);
      if (value?.type !== "mark") return undefined;
      const name = String((value.data as Record<string, unknown> | undefined)?.name);
      return { name, answer: answer(name, "playout") };
    },
    clears: (text) => parse(text)?.type === "killAudio",
    cleared: (name) => answer(name, "cleared"),
    audioMs: (data) => typeof data === "string" ? 0 : data.length / bytesPerMs,
  };
}

/**
 * Asterisk chan_websocket (docs.asterisk.org, Configuration → Channel Drivers → WebSocket,
 * "Control messages"): `MARK_MEDIA <id>` is answered by `MEDIA_MARK_PROCESSED <id>` when the frames
 * before it have played; a bulk transfer closed by `STOP_MEDIA_BUFFERING <id>` (what the
 * serializer writes in plain text, where the version cannot be told) by
 * `MEDIA_BUFFERING_COMPLETED <id>`; `FLUSH_MEDIA` discards what is queued, marks included (no
 * answer for those).
 */
const asteriskMarks: MarkAnswers = {
  mark(text) {
    const match = /^(MARK_MEDIA|STOP_MEDIA_BUFFERING) (\S+)/.exec(text);
    if (match === null) return undefined;
    const event = match[1] === "MARK_MEDIA" ? "MEDIA_MARK_PROCESSED" : "MEDIA_BUFFERING_COMPLETED";
    return { name: match[2]!, answer: `${event} ${match[2]}` };
  },
  clears: (text) => text.startsWith("FLUSH_MEDIA"),
  audioMs: (data) => typeof data === "string" ? 0 : data.length / 8, // μ-law, 8 kHz
};

/** How each kind answers marks; kinds absent here answer none (see `PlatformFarEnd`). */
const MARK_ANSWERS: () => Partial<Record<AnsweringKind, MarkAnswers>> = () => ({
  // The surface fuzzer's own Twilio start names the stream MZ1.
  twilio: twilioLikeMarks("twilio", "streamSid", 8, true, "MZ1"),
  telnyx: twilioLikeMarks("telnyx", "stream_id", 8, true),
  exotel: twilioLikeMarks("exotel", "stream_sid", 16, false),
  plivo: plivoMarks,
  jambonz: forkMarks(32),
  freeswitch: forkMarks(16),
  asterisk: asteriskMarks,
});

/**
 * The serializer tests' line-by-line readings of the platforms' playout, where there is one:
 * mod_audio_fork (tests/serializers/fixtures/fork_module_playout.ts, from lws_glue.cpp: the
 * pre-buffer, the sentinel markers, `killAudio`) for jambonz and FreeSWITCH, chan_websocket
 * (asterisk_channel_playout.ts, from chan_websocket.c: whole frames, buffering, marks and
 * `FLUSH_MEDIA` in its queue, one frame a 20 ms tick) for Asterisk. They send the platform's first
 * message themselves a tick after they start, and tick for ever: here the first message goes out
 * at once instead (audio the fuzzer's caller sends next must not overtake it: before it, jambonz's
 * audio is a decode error), and they tick on a clock that stops once the socket is no longer open
 * (no timer left behind for the fuzzer's end check), and send only while it is.
 */
/** The kinds `startPlayout` has a platform reading for. */
const PLAYOUT_KINDS: ReadonlySet<AnsweringKind> = new Set(["jambonz", "freeswitch", "asterisk"]);

/** The channel asterisk_channel_playout.ts plays: plain text, μ-law 20 ms frames. */
const ASTERISK_CHANNEL = { json: false, frameBytes: 160, format: "ulaw" };

function startPlayout(
  kind: AnsweringKind,
  clock: FakeClock,
  socket: MemorySocket,
  opening: string,
): boolean {
  const open = () => socket.readyState === 1;
  const gatedClock = {
    now: () => clock.now(),
    sleep: (ms: number) => open() ? clock.sleep(ms) : new Promise<void>(() => {}),
  } as unknown as FakeClock;
  const first = kind === "asterisk" ? mediaStart(ASTERISK_CHANNEL) : opening;
  let firstSent = false;
  socket.send(first);
  const client = {
    send: (data: string | Uint8Array) => {
      if (!firstSent && data === first) return void (firstSent = true);
      if (open()) socket.send(data);
    },
    close: (code?: number) => open() && socket.close(code),
    addEventListener: socket.addEventListener.bind(socket),
  };
  const pair = { client } as unknown as MemorySocketPair;
  if (kind === "jambonz" || kind === "freeswitch") {
    // jambonz's first message announces 16 kHz (audio_fork_calls.ts); FreeSWITCH's stream
    // defaults to 8 kHz (src/serializers/freeswitch.ts): 20 ms a tick at that rate.
    const samplesPerTick = kind === "jambonz" ? 320 : 160;
    forkFarEnd(gatedClock, pair, { metadata: opening, closeOnDisconnect: true, samplesPerTick });
    return true;
  }
  if (kind === "asterisk") {
    asteriskFarEnd(gatedClock, pair, ASTERISK_CHANNEL);
    return true;
  }
  return false;
}

/**
 * The longest an open transaction is waited for: the slowest late decode (decode_ledger.ts, 1 s)
 * and the Audio Connector client's network both ways, with room to spare.
 */
const HANDSHAKE_LIMIT_MS = 1100;
/** The fake clock's step while an open transaction is waited for. */
const HANDSHAKE_STEP_MS = 5;

/**
 * `socket` for an AudioHook client that sends its `close` once: the client "initiates a close
 * transaction" (help.mypurecloud.com, as above), its own or at the server's `disconnect`. The
 * Audio Connector client answers every `disconnect` it reads, so one read late (a stalled
 * socket) after its own `close` would start a second; here it is not sent.
 */
function oneClose(socket: MemorySocket): MemorySocket {
  let closeSent = false;
  return {
    get readyState() {
      return socket.readyState;
    },
    addEventListener: socket.addEventListener.bind(socket),
    close: socket.close.bind(socket),
    send(data: string | Uint8Array) {
      if (typeof data === "string" && JSON.parse(data).type === "close") {
        if (closeSent) return;
        closeSent = true;
      }
      socket.send(data);
    },
  } as unknown as MemorySocket;
}

/** A platform's far end on the client socket of a `MemorySocketPair`. */
export class PlatformFarEnd {
  readonly #clock: FakeClock;
  readonly #socket: MemorySocket;
  readonly #protocol: InboundProtocol;
  #answers: MarkAnswers | undefined;
  #acking: boolean;
  #playsUntil = 0;
  #pending: { name: string; answer: string; done: boolean }[] = [];
  /** The next message number, for protocols that number every message. */
  #seq = 0;
  #chunk = 0;
  #opened = false;
  /** Sent its end of stream: a platform sends nothing after it (audio after it is refused). */
  #stopped = false;

  /**
   * Genesys: the Audio Connector client the serializer's own tests play
   * (tests/serializers/fixtures/audio_connector_client.ts, from Genesys's reference server): it
   * numbers its messages, says `playback_started` / `playback_completed` (when `acks`; an
   * AudioHook client that never does otherwise), answers `disconnect` with `close` and `closed`
   * by closing the socket. A millisecond of network, so that what it says after the socket
   * closed is lost rather than thrown.
   */
  readonly #connector: AudioConnectorClient | undefined;
  readonly #kind: AnsweringKind;

  /**
   * ConversationRelay carries text alone, JSON and protobuf frames have no platform behind them:
   * none of these answers marks; Genesys reports playback instead (`#connector`).
   */
  constructor(kind: AnsweringKind, clock: FakeClock, socket: MemorySocket, acks: boolean) {
    this.#clock = clock;
    this.#socket = socket;
    this.#kind = kind;
    this.#protocol = platformProtocol(kind);
    this.#answers = MARK_ANSWERS()[kind];
    this.#acking = acks;
    this.#connector = kind === "genesys"
      ? new AudioConnectorClient(oneClose(socket), { clock, reports: acks, networkMs: 1 })
      : undefined;
    socket.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      this.#received(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
    });
  }

  /** Sends what the platform sends first, once, if the socket is open. */
  open(): void {
    if (this.#opened || this.#socket.readyState !== 1) return;
    this.#opened = true;
    if (this.#connector) return this.#connector.open();
    // With acknowledgements, the platform's playout where the serializer tests read one; a far
    // end that never acknowledges is the time-based one with its answers off.
    const opening = this.#protocol.opening();
    if (
      this.#acking && PLAYOUT_KINDS.has(this.#kind) && opening.length === 1 &&
      startPlayout(this.#kind, this.#clock, this.#socket, String(toWire(opening[0]!)))
    ) {
      this.#answers = undefined;
      this.#seq++;
      return;
    }
    for (const message of this.#protocol.opening()) {
      this.#socket.send(toWire(message));
      this.#seq++;
    }
  }

  /**
   * Waits, on the fake clock, for the platform's open transaction to complete, where it has one
   * before any audio: AudioHook's client "does not send audio until the server completes the
   * open transaction and responds with an 'opened' message" (help.mypurecloud.com, "What happens
   * during a successful session between Genesys Cloud and your AudioHook server?"). A session
   * whose decodes answer late may take up to a second over `open`; without the wait its caller
   * is still mute when the fuzz ends it, and its close counters are never reached.
   */
  async handshake(): Promise<void> {
    const connector = this.#connector;
    if (connector === undefined || !this.#opened) return;
    for (let waited = 0; waited < HANDSHAKE_LIMIT_MS; waited += HANDSHAKE_STEP_MS) {
      if (this.#socket.readyState !== 1 || connector.messages("opened").length > 0) return;
      await this.#clock.tick(HANDSHAKE_STEP_MS);
    }
  }

  /** One valid media message from the caller (the protocol's own numbering kept). */
  sendMedia(): void {
    if (this.#socket.readyState !== 1 || this.#closing) return;
    // AudioHook numbers text alone; and nothing but its opening may come first.
    if (this.#protocol.strictSequence && !this.#opened) return;
    // AudioHook's audio flows once the server's `opened` has reached the client.
    if (this.#connector && this.#connector.messages("opened").length === 0) return;
    this.#chunk++;
    const message = this.#protocol.media(this.#seq, this.#chunk);
    if (!this.#protocol.strictSequence) this.#seq++;
    this.#socket.send(toWire(message));
  }

  /**
   * Whether it has ended its stream: sent its end, or (AudioHook) begun its close transaction at
   * the server's `disconnect`, after which the client "does not send any audio frames"
   * (help.mypurecloud.com, "What happens during a successful session between Genesys Cloud and
   * your AudioHook server?") and, the session closing, nothing else but its `close`.
   */
  get #closing(): boolean {
    return this.#stopped || (this.#connector !== undefined && this.#connector.disconnectAt >= 0);
  }

  /** Whether it has sent its end of stream. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Whether its end of stream ends the stream (`InboundProtocol.endsStream`): what it sends after
   * is read as nothing and counted (`inboundAfterEnd`).
   */
  get endsStream(): boolean {
    return this.#protocol.endsStream;
  }

  /**
   * One media message after its end of stream, which no platform's documentation has it send
   * (Twilio's "Stop message": the stream "has stopped"; Telnyx's, Plivo's and Exotel's `stop`
   * alike): a far end that breaks its protocol, whose audio the transport must count, not lose.
   */
  sendMediaAfterStop(): void {
    if (this.#socket.readyState !== 1 || !this.#stopped) return;
    this.#chunk++;
    const message = this.#protocol.media(this.#seq, this.#chunk);
    if (!this.#protocol.strictSequence) this.#seq++;
    this.#socket.send(toWire(message));
  }

  /**
   * One of the protocol's valid mid-stream messages (DTMF, a ping, an update, the caller's
   * prompt), the `index`-th modulo their number, numbered as the platform numbers them.
   */
  sendControl(index: number): void {
    if (this.#socket.readyState !== 1 || !this.#opened || this.#closing) return;
    const controls = this.#protocol.controls(this.#next());
    if (controls.length === 0) return;
    const control = controls[index % controls.length]!;
    if (this.#connector && control.kind === "json") {
      const { type, parameters } = control.value as { type: string; parameters: object };
      return this.#connector.send(type, { ...parameters });
    }
    this.#socket.send(toWire(control));
  }

  /** The platform's end of stream (Twilio-like `stop`, AudioHook `close`), where it has one. */
  sendStop(): void {
    if (this.#socket.readyState !== 1 || !this.#opened || this.#closing) return;
    if (!this.#protocol.stop) return;
    this.#stopped = true;
    if (this.#connector) return this.#connector.send("close", { reason: "end" });
    this.#socket.send(toWire(this.#protocol.stop(this.#next())));
  }

  /** The next message number: AudioHook's count from its `open` (1), the others' from 0. */
  #next(): number {
    return this.#protocol.strictSequence ? ++this.#seq : this.#seq++;
  }

  #received(data: string | Uint8Array): void {
    const answers = this.#answers;
    if (answers === undefined) return;
    const now = this.#clock.now();
    const ms = answers.audioMs(data);
    if (ms > 0) {
      this.#playsUntil = Math.max(now, this.#playsUntil) + ms;
      return;
    }
    if (typeof data !== "string") return;
    if (answers.clears(data)) {
      this.#playsUntil = now;
      if (answers.clearedAll) this.#send(answers.clearedAll(data));
      for (const mark of this.#pending.splice(0)) {
        mark.done = true;
        if (this.#acking && answers.cleared) this.#send(answers.cleared(mark.name));
      }
      return;
    }
    const asked = answers.mark(data);
    if (asked === undefined || !this.#acking) return;
    const mark = { ...asked, done: false };
    this.#pending.push(mark);
    void this.#clock.sleep(Math.max(0, this.#playsUntil - now)).then(() => {
      if (mark.done) return;
      mark.done = true;
      this.#pending.splice(this.#pending.indexOf(mark), 1);
      this.#send(mark.answer);
    });
  }

  #send(text: string): void {
    if (this.#socket.readyState === 1 && !this.#stopped) this.#socket.send(text);
  }
}
