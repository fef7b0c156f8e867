// A fake of OpenAI's Realtime API (the GA interface, WebSocket transport), written from OpenAI's
// documentation, not from the bridge, so the two can catch each other's mistakes:
//
// - developers.openai.com/api/docs/guides/realtime-websocket: the endpoint
//   `wss://api.openai.com/v1/realtime?model=…`, `Authorization: Bearer <key>` on the handshake.
// - …/api/reference/resources/realtime/client-events: `session.update` (a `session` with
//   `type: "realtime"`; `audio.input.format` / `audio.output.format` one of `audio/pcm` (rate
//   24000 only), `audio/pcmu`, `audio/pcma`; `audio.input.turn_detection` null, `server_vad` or
//   `semantic_vad`; "voice can be updated only if there have been no other audio outputs yet"),
//   `input_audio_buffer.append` (`audio`: base64 in the input format),
//   `conversation.item.truncate` (`item_id` of an assistant message, `content_index` "Set this
//   to 0", `audio_end_ms`: "If the audio_end_ms is greater than the actual audio duration, the
//   server will respond with an error"), `response.cancel` (optional `response_id`).
// - …/server-events: `session.created` (the first event of a connection), `session.updated`,
//   `error` (`error.type`, `code`, `message`, `param`, `event_id` of the client event),
//   `input_audio_buffer.speech_started` (`audio_start_ms` "includes the prefix_padding_ms",
//   `item_id`), `input_audio_buffer.speech_stopped` (`audio_end_ms` "includes the
//   min_silence_duration_ms"), `input_audio_buffer.committed`, `conversation.item.added`,
//   `response.created`, `response.output_item.added`, `response.content_part.added`,
//   `response.output_audio.delta` (`response_id`, `item_id`, `output_index`, `content_index`,
//   `delta`), `response.output_audio.done`, `response.output_audio_transcript.done`,
//   `response.content_part.done`, `response.output_item.done`, `response.done` (`status`
//   completed or cancelled), `conversation.item.truncated`.
// - server VAD (`turn_detection` of the session): `interrupt_response` "automatically interrupt
//   (cancel) any ongoing response … when a VAD start event occurs", `create_response` "generate a
//   response when a VAD stop event occurs", `prefix_padding_ms` default 300,
//   `silence_duration_ms` default 500.
//
// Not from the reference, but from the service's observed behaviour as reported in
// openai/openai-agents-js#189: a `response.cancel` with no response in progress is an
// `invalid_request_error` with code `response_cancel_not_active`.
//
// The fake's own choices, where the documentation leaves the service free: its VAD is an energy
// threshold on the decoded input; an answer is a tone, streamed faster than real time
// (`deltaMs` of audio every `deltaEveryMs`); and a cancelled response may still deliver
// `lateDeltas` deltas that were in flight (the worst case for a bridge's stale-audio handling).
import { mulawDecode, mulawEncode } from "../../../src/audio/g711.ts";
import type { Clock } from "../../../src/clock.ts";
import { decodeBase64, encodeBase64 } from "../../../src/serializers/telephony/base64.ts";
import type { WebSocketLike } from "../../../src/socket.ts";

export interface FakeRealtimeOptions {
  clock: Clock;
  /** The only key the fake accepts. */
  apiKey: string;
  /** Each answer's length in ms of audio, in order (the last one repeats). */
  answersMs?: number[];
  /** Audio per `response.output_audio.delta`, in ms. */
  deltaMs?: number;
  /** Fake time between deltas: below `deltaMs`, i.e. faster than real time. */
  deltaEveryMs?: number;
  /** Deltas of a cancelled response still delivered after the cancellation (in flight). */
  lateDeltas?: number;
  /** Input windows louder than this (dBFS) are speech to the fake's VAD. */
  vadThresholdDbfs?: number;
  /** How long speech must last before the fake's VAD reports it (a real VAD takes a while). */
  vadStartMs?: number;
  /** Close every session (1011, as a server error would) at this fake time. */
  closeAtMs?: number;
  /** Upgrades a request (the lockstep's counting `accept`). */
  accept: (request: Request) => { socket: WebSocketLike; response: Response };
}

