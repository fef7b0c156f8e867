// A bot writing short replies in real time, a second apart, to a Twilio-like far end
// (FakeFarEnd: marks answered as the audio before them has played), for the tests of what the
// answers to late end-of-speech marks teach (late_end_mark_*_test.ts).
import { type Clock, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const START = 1000;

/**
 * A session speaking raw PCM16 at 16 kHz in 20 ms chunks with marks (`MarkingSerializer`) on
 * `clock`, and `say`: a reply of `chunks` chunks of bytes `value`, written in real time.
 */
export function markingSession(
  clock: Clock & { tick(ms: number): Promise<void> },
  sendAheadMs = 20,
) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs, // by default a chunk, the transport's default
    clock,
  });
  transport.receive(() => {});
  /** One 20 ms chunk of response `r${value}`. */
  const chunk = (value: number) =>
    transport.send({
      type: "audio",
      audio: new Uint8Array(640).fill(value),
      sampleRate: 16000,
      channels: 1,
      responseId: `r${value}`,
    });
  const say = async (value: number, chunks: number) => {
    for (let n = 0; n < chunks; n++) {
      chunk(value);
      await clock.tick(20);
    }
  };
  return { pair, transport, chunk, say };
}

/**
 * What changes in {@linkcode replies}: more replies, a lead, a network between (`oneWayMs` each
 * way), a far end that falls behind.
 */
export interface Call {
  count?: number;
  sendAheadMs?: number;
  oneWayMs?: number;
  /** Before reply `before`, the far end's audio begins to wait `ms` longer. */
  grows?: { before: number; ms: number };
}

/** Four replies (or `count`) of `chunks` 20 ms chunks, written in real time, a second apart. */
export async function replies(delayMs: number, chunks: number, call: Call = {}) {
  const count = call.count ?? 4;
  const clock = new FakeClock(START);
  const { pair, transport, say } = markingSession(clock, call.sendAheadMs);
  const lags: number[] = [];
  transport.observe({ playoutLag: ({ lagMs }) => lags.push(lagMs) });
  const starts: number[] = [];
  transport.addEventListener("speakingstart", () => starts.push(clock.now()));
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: delayMs,
    bytesPerMs: 32,
    oneWayMs: call.oneWayMs ?? 0,
  });
  await clock.tick(0);
  for (let reply = 1; reply <= count; reply++) {
    if (reply === call.grows?.before) farEnd.delayBy(call.grows.ms);
    await say(reply, chunks);
    await clock.tick(1000);
  }
  const acknowledged = transport.stats.marksAcknowledged;
  pair.client.close(1000);
  await transport.closed;
  // When the far end began to play each reply, and when the transport said it did.
  const heard = starts.map((_, i) => farEnd.played.find((p) => p.value === i + 1)!.at);
  return { lags, starts, heard, acknowledged };
}
