// The stale-response gate remembers the 1,024 responses heard last (README, "No stale audio"): an
// interrupted response silent while 1,024 others began is forgotten, and should it send again its
// audio is taken for a new response's and played. The gate counted those it forgot where nobody
// read it; now `transport.stats.staleResponsesForgotten` (and `SessionMetrics`) holds the count,
// and the first is reported as an "encode" error, the session going on.
import assert from "node:assert/strict";
import {
  type Frame,
  JsonSerializer,
  SessionMetrics,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** JSON that keeps the response of every audio frame handed to `serialize`. */
class RecordingSerializer extends JsonSerializer {
  readonly audioOf: Array<string | undefined> = [];
  override serialize(frame: Frame) {
    if (frame.type === "audio") this.audioOf.push(frame.responseId);
    return super.serialize(frame);
  }
}

/** `ms` of 16 kHz mono PCM16 of response `responseId`. */
function audio(ms: number, responseId: string): Frame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * 32),
    sampleRate: 16000,
    channels: 1,
    responseId,
  };
}

Deno.test("`WebSocketTransport`: an interrupted response the gate forgets past 1,024 others is counted in stats and metrics, and the first reported", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new RecordingSerializer();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => void errors.push(e.error));
  transport.send(audio(40, "old"));
  transport.send(audio(40, "old-2"));
  await clock.tick(10);
  await transport.interrupt(); // both are stale from now on
  transport.send(audio(20, "old"));
  assert.equal(transport.stats.audioBytesStale, 20 * 32, "still remembered: dropped");
  // "old" is heard again above, so "old-2" is the one heard longest ago.
  for (let i = 0; i < 1023; i++) transport.send(audio(20, `r${i}`));
  assert.equal(transport.stats.staleResponsesForgotten, 1, '"old-2" forgotten to keep the bound');
  transport.send(audio(20, "r1023"));
  assert.equal(transport.stats.staleResponsesForgotten, 2, '"old" forgotten too');
  await clock.tick(0);
  assert.equal(errors.length, 1, "reported once, not once per forgotten response");
  assert.equal(errors[0]!.code, "encode");
  assert.equal(errors[0]!.fatal, false);
  assert.match(errors[0]!.message, /forgot an interrupted response.*staleResponsesForgotten/);
  // The documented limit the count stands for: "old" sends again and is played, not dropped.
  transport.send(audio(20, "old"));
  assert.equal(transport.stats.audioBytesStale, 20 * 32);
  await clock.tick(30_000);
  assert.equal(serializer.audioOf.at(-1), "old", "taken for a new response and sent");
  const snapshot = metrics.snapshot();
  assert.equal(snapshot.outbound.staleResponsesForgotten, 2);
  assert.match(metrics.summary(), / stale_forgotten=2 /);
  const instrument = SessionMetrics.instruments.find((i) =>
    i.snapshot === "outbound.staleResponsesForgotten"
  );
  assert.equal(instrument?.name, "voice.outbound.stale_forgotten");
  assert.equal(errors.length, 1);
  void transport.close();
  await clock.tick(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport`: fresh responses pushed out of the gate's memory count nothing", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new JsonSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => void errors.push(e.error));
  for (let i = 0; i < 1100; i++) transport.send(audio(20, `r${i}`)); // none interrupted
  await clock.tick(0);
  assert.equal(transport.stats.staleResponsesForgotten, 0);
  assert.deepEqual(errors, []);
  assert.doesNotMatch(metrics.summary(), /stale_forgotten/);
  void transport.close();
  await clock.tick(30_000);
  await transport.closed;
});
