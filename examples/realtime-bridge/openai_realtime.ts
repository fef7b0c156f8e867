/**
 * {@linkcode OpenAIRealtime}: the bridge's model side for OpenAI's Realtime API over WebSocket,
 * the generally available (GA) interface as documented at developers.openai.com:
 *
 * - guides/realtime-websocket: `wss://api.openai.com/v1/realtime?model=…`, authenticated with
 *   `Authorization: Bearer <API key>` on the handshake (server to server).
 * - reference/resources/realtime/client-events: `session.update` (`session.type: "realtime"`,
 *   `audio.input.format` / `audio.output.format` of `audio/pcmu` or `audio/pcm` at 24000 Hz,
 *   `audio.input.turn_detection`, `audio.output.voice`), `input_audio_buffer.append` (base64
 *   audio in the input format), `conversation.item.truncate` (`item_id`, `content_index: 0`,
 *   `audio_end_ms`: "inclusive duration up to which audio is truncated"), `response.cancel`.
 * - reference/resources/realtime/server-events: `session.created`, `session.updated`, `error`,
 *   `input_audio_buffer.speech_started` / `speech_stopped` (server VAD), `response.created`,
 *   `response.output_audio.delta` (base64 audio in the output format, with `item_id`),
 *   `response.output_audio.done` ("also emitted when a Response is interrupted, incomplete, or
 *   cancelled"), `response.output_audio_transcript.done`, `response.done` (a `failed` status is reported),
 *   `conversation.item.truncated`.
 *
 * The GA interface renamed the beta's output events: `response.audio.delta` became
 * `response.output_audio.delta`, `response.audio.done` became `response.output_audio.done`,
 * `response.audio_transcript.done` became `response.output_audio_transcript.done`. Both spellings are read here; the session is
 * configured the GA way only (the beta's flat `input_audio_format: "g711_ulaw"` is not sent).
 *
 * @module
 */

import { type Clock, systemClock, type WebSocketLike } from "@x/ws-transport";
import { mulawDecode, mulawEncode, pcm16Bytes, pcm16Samples } from "@x/ws-transport/audio";
import { decodeBase64, encodeBase64 } from "@x/ws-transport/telephony";
import { checkedRealtimeUrl } from "./realtime_url.ts";
import type { RealtimeModel, RealtimeModelEvents } from "./realtime_model.ts";

/** The audio format on the wire to OpenAI, both ways. */
export type OpenAIAudioFormat = "audio/pcmu" | "audio/pcm";

