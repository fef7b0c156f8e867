// The set-up of the tests of answers still due when a session closes (`*_due_at_*_test.ts`): a
// JSON serializer some of whose answers never come, and a session on the fake clock whose
// answers are bounded by a `sendTimeoutMs` (300 ms) shorter than the closing handshake may take
// (`closeTimeoutMs`, 1000 ms).
import {
  type Frame,
  type FrameSerializer,
  JsonSerializer,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/**
 * JSON, but the answer for each frame `stalls` picks never comes (a stalled lookup, a remote
 * encoder); `extra` overrides more of the serializer (`peerCloses`).
 */
export function neverAnswering(
  stalls: (frame: Frame) => boolean,
  extra: Partial<FrameSerializer> = {},
): FrameSerializer {
  const json = new JsonSerializer();
  const serialize = json.serialize.bind(json);
  return Object.assign(json, {
    ...extra,
    serialize: (frame: Frame) => stalls(frame) ? new Promise<never>(() => {}) : serialize(frame),
  }) as FrameSerializer;
}

/**
 * A session through `serializer` on a fake clock, 10 ms in, its errors collected;
 * `slowToAnswerClose`: the far end does not answer our close (the handshake waits it out).
 */
export async function dueSession(serializer: FrameSerializer, slowToAnswerClose = true) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    serializer,
    sendTimeoutMs: 300,
    closeTimeoutMs: 1000,
  });
  if (slowToAnswerClose) pair.client.answersClose = false;
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  await clock.tick(10);
  return { clock, pair, transport, errors };
}