/** What the fake saw of one client session. */
export interface FakeSessionRecord {
  /** Every client event, with the fake time it arrived. */
  received: { atMs: number; type: string }[];
  /** What the client did that the documentation does not allow, in words. */
  violations: string[];
  /** Errors the fake sent. */
  errors: { code: string; message: string }[];
  /** The effective session configuration. */
  session: Record<string, unknown>;
  /** Accepted truncations. */
  truncates: { atMs: number; itemId: string; audioEndMs: number; itemAudioMs: number }[];
  /** Cancellations by `response.cancel`. */
  cancels: { atMs: number; responseId: string }[];
  /** `speech_started` events sent, with the input position (ms of audio appended). */
  speechStarts: { atMs: number; audioStartMs: number }[];
  /** The assistant items, in order: audio generated, how it ended, late audio after a cancel. */
  items: { id: string; audioMs: number; status: string; lateDeltas: number; lateMs: number }[];
  /** Milliseconds of input audio appended. */
  inputMs: number;
  /** How the connection closed. */
  closed: { code: number; reason: string } | null;
}

const CLIENT_EVENTS = new Set([
  "session.update",
  "input_audio_buffer.append",
  "input_audio_buffer.clear",
  "input_audio_buffer.commit",
  "conversation.item.create",
  "conversation.item.retrieve",
  "conversation.item.truncate",
  "conversation.item.delete",
  "response.create",
  "response.cancel",
]);
const SESSION_FIELDS = new Set([
  "type",
  "audio",
  "include",
  "instructions",
  "max_output_tokens",
  "model",
  "output_modalities",
  "parallel_tool_calls",
  "prompt",
  "reasoning",
  "tool_choice",
  "tools",
  "tracing",
  "truncation",
]);
const WINDOW_MS = 10;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The fake service: `Deno.serve` on 127.0.0.1:0 at `/v1/realtime`. */
export class FakeRealtimeServer {
  readonly sessions: FakeSessionRecord[] = [];
  /** Handshakes refused (wrong path, no model, bad key). */
  readonly refused: string[] = [];
  readonly url: string;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #running: Promise<void>[] = [];

  constructor(options: FakeRealtimeOptions) {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      const url = new URL(request.url);
      if (url.pathname !== "/v1/realtime") return this.#refuse(404, `path ${url.pathname}`);
      if (!url.searchParams.get("model")) return this.#refuse(400, "no model query parameter");
      if (request.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
        return this.#refuse(401, "missing or wrong Authorization: Bearer key");
      }
      const { socket, response } = options.accept(request);
      const session = new FakeSession(socket, options, url.searchParams.get("model")!);
      this.sessions.push(session.record);
      this.#running.push(session.done);
      return response;
    });
    this.url = `ws://127.0.0.1:${this.#server.addr.port}/v1/realtime`;
  }

  /** Waits for every session to end, then stops the server. */
  async close(): Promise<void> {
    await Promise.all(this.#running);
    await this.#server.shutdown();
  }

  #refuse(status: number, why: string): Response {
    this.refused.push(why);
    return new Response(JSON.stringify({ error: { message: why } }), { status });
  }
}

/** One connection: the documented event flow, on the shared clock. */
class FakeSession {
  readonly record: FakeSessionRecord;
  readonly done: Promise<void>;
  readonly #socket: WebSocketLike;
  readonly #options: FakeRealtimeOptions;
  readonly #clock: Clock;
  readonly #over = new AbortController();
  #ids = 0;
  #answers = 0;
  #audioOutput = false;
  #lastItem: string | null = null;
  // Input and VAD.
  #window: number[] = [];
  #speech: { itemId: string; quietMs: number } | null = null;
  /** Loud input not yet long enough to be speech: where it began, how long it has lasted. */
  #onset: { startMs: number; loudMs: number } | null = null;
  // The response under way.
  #active: { id: string; cancelled: boolean } | null = null;

