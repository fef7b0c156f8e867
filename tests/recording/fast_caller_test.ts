// Caller audio sent faster than real time: more than the call's time can hold. The recording stays
// the call's length, and every millisecond sent is in it or counted.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { stamped, StampedSerializer } from "./_call.ts";
import { count, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz
const BYTES_PER_MS = 32; // 16 kHz mono PCM16

function fastCall(stampedAudio = false) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: stampedAudio ? new StampedSerializer() : new RawPcmSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxMessageBytes: 4 << 20,
    clock,
  });
  const recorder = new CallRecorder({ clock, layout: "separate" });
  transport.observe(recorder);
  const wav = new Response(recorder.caller).arrayBuffer();
  void new Response(recorder.bot).arrayBuffer();
  /** Ends the call; the caller's samples. */
  async function hangUp(): Promise<Int16Array> {
    client.close(1000);
    await transport.closed;
    return new Int16Array(await wav, 44);
  }
  return { clock, client, recorder, hangUp };
}

/** Milliseconds of `value`'s audio in `samples`. */
const msOf = (samples: Int16Array, value: number) => count(samples, sampleOf(value)) / PER_MS;

Deno.test("`CallRecorder` records or counts caller audio that comes faster than real time: one long message", async () => {
  const { clock, client, recorder, hangUp } = fastCall();
  for (let i = 0; i < 100; i++) {
    await clock.tick(20);
    client.send(new Uint8Array(20 * BYTES_PER_MS).fill(1));
  }
  client.send(new Uint8Array(30_000 * BYTES_PER_MS).fill(2)); // 30 s of the caller in one message
  for (let i = 0; i < 100; i++) {
    await clock.tick(20);
    client.send(new Uint8Array(20 * BYTES_PER_MS).fill(3));
  }
  const samples = await hangUp();
  const { durationMs, lateMs, droppedMs, overrunMs } = recorder.stats;
  assert.equal(samples.length, 4000 * PER_MS, "the call's length");
  assert.equal(durationMs, 4000);
  const recorded = [1, 2, 3].map((value) => msOf(samples, value));
  const what = `recorded ${recorded}, late ${lateMs}, dropped ${droppedMs}, overrun ${overrunMs}`;
  // The audio after the long message is all there (the newest wins); of the 2 s before it and
  // the 30 s message, what is not recorded is counted.
  assert.equal(recorded[2], 2000, what);
  assert.equal(recorded[0]! + recorded[1]! + lateMs + droppedMs + overrunMs, 32_000, what);
  assert.ok(recorded[0]! > 0 && recorded[1]! > 0, what);
});

Deno.test("`CallRecorder` records or counts caller audio that comes faster than real time: a sender ten times too fast", async () => {
  const { clock, client, recorder, hangUp } = fastCall();
  // 100 s of audio in 10 s: 20 ms every 2 ms.
  for (let i = 0; i < 5000; i++) {
    await clock.tick(2);
    client.send(new Uint8Array(20 * BYTES_PER_MS).fill(1));
  }
  const samples = await hangUp();
  const { lateMs, droppedMs, overrunMs } = recorder.stats;
  // The call's length: from the first frame's start, 18 ms before its arrival, to the hang-up.
  assert.equal(samples.length, 10_018 * PER_MS, "the call's length");
  const recorded = msOf(samples, 1);
  const what = `recorded ${recorded}, late ${lateMs}, dropped ${droppedMs}, overrun ${overrunMs}`;
  assert.ok(recorded >= 9900, what);
  assert.equal(recorded + lateMs + droppedMs + overrunMs, 100_000, what);
});

Deno.test("`CallRecorder` keeps the call's length and counts what does not fit when one message holds more than a minute", async () => {
  for (const stampedAudio of [false, true]) {
    const { clock, client, recorder, hangUp } = fastCall(stampedAudio);
    const message = (ms: number, value: number, at: number) =>
      stampedAudio ? stamped(at, ms, value) : new Uint8Array(ms * BYTES_PER_MS).fill(value);
    await clock.tick(1000);
    client.send(message(20, 1, 0));
    client.send(message(90_000, 2, 20)); // 90 s, more than the recorder holds ahead
    await clock.tick(3000);
    const samples = await hangUp();
    const { lateMs, droppedMs, overrunMs } = recorder.stats;
    const recorded = msOf(samples, 1) + msOf(samples, 2);
    const what = `stamped ${stampedAudio}: recorded ${recorded}, late ${lateMs}, ` +
      `dropped ${droppedMs}, overrun ${overrunMs}`;
    assert.equal(samples.length, 4000 * PER_MS, `the call's length (${what})`);
    assert.equal(recorded + lateMs + droppedMs + overrunMs, 90_020, what);
  }
});