/** Options for {@linkcode OpenAIRealtime}. */
export interface OpenAIRealtimeOptions {
  /** The API key, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /**
   * The Realtime WebSocket endpoint; `model` is added as a query parameter when it has none. A
   * `wss:` URL, or a `ws:` one only to this machine (a local test service or proxy): the key goes
   * in the handshake, and over `ws:` it would cross the network in clear. Any other is refused
   * by the constructor, a RangeError that says what to write.
   *
   * @default {"wss://api.openai.com/v1/realtime"}
   */
  url?: string;
  /**
   * The model.
   *
   * @default {"gpt-realtime"}
   */
  model?: string;
  /**
   * The audio format both ways: `audio/pcmu` (G.711 μ-law, 8 kHz: a phone line's own, no
   * resampling) or `audio/pcm` (PCM16 at 24 kHz, for wideband lines).
   *
   * @default {"audio/pcmu"}
   */
  audioFormat?: OpenAIAudioFormat;
  /**
   * The voice.
   *
   * @default {"marin"}
   */
  voice?: string;
  /**
   * The system instructions.
   *
   * @default {"You are a helpful voice assistant on a phone call. Keep answers short."}
   */
  instructions?: string;
  /**
   * `audio.input.turn_detection`. Server VAD with `interrupt_response: true` makes the model
   * stop generating when the caller talks over it; the bridge then stops playback and truncates.
   *
   * @default {{ type: "server_vad", threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true }}
   */
  turnDetection?: Record<string, unknown>;
  /**
   * More `session` fields for `session.update` (tools, input transcription, …), merged in key by
   * key: `{ audio: { input: { transcription: { model: "gpt-4o-transcribe" } } } }` adds to the
   * audio settings above, it does not replace them. The audio formats stay `audioFormat`'s.
   *
   * @default {{}}
   */
  session?: Record<string, unknown>;
  /**
   * Opens the WebSocket; Deno's `WebSocket`, which can send headers, by default. Give one for
   * another runtime, a proxy, or a test.
   *
   * @default {(url, headers) => new WebSocket(url, { headers })}
   */
  connect?: (url: string, headers: Record<string, string>) => WebSocketLike;
  /**
   * How long opening and configuring the session may take.
   *
   * @default {10000}
   */
  connectTimeoutMs?: number;
  /**
   * How much caller audio, in ms, is held while the session opens; older audio is dropped.
   *
   * @default {2000}
   */
  maxPendingAudioMs?: number;
  /**
   * The time source for the timeouts.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

const DEFAULT_TURN_DETECTION = {
  type: "server_vad",
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 500,
  create_response: true,
  interrupt_response: true,
};
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Deno's `WebSocket`, whose non-standard second argument may carry handshake headers. Declared
 * here because a project that also type-checks browser code sees the DOM's constructor, which
 * takes only protocols.
 */
const HeaderWebSocket = WebSocket as unknown as new (
  url: string,
  options: { headers: Record<string, string> },
) => WebSocket;
const OPEN = 1;

/**
 * One call's session with OpenAI's Realtime API (GA), as a {@linkcode RealtimeModel}.
 *
 * @example A session for a phone line (μ-law both ways, no resampling)
 * ```ts ignore
 * import { OpenAIRealtime } from "./openai_realtime.ts";
 *
 * const model = new OpenAIRealtime({ apiKey: Deno.env.get("OPENAI_API_KEY")! });
 * await model.connect({
 *   onAudio: (itemId, pcm) => play(itemId, pcm),
 *   onSpeechStarted: () => stopPlayback(),
 *   onError: console.error,
 *   onClose: () => {},
 * });
 * ```
 */
export class OpenAIRealtime implements RealtimeModel {
  readonly name = "openai";
  readonly inputSampleRate: number;
  readonly outputSampleRate: number;
  readonly #options: OpenAIRealtimeOptions;
  readonly #format: OpenAIAudioFormat;
  readonly #clock: Clock;
  #socket: WebSocketLike | undefined;
  #events: RealtimeModelEvents | undefined;
  #pending: { audio: string; ms: number }[] = [];
  #pendingMs = 0;
  /**
   * The response under way, if any, with its id when `response.created` gave one: without it,
   * `response.cancel` names none and cancels the one in progress (the reference's default).
   */
  #activeResponse: { id: string | undefined } | undefined;
  /** The odd byte of a 24 kHz PCM delta, kept for the item's next delta. */
  #carry: { itemId: string; byte: number } | undefined;
  #closed: Promise<void> | undefined;
  #onSocketClosed: (() => void) | undefined;
  /** Settles `connect()`: with nothing once `session.updated` came, or with why not. */
  #settle: ((error?: Error) => void) | undefined;
  #setupFailed = false;
  #ready = false;
  #droppedAudioMs = 0;
  /**
   * What the socket's last `error` event said: Deno's tells a refused handshake's HTTP status
   * ("Invalid status code: 401"), which its close event (1006) does not.
   */
  #socketError: string | undefined;

  /** Makes a session; nothing is opened until {@linkcode connect}. */
  constructor(options: OpenAIRealtimeOptions) {
    // Refused here, not at the first call: no call is placed that would send the key in clear.
    if (options.url !== undefined) checkedRealtimeUrl(options.url, "OpenAIRealtime's url");
    this.#options = options;
    this.#format = options.audioFormat ?? "audio/pcmu";
    this.inputSampleRate = this.outputSampleRate = this.#format === "audio/pcmu" ? 8000 : 24000;
    this.#clock = options.clock ?? systemClock;
  }

  /** Milliseconds of caller audio dropped because the session was not open in time. */
  get droppedAudioMs(): number {
    return this.#droppedAudioMs;
  }

