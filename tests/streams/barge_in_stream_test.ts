import assert from "node:assert/strict";
import { BargeInStream, type InterruptResult, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

/** 20 ms of 16 kHz mono: a loud tone, or near-silence (a little hiss). */
function callerFrame(n: number, talking: boolean): Uint8Array {
  const samples = new Int16Array(320).map((_, i) =>
    talking ? 8000 * Math.sin((n * 320 + i) / 4) : ((n * 7 + i * 13) % 5) - 2
  );
  return new Uint8Array(samples.buffer);
}

async function talkOver(botSpeaksFirst: boolean) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: 32 });
  const bargeIns: InterruptResult[] = [];
  const piped = transport.readable
    .pipeThrough(new BargeInStream(transport, { onBargeIn: (r) => bargeIns.push(r) }))
    .pipeTo(new WritableStream());
  await clock.tick(0);
  if (botSpeaksFirst) {
    transport.send({
      type: "audio",
      audio: new Uint8Array(5000 * 32).fill(1),
      sampleRate: 16000,
      channels: 1,
      responseId: "answer",
    });
  }
  // The caller is quiet for a second, then talks (from 1000 ms of its audio on).
  for (let n = 0; n < 100; n++) {
    pair.client.send(callerFrame(n, n >= 50));
    await clock.tick(20);
  }
  pair.client.close(1000);
  await piped;
  return { farEnd, bargeIns, transport };
}

Deno.test("`BargeInStream` interrupts the bot when the caller talks over it, telling what was heard", async () => {
  const { farEnd, bargeIns } = await talkOver(true);
  assert.equal(bargeIns.length, 1);
  assert.equal(bargeIns[0]!.responseId, "answer");
  const heard = farEnd.playedMs(1);
  // The caller began at 1000 ms; the detector needs 200 ms of speech; then one chunk.
  assert.ok(heard >= 1000 && heard <= 1000 + 200 + 60 + 20, `the bot played ${heard} ms`);
  assert.ok(Math.abs(bargeIns[0]!.heardMs - heard) <= 250, `reported ${bargeIns[0]!.heardMs}`);
});

Deno.test("`BargeInStream` leaves a silent bot alone", async () => {
  const { bargeIns, transport } = await talkOver(false);
  assert.equal(bargeIns.length, 0);
  assert.equal(transport.stats.interruptions, 0);
});