  constructor(socket: WebSocketLike, options: FakeRealtimeOptions, model: string) {
    this.#socket = socket;
    this.#options = options;
    this.#clock = options.clock;
    this.record = {
      received: [],
      violations: [],
      errors: [],
      session: {
        type: "realtime",
        model,
        output_modalities: ["audio"],
        audio: {
          input: {
            format: { type: "audio/pcm", rate: 24000 },
            turn_detection: {
              type: "server_vad",
              threshold: 0.5,
              prefix_padding_ms: 300,
              silence_duration_ms: 500,
              create_response: true,
              interrupt_response: true,
            },
          },
          output: { format: { type: "audio/pcm", rate: 24000 }, voice: "alloy" },
        },
      },
      truncates: [],
      cancels: [],
      speechStarts: [],
      items: [],
      inputMs: 0,
      closed: null,
    };
    this.done = new Promise((resolve) => {
      socket.addEventListener("close", (event: CloseEvent) => {
        this.record.closed = { code: event.code, reason: event.reason };
        this.#over.abort();
        resolve();
      });
    });
    socket.addEventListener("open", () => {
      this.#send({ type: "session.created", session: this.record.session });
      const closeAt = options.closeAtMs;
      if (closeAt === undefined) return;
      this.#clock.sleep(closeAt - this.#clock.now(), this.#over.signal).then(
        () => socket.close(1011, "server error"),
        () => {/* closed before */},
      );
    });
    socket.addEventListener("message", (event: MessageEvent) => this.#receive(event.data));
  }

  // ---- client events ----------------------------------------------------------------------------

  #receive(data: unknown): void {
    let event: unknown;
    try {
      event = JSON.parse(String(data));
    } catch {
      return this.#reject("invalid_json", "the message is not JSON", null);
    }
    if (!isObject(event) || typeof event.type !== "string") {
      return this.#reject("invalid_event", "an event is an object with a string type", null);
    }
    const eventId = typeof event.event_id === "string" ? event.event_id : null;
    this.record.received.push({ atMs: this.#clock.now(), type: event.type });
    if (!CLIENT_EVENTS.has(event.type)) {
      return this.#reject("invalid_value", `Invalid value: '${event.type}'`, eventId);
    }
    switch (event.type) {
      case "session.update":
        return this.#sessionUpdate(event, eventId);
      case "input_audio_buffer.append":
        return this.#append(event, eventId);
      case "conversation.item.truncate":
        return this.#truncate(event, eventId);
      case "response.cancel":
        return this.#cancel(event, eventId);
      case "response.create":
        return void this.#respond(true);
    }
  }

  #sessionUpdate(event: Json, eventId: string | null): void {
    const session = event.session;
    if (!isObject(session) || session.type !== "realtime") {
      return this.#reject("missing_required_parameter", "session.type must be 'realtime'", eventId);
    }
    for (const key of Object.keys(session)) {
      if (!SESSION_FIELDS.has(key)) {
        return this.#reject("unknown_parameter", `Unknown parameter: 'session.${key}'`, eventId);
      }
    }
    const audio = session.audio;
    if (audio !== undefined) {
      if (!isObject(audio)) return this.#reject("invalid_type", "session.audio", eventId);
      for (const side of ["input", "output"] as const) {
        const config = audio[side];
        if (config === undefined) continue;
        if (!isObject(config)) return this.#reject("invalid_type", `audio.${side}`, eventId);
        const problem = formatProblem(config.format);
        if (problem) {
          return this.#reject("invalid_value", `audio.${side}.format: ${problem}`, eventId);
        }
      }
      const input = audio.input as Json | undefined;
      const vad = input?.turn_detection;
      if (
        vad !== undefined && vad !== null &&
        !(isObject(vad) && (vad.type === "server_vad" || vad.type === "semantic_vad"))
      ) {
        return this.#reject("invalid_value", "audio.input.turn_detection.type", eventId);
      }
      const output = audio.output as Json | undefined;
      const current = (this.record.session.audio as Json).output as Json;
      if (output?.voice !== undefined && output.voice !== current.voice && this.#audioOutput) {
        return this.#reject("cannot_update_voice", "voice after audio output", eventId);
      }
    }
    const modalities = session.output_modalities;
    if (
      modalities !== undefined &&
      !(Array.isArray(modalities) && modalities.length === 1 &&
        (modalities[0] === "audio" || modalities[0] === "text"))
    ) {
      return this.#reject("invalid_value", "output_modalities: ['audio'] or ['text']", eventId);
    }
    this.record.session = merge(this.record.session, session);
    this.#send({ type: "session.updated", session: this.record.session });
  }