  connect(events: RealtimeModelEvents): Promise<void> {
    if (this.#socket) return Promise.reject(new Error("connect() was called already"));
    this.#events = events;
    const options = this.#options;
    let socket: WebSocketLike;
    try {
      const url = new URL(options.url ?? "wss://api.openai.com/v1/realtime");
      if (!url.searchParams.has("model")) {
        url.searchParams.set("model", options.model ?? "gpt-realtime");
      }
      const open = options.connect ??
        ((target: string, headers: Record<string, string>) =>
          new HeaderWebSocket(target, { headers }));
      socket = this.#socket = open(url.href, { authorization: `Bearer ${options.apiKey}` });
    } catch (error) {
      this.#setupFailed = true;
      return Promise.reject(new Error(`could not open the Realtime WebSocket: ${String(error)}`));
    }
    const timer = new AbortController();
    const closed = new Promise<void>((resolve) => (this.#onSocketClosed = resolve));
    this.#closed = closed;
    socket.addEventListener("message", this.#onMessage);
    socket.addEventListener("close", this.#onClose);
    socket.addEventListener("open", this.#onOpen);
    socket.addEventListener("error", this.#onSocketError);
    return new Promise<void>((resolve, reject) => {
      this.#settle = (error) => {
        this.#settle = undefined;
        timer.abort();
        if (error === undefined) return resolve();
        this.#setupFailed = true;
        if (socket.readyState !== 3) socket.close(1000, "setup failed");
        reject(error);
      };
      this.#clock.sleep(options.connectTimeoutMs ?? 10_000, timer.signal).then(
        () => this.#settle?.(new Error("the Realtime session did not open in time")),
        () => {/* settled first */},
      );
    });
  }

  sendAudio(pcm: Uint8Array): void {
    if (this.#setupFailed || (this.#socket?.readyState ?? 0) > OPEN) return; // gone: nowhere to go
    const samples = pcm16Samples(pcm);
    const audio = encodeBase64(this.#format === "audio/pcmu" ? mulawEncode(samples) : pcm);
    if (this.#ready) return this.#send({ type: "input_audio_buffer.append", audio });
    // Not open yet: hold the latest audio (the caller's first words), bounded.
    const ms = (samples.length * 1000) / this.inputSampleRate;
    this.#pending.push({ audio, ms });
    this.#pendingMs += ms;
    const limit = this.#options.maxPendingAudioMs ?? 2000;
    while (this.#pendingMs > limit && this.#pending.length > 0) {
      const dropped = this.#pending.shift()!;
      this.#pendingMs -= dropped.ms;
      this.#droppedAudioMs += dropped.ms;
    }
  }

  truncate(itemId: string, heardMs: number): void {
    this.#send({
      type: "conversation.item.truncate",
      item_id: itemId,
      content_index: 0,
      audio_end_ms: Math.max(0, Math.floor(heardMs)),
    });
  }

  cancelResponse(): void {
    // Cancelling with no response under way is an error ("response_cancel_not_active").
    if (this.#activeResponse === undefined) return;
    const { id } = this.#activeResponse;
    this.#send({ type: "response.cancel", ...(id === undefined ? {} : { response_id: id }) });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || !this.#closed) return;
    if (socket.readyState === 0 || socket.readyState === OPEN) socket.close(1000, "call ended");
    const timer = new AbortController();
    await Promise.race([
      this.#closed,
      this.#clock.sleep(CLOSE_TIMEOUT_MS, timer.signal).catch(() => {}),
    ]);
    timer.abort();
  }

  // ---- internals ------------------------------------------------------------------------------

  #send(event: Record<string, unknown>): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(event));
  }

  #onOpen = (): void => {
    const options = this.#options;
    const format = this.#format === "audio/pcmu"
      ? { type: "audio/pcmu" }
      : { type: "audio/pcm", rate: 24000 };
    const session = withFields({
      type: "realtime",
      output_modalities: ["audio"],
      instructions: options.instructions ??
        "You are a helpful voice assistant on a phone call. Keep answers short.",
      audio: {
        input: { format, turn_detection: options.turnDetection ?? DEFAULT_TURN_DETECTION },
        output: { format, voice: options.voice ?? "marin" },
      },
    }, options.session ?? {});
    // The formats are `audioFormat`'s whatever `session` says: the audio is converted to them.
    const formats = { input: { format }, output: { format } };
    session.audio = withFields(isPlainObject(session.audio) ? session.audio : {}, formats);
    this.#send({ type: "session.update", session });
    this.#ready = true;
    for (const { audio } of this.#pending) this.#send({ type: "input_audio_buffer.append", audio });
    this.#pending = [];
    this.#pendingMs = 0;
  };

  #onMessage = (event: MessageEvent): void => {
    const events = this.#events!;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(String(event.data));
      if (typeof message !== "object" || message === null) throw new TypeError("not an object");
    } catch (error) {
      events.onError(new Error(`unreadable Realtime event: ${String(error)}`));
      return;
    }
    switch (message.type) {
      case "session.updated":
        this.#settle?.();
        return;
      case "response.output_audio.delta":
      case "response.audio.delta": // the beta's name
        return this.#audio(String(message.item_id), String(message.delta));
      case "response.output_audio.done":
      case "response.audio.done": // the beta's name
        return events.onAudioEnd(String(message.item_id));
      case "input_audio_buffer.speech_started":
        return events.onSpeechStarted();
      case "input_audio_buffer.speech_stopped":
        return events.onSpeechStopped?.();
      case "response.created": {
        // An id that is no string is no id: "undefined" would cancel nothing, and the service's
        // "no active response" answer to it is not reported (see `#error`).
        const id = (message.response as { id?: unknown } | undefined)?.id;
        this.#activeResponse = { id: typeof id === "string" ? id : undefined };
        return;
      }
      case "response.done":
        this.#activeResponse = undefined;
        return this.#responseDone(message.response as Record<string, unknown> | undefined);
      case "conversation.item.truncated":
        return events.onTruncated?.(String(message.item_id), Number(message.audio_end_ms));
      case "response.output_audio_transcript.done":
      case "response.audio_transcript.done": // the beta's name
        return events.onTranscript?.("model", String(message.transcript));
      case "conversation.item.input_audio_transcription.completed":
        return events.onTranscript?.("caller", String(message.transcript));
      case "error":
        return this.#error(message.error as Record<string, unknown> | undefined);
    }
  };

  #audio(itemId: string, delta: string): void {
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(delta);
    } catch (error) {
      // One bad delta is a gap in the answer, not the end of the call.
      this.#events!.onError(new Error(`unreadable audio delta of ${itemId}: ${String(error)}`));
      return;
    }
    if (this.#format === "audio/pcmu") bytes = pcm16Bytes(mulawDecode(bytes));
    else {
      // PCM16 deltas are not promised to end on a sample: keep an odd byte for the next one.
      const carry = this.#carry?.itemId === itemId ? this.#carry : undefined;
      this.#carry = undefined;
      if (carry) {
        const joined = new Uint8Array(bytes.length + 1);
        joined[0] = carry.byte;
        joined.set(bytes, 1);
        bytes = joined;
      }
      if (bytes.length % 2 === 1) {
        this.#carry = { itemId, byte: bytes[bytes.length - 1]! };
        bytes = bytes.subarray(0, bytes.length - 1);
      }
    }
    if (bytes.length > 0) this.#events!.onAudio(itemId, bytes);
  }

  #responseDone(response: Record<string, unknown> | undefined): void {
    // A failed answer comes with no `error` event: the caller hears silence, and only the
    // response's status details say why (quota, rate limit, a server error).
    if (response?.status !== "failed") return;
    const details = response.status_details as { error?: Record<string, unknown> } | undefined;
    const error = details?.error;
    this.#events!.onError(
      new Error(
        `OpenAI Realtime response ${String(response.id)} failed: ` +
          `${String(error?.type ?? "unknown")}${error?.code ? ` (${String(error.code)})` : ""}`,
      ),
    );
  }

  #error(error: Record<string, unknown> | undefined): void {
    // A cancel that crossed the response's own end on the wire: nothing was left to cancel.
    if (error?.code === "response_cancel_not_active") return;
    const problem = new Error(
      `OpenAI Realtime error ${String(error?.code ?? error?.type)}: ${String(error?.message)}`,
    );
    if (this.#settle) this.#settle(problem);
    else this.#events!.onError(problem);
  }

  #onSocketError = (event: Event): void => {
    const message = (event as ErrorEvent).message;
    if (typeof message === "string" && message !== "") this.#socketError = message;
  };

