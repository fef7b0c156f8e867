/**
 * An open session for the urgent-order tests: raw PCM at 16 kHz in 20 ms chunks on a fake clock,
 * a `MemorySocket` whose `sent` is the wire's order, and that wire read back as labels.
 *
 * @module
 */
import {
  type Frame,
  type FrameSerializer,
  type SessionObserver,
  type SpeakingEvent,
  type TransportError,
  type TransportOptions,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

export const SAMPLE_RATE = 16000;
export const BYTES_PER_MS = (SAMPLE_RATE * 2) / 1000;

/**
 * Opens a session on `serializer` (with `options`, if any). `wire()` labels each text message by its JSON's `name` ("clear"
 * for one without), and each run of audio messages as "audio<first byte>"; `audioBytes(value)` sums
 * the audio bytes on the wire whose first byte is `value`.
 */
export async function urgentWireSession(
  serializer: FrameSerializer,
  sendTimeoutMs = 5000,
  options: Pick<TransportOptions, "sendAheadMs" | "playoutDelayMs"> = {},
) {
  const clock = new FakeClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: SAMPLE_RATE, chunkMs: 20 },
    sendTimeoutMs,
    clock,
    ...options,
  });
  transport.receive(() => {});
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  await clock.tick(0);
  const wire = () => {
    const seen: string[] = [];
    for (const data of pair.server.sent) {
      const label = typeof data === "string"
        ? (JSON.parse(data) as { name?: string }).name ?? "clear"
        : `audio${(data as Uint8Array)[0]}`;
      if (seen.at(-1) !== label || !label.startsWith("audio")) seen.push(label);
    }
    return seen;
  };
  const audioBytes = (value: number) =>
    pair.server.sent
      .filter((data): data is Uint8Array => typeof data !== "string")
      .filter((data) => data[0] === value)
      .reduce((sum, data) => sum + data.length, 0);
  return { clock, pair, transport, errors, wire, audioBytes };
}

/** `ms` of the response `id`'s audio, every byte `value` (so its samples tell it apart). */
export const reply = (ms: number, id: string, value: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(BYTES_PER_MS * ms).fill(value),
  sampleRate: SAMPLE_RATE,
  channels: 1,
  responseId: id,
});

/**
 * A log of what the session tells, from now (`at()`): each interruption observers are told
 * ("interrupted@<ms> heard <position>"), each "speakingstart" and "speakingstop" ("<type>
 * <id>@<ms> heard <heardMs>[ <reason>]"), and what `more` tells, in the same observer as the
 * interruptions (so that what is told at one moment keeps its order).
 */
export function speakingLog(
  transport: WebSocketTransport,
  clock: FakeClock,
  more: (log: string[], at: () => number) => SessionObserver = () => ({}),
) {
  const t0 = clock.now();
  const at = () => clock.now() - t0;
  const log: string[] = [];
  transport.observe({
    interrupted: (info) => log.push(`interrupted@${at()} heard ${info.heardPosition}`),
    ...more(log, at),
  });
  for (const type of ["speakingstart", "speakingstop"]) {
    transport.addEventListener(type, (event) => {
      const { responseId, heardMs, reason } = event as SpeakingEvent;
      const why = reason === undefined ? "" : ` ${reason}`;
      log.push(`${type} ${responseId}@${at()} heard ${heardMs}${why}`);
    });
  }
  return { log, at };
}