  #append(event: Json, eventId: string | null): void {
    if (typeof event.audio !== "string") {
      return this.#reject("missing_required_parameter", "audio", eventId);
    }
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(event.audio);
    } catch {
      return this.#reject("invalid_value", "audio is not base64", eventId);
    }
    const format = this.#format("input");
    if (format === "audio/pcm" && bytes.length % 2 === 1) {
      return this.#reject("invalid_value", "audio/pcm is 16-bit: an even byte count", eventId);
    }
    const samples = format === "audio/pcm"
      ? new Int16Array(bytes.slice().buffer)
      : mulawDecode(bytes); // audio/pcma is not sent by the bridge; it would be A-law here
    this.#vad(samples, format === "audio/pcm" ? 24000 : 8000);
  }

  #truncate(event: Json, eventId: string | null): void {
    const item = this.record.items.find((i) => i.id === event.item_id);
    if (!item) {
      return this.#reject("invalid_value", `no assistant item ${String(event.item_id)}`, eventId);
    }
    if (event.content_index !== 0) return this.#reject("invalid_value", "content_index", eventId);
    const end = event.audio_end_ms;
    if (typeof end !== "number" || !Number.isInteger(end) || end < 0) {
      return this.#reject("invalid_value", "audio_end_ms is a non-negative integer", eventId);
    }
    if (end > item.audioMs) {
      return this.#reject(
        "invalid_value",
        `Audio content of ${item.audioMs}ms is already shorter than ${end}ms`,
        eventId,
      );
    }
    this.record.truncates.push({
      atMs: this.#clock.now(),
      itemId: item.id,
      audioEndMs: end,
      itemAudioMs: item.audioMs,
    });
    this.#send({
      type: "conversation.item.truncated",
      item_id: item.id,
      content_index: 0,
      audio_end_ms: end,
    });
  }

  #cancel(event: Json, eventId: string | null): void {
    const active = this.#active;
    const wanted = event.response_id;
    if (!active || active.cancelled || (wanted !== undefined && wanted !== active.id)) {
      return this.#reject(
        "response_cancel_not_active",
        "Cancellation failed: no active response found",
        eventId,
      );
    }
    this.record.cancels.push({ atMs: this.#clock.now(), responseId: active.id });
    active.cancelled = true;
  }

  // ---- server VAD ------------------------------------------------------------------------------

  #vad(samples: Int16Array, rate: number): void {
    const perWindow = (rate * WINDOW_MS) / 1000;
    const vad = ((this.record.session.audio as Json).input as Json).turn_detection as Json | null;
    for (const sample of samples) {
      this.#window.push(sample);
      if (this.#window.length < perWindow) continue;
      let energy = 0;
      for (const s of this.#window) energy += s * s;
      this.#window = [];
      const dbfs = 10 * Math.log10(energy / perWindow / (32768 * 32768) + 1e-12);
      this.record.inputMs += WINDOW_MS;
      if (!vad) continue;
      const loud = dbfs > (this.#options.vadThresholdDbfs ?? -40);
      const position = this.record.inputMs;
      if (loud && !this.#speech) {
        this.#onset ??= { startMs: position - WINDOW_MS, loudMs: 0 };
        this.#onset.loudMs += WINDOW_MS;
        if (this.#onset.loudMs > (this.#options.vadStartMs ?? 0)) {
          this.#speechStarted(this.#onset.startMs, vad);
          this.#onset = null;
        }
      } else if (!loud && !this.#speech) this.#onset = null;
      else if (loud && this.#speech) this.#speech.quietMs = 0;
      else if (this.#speech) {
        this.#speech.quietMs += WINDOW_MS;
        if (this.#speech.quietMs >= Number(vad.silence_duration_ms ?? 500)) {
          this.#speechStopped(position, vad);
        }
      }
    }
  }

  #speechStarted(startMs: number, vad: Json): void {
    const itemId = this.#id("item");
    this.#speech = { itemId, quietMs: 0 };
    const audioStartMs = Math.max(0, startMs - Number(vad.prefix_padding_ms ?? 300));
    this.record.speechStarts.push({ atMs: this.#clock.now(), audioStartMs });
    this.#send({
      type: "input_audio_buffer.speech_started",
      audio_start_ms: audioStartMs,
      item_id: itemId,
    });
    if (vad.interrupt_response !== false && this.#active && !this.#active.cancelled) {
      this.#active.cancelled = true;
    }
  }

  #speechStopped(endMs: number, vad: Json): void {
    const { itemId } = this.#speech!;
    this.#speech = null;
    this.#send({ type: "input_audio_buffer.speech_stopped", audio_end_ms: endMs, item_id: itemId });
    this.#send({
      type: "input_audio_buffer.committed",
      item_id: itemId,
      previous_item_id: this.#lastItem,
    });
    this.#send({
      type: "conversation.item.added",
      previous_item_id: this.#lastItem,
      item: { id: itemId, object: "realtime.item", type: "message", role: "user", content: [] },
    });
    this.#lastItem = itemId;
    if (vad.create_response !== false) void this.#respond(false);
  }

  // ---- responses -------------------------------------------------------------------------------

  async #respond(byClient: boolean): Promise<void> {
    if (this.#active) {
      // The client asked for one over another: its mistake. The VAD's own: none is started.
      if (byClient) {
        this.#reject("conversation_already_has_active_response", "a response is active", null);
      }
      return;
    }
    const answers = this.#options.answersMs ?? [3000];
    const totalMs = answers[Math.min(this.#answers, answers.length - 1)]!;
    const number = ++this.#answers;
    const responseId = this.#id("resp");
    const itemId = this.#id("item");
    const active = this.#active = { id: responseId, cancelled: false };
    const item = { id: itemId, audioMs: 0, status: "in_progress", lateDeltas: 0, lateMs: 0 };
    this.record.items.push(item);
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    const assistant = (status: string) => ({
      id: itemId,
      object: "realtime.item",
      type: "message",
      role: "assistant",
      status,
      content: [{ type: "output_audio", transcript: `answer ${number}` }],
    });
    this.#send({
      type: "response.created",
      response: { id: responseId, object: "realtime.response", status: "in_progress", output: [] },
    });
    this.#send({
      type: "response.output_item.added",
      response_id: responseId,
      output_index: 0,
      item: assistant("in_progress"),
    });
    this.#send({
      type: "conversation.item.added",
      previous_item_id: this.#lastItem,
      item: assistant("in_progress"),
    });
    this.#lastItem = itemId;
    this.#send({
      type: "response.content_part.added",
      ...ids,
      part: { type: "audio", transcript: "" },
    });
    const deltaMs = this.#options.deltaMs ?? 100;
    const format = this.#format("output");
    const rate = format === "audio/pcm" ? 24000 : 8000;
    let late = this.#options.lateDeltas ?? 3;
    while (item.audioMs < totalMs) {
      try {
        await this.#clock.sleep(this.#options.deltaEveryMs ?? 25, this.#over.signal);
      } catch {
        return; // the connection closed
      }
      if (active.cancelled && late-- <= 0) break;
      const ms = Math.min(deltaMs, totalMs - item.audioMs);
      const samples = tone(item.audioMs, ms, rate);
      const delta = encodeBase64(
        format === "audio/pcm" ? new Uint8Array(samples.buffer) : mulawEncode(samples),
      );
      this.#send({ type: "response.output_audio.delta", ...ids, delta });
      this.#audioOutput = true;
      item.audioMs += ms;
      if (active.cancelled) {
        item.lateDeltas++;
        item.lateMs += ms;
      }
    }
    const status = active.cancelled ? "cancelled" : "completed";
    item.status = status === "cancelled" ? "incomplete" : "completed";
    this.#send({ type: "response.output_audio.done", ...ids });
    this.#send({
      type: "response.output_audio_transcript.done",
      ...ids,
      transcript: `answer ${number}`,
    });
    this.#send({
      type: "response.content_part.done",
      ...ids,
      part: { type: "audio", transcript: `answer ${number}` },
    });
    this.#send({
      type: "response.output_item.done",
      response_id: responseId,
      output_index: 0,
      item: assistant(item.status),
    });
    this.#active = null;
    this.#send({
      type: "response.done",
      response: {
        id: responseId,
        object: "realtime.response",
        status,
        ...(status === "cancelled"
          ? { status_details: { type: "cancelled", reason: "turn_detected" } }
          : {}),
        output: [assistant(item.status)],
      },
    });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  #format(side: "input" | "output"): string {
    const config = (this.record.session.audio as Json)[side] as Json;
    return String((config.format as Json).type);
  }

  #reject(code: string, message: string, eventId: string | null): void {
    this.record.violations.push(`${code}: ${message}`);
    this.record.errors.push({ code, message });
    this.#send({
      type: "error",
      error: { type: "invalid_request_error", code, message, param: null, event_id: eventId },
    });
  }

  #send(event: Json): void {
    if (this.#socket.readyState !== 1) return;
    this.#socket.send(JSON.stringify({ event_id: this.#id("event"), ...event }));
  }

  #id(prefix: string): string {
    return `${prefix}_${(++this.#ids).toString().padStart(6, "0")}`;
  }
}