  #onClose = (event: CloseEvent): void => {
    const socket = this.#socket!;
    socket.removeEventListener("message", this.#onMessage);
    socket.removeEventListener("close", this.#onClose);
    socket.removeEventListener("open", this.#onOpen);
    socket.removeEventListener("error", this.#onSocketError);
    this.#ready = false;
    this.#onSocketClosed?.();
    const code = event.code || 1006;
    if (this.#setupFailed) return; // connect() rejected already: that was the news
    if (this.#settle) {
      // A wrong key is the usual cause, and the status is all that says so: name it.
      const why = this.#socketError === undefined ? "" : `: ${this.#socketError}`;
      const hint = /\b40[13]\b/.test(why) ? " (the API key was refused)" : "";
      this.#settle(
        new Error(
          `the Realtime WebSocket closed during setup (${code} ${event.reason})${why}${hint}`,
        ),
      );
      return;
    }
    this.#events!.onClose(code, event.reason ?? "");
  };
}

/**
 * `base` with `fields` merged in, objects key by key: `session: { audio: { input: { transcription
 * } } }` adds input transcription, it does not replace `audio` (and with it the formats, which the
 * service would then take as its default, 24 kHz PCM, while μ-law is sent). A format or a turn
 * detection is one value (one of several shapes), replaced whole.
 */
function withFields(
  base: Record<string, unknown>,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(fields)) {
    const whole = key === "format" || key === "turn_detection";
    out[key] = !whole && isPlainObject(value) && isPlainObject(base[key])
      ? withFields(base[key], value)
      : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
