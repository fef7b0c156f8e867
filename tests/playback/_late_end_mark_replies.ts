// A bot writing short replies in real time, a second apart, to a Twilio-like far end
// (FakeFarEnd: marks answered as the audio before them has played), for the tests of what the
// answers to late end-of-speech marks teach (late_end_mark_*_test.ts).
import { WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const START = 1000;

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
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: call.sendAheadMs ?? 20, // the default: a chunk
    clock,
  });
  const lags: number[] = [];
  transport.observe({ playoutLag: ({ lagMs }) => lags.push(lagMs) });
  const starts: number[] = [];
  transport.addEventListener("speakingstart", () => starts.push(clock.now()));
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: delayMs,
    bytesPerMs: 32,
    oneWayMs: call.oneWayMs ?? 0,
  });
  transport.receive(() => {});
  await clock.tick(0);
  for (let reply = 1; reply <= count; reply++) {
    if (reply === call.grows?.before) farEnd.delayBy(call.grows.ms);
    for (let chunk = 0; chunk < chunks; chunk++) {
      transport.send({
        type: "audio",
        audio: new Uint8Array(640).fill(reply),
        sampleRate: 16000,
        channels: 1,
        responseId: `r${reply}`,
      });
      await clock.tick(20);
    }
    await clock.tick(1000);
  }
  const acknowledged = transport.stats.marksAcknowledged;
  pair.client.close(1000);
  await transport.closed;
  // When the far end began to play each reply, and when the transport said it did.
  const heard = starts.map((_, i) => farEnd.played.find((p) => p.value === i + 1)!.at);
  return { lags, starts, heard, acknowledged };
}