/** Why `format` is not a documented audio format, or null. */
function formatProblem(format: unknown): string | null {
  if (format === undefined) return null;
  if (!isObject(format)) return "not an object";
  if (format.type === "audio/pcm") {
    return format.rate === undefined || format.rate === 24000 ? null : "only 24000 Hz";
  }
  if (format.type === "audio/pcmu" || format.type === "audio/pcma") return null;
  return `unknown type ${JSON.stringify(format.type)}`;
}

/**
 * `base` with `update` merged in, objects key by key ("Only the fields that are present in the
 * session.update are updated"); a format and a turn detection are one value each (one of several
 * shapes), replaced whole.
 */
function merge(base: Json, update: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const whole = key === "format" || key === "turn_detection";
    out[key] = !whole && isObject(value) && isObject(base[key])
      ? merge(base[key] as Json, value)
      : value;
  }
  return out;
}

/** `ms` of a 440 Hz tone at -10 dBFS, from `fromMs` into the answer (continuous across deltas). */
function tone(fromMs: number, ms: number, rate: number): Int16Array {
  const start = Math.round((fromMs * rate) / 1000);
  const samples = new Int16Array(Math.round((ms * rate) / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(10000 * Math.sin((2 * Math.PI * 440 * (start + i)) / rate));
  }
  return samples;
}
