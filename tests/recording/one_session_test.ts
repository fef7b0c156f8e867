// A CallRecorder records one call. Observed by a second session (one recorder made once and
// handed to every call, a user mistake that looks natural), it used to lay both callers into one
// track and end when the first call ended, the second call's audio lost uncounted, nothing said.
import assert from "node:assert/strict";
import {
  CallRecorder,
  RawPcmSerializer,
  type TransportError,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

function session(clock: FakeClock) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  void transport.readable.pipeTo(new WritableStream());
  return { pair, transport, errors };
}

/** 20 ms of caller audio at 16 kHz, every sample `value`. */
const chunk = (value: number) => new Uint8Array(new Int16Array(320).fill(value).buffer);

/** Lets `ms` pass, each caller sending 20 ms of its value every 20 ms. */
async function talk(
  clock: FakeClock,
  ms: number,
  callers: { pair: MemorySocketPair; value: number }[],
): Promise<void> {
  for (let t = 0; t < ms; t += 20) {
    for (const { pair, value } of callers) pair.client.send(chunk(value));
    await clock.tick(20);
  }
}

const refusal = (error: unknown) =>
  error instanceof TypeError && /CallRecorder: observed by a second session/.test(error.message);

Deno.test("`CallRecorder` observed by a second session while the first is live: refused with a TypeError, the first call's recording undisturbed", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000, layout: "separate" });
  const wav = new Response(recorder.caller).arrayBuffer();
  void new Response(recorder.bot).arrayBuffer();
  const a = session(clock);
  const b = session(clock);
  a.transport.observe(recorder);
  assert.throws(() => b.transport.observe(recorder), refusal);
  await talk(clock, 1000, [{ pair: a.pair, value: 1000 }, { pair: b.pair, value: -1000 }]);
  // Call B goes on after A, and is not the recorder's to end.
  await talk(clock, 500, [{ pair: b.pair, value: -1000 }]);
  assert.equal(recorder.stopped, false, "call B's audio does not end A's recording either");
  await a.transport.close();
  await talk(clock, 500, [{ pair: b.pair, value: -1000 }]);
  await b.transport.close();
  await clock.tick(2000);
  const samples = new Int16Array((await wav).slice(44));
  assert.equal(samples.filter((s) => s < 0).length, 0, "none of call B's audio");
  assert.equal(samples.filter((s) => s === 1000).length, 16000, "all of call A's second");
  assert.deepEqual(recorder.stats.overrunMs, 0);
  assert.deepEqual([a.errors, b.errors], [[], []], "neither session is hurt");
});

Deno.test("`CallRecorder` observed by a second session after the first has ended: refused too (its recording is over)", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  const wav = new Response(recorder.readable).arrayBuffer();
  const a = session(clock);
  a.transport.observe(recorder);
  await talk(clock, 200, [{ pair: a.pair, value: 1000 }]);
  await a.transport.close();
  await clock.tick(0);
  assert.equal(recorder.stopped, true);
  const b = session(clock);
  assert.throws(() => b.transport.observe(recorder), refusal);
  assert.ok((await wav).byteLength > 44, "call A's recording is whole");
  await b.transport.close();
});

Deno.test("`CallRecorder` observed again by its own session (after `unobserve`) is not refused", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  void new Response(recorder.readable).arrayBuffer();
  const a = session(clock);
  const unobserve = a.transport.observe(recorder);
  await talk(clock, 100, [{ pair: a.pair, value: 1000 }]);
  unobserve();
  a.transport.observe(recorder);
  await a.transport.close();
  await clock.tick(0);
  assert.equal(recorder.stopped, true, "told its session's end");
});

Deno.test("`CallRecorder` observed twice by its own session records each event once", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  const wav = new Response(recorder.readable).arrayBuffer();
  const a = session(clock);
  a.transport.observe(recorder);
  a.transport.observe(recorder); // told everything twice: it used to place every frame twice
  await talk(clock, 100, [{ pair: a.pair, value: 1000 }]);
  a.transport.send({
    type: "audio",
    audio: new Uint8Array(new Int16Array(8000).fill(-1000).buffer), // half a second of the bot
    sampleRate: 16000,
    channels: 1,
  });
  await talk(clock, 900, [{ pair: a.pair, value: 1000 }]);
  await a.transport.close();
  await clock.tick(0);
  assert.equal(recorder.stopped, true);
  const samples = new Int16Array((await wav).slice(44));
  const caller = samples.filter((_, i) => i % 2 === 0);
  const bot = samples.filter((_, i) => i % 2 === 1);
  assert.equal(caller.filter((s) => s === 1000).length, 16000, "the caller's second, once");
  assert.equal(bot.filter((s) => s === -1000).length, 8000, "the bot's half second, once");
  assert.equal(recorder.stats.overrunMs, 0, "no caller audio found its place taken");
  assert.deepEqual(a.errors, []);
});

Deno.test("`CallRecorder` detached from its session (its `observe` undone) ends when the session does", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  let read = false;
  const wav = new Response(recorder.readable).arrayBuffer().finally(() => (read = true));
  const a = session(clock);
  const unobserve = a.transport.observe(recorder);
  await talk(clock, 500, [{ pair: a.pair, value: 1000 }]);
  unobserve(); // told nothing more, the session's end included: it waited for `stop()` forever
  await talk(clock, 500, [{ pair: a.pair, value: 1000 }]);
  await a.transport.close();
  await clock.tick(0);
  assert.equal(recorder.stopped, true, "over with its session");
  assert.equal(read, true, "its reader got the end"); // awaited below only once it has come
  const samples = new Int16Array((await wav).slice(44)).filter((_, i) => i % 2 === 0);
  assert.equal(samples.filter((s) => s === 1000).length, 8000, "what it was told, and no more");
  assert.equal(samples.length, recorder.stats.durationMs * 16, "silence to the session's end");
  assert.ok(recorder.stats.durationMs >= 1000, `${recorder.stats.durationMs} ms recorded`);
});
