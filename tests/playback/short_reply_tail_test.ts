// A reply that is not whole chunks and never queued more than the quiet time: its part-chunk waits
// the quiet time (`sendAheadMs` or two chunks, the longer) after the last whole chunk before it
// left, as a real-time bot's frame waits for the next one to complete its chunk. The README says
// when that is a pause: where the audio before it runs out sooner, as after a reply of one to two
// chunks whose one chunk left at once. These tests hold the code to that paragraph.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const RATE = 8000;
const BYTES_PER_MS = (RATE / 1000) * 2;

function speech(ms: number, responseId = "r1") {
  const audio = new Uint8Array(ms * BYTES_PER_MS).fill(1);
  return { type: "audio" as const, audio, sampleRate: RATE, channels: 1, responseId };
}

/** A raw PCM session on the fake clock; `sent`: each audio message as `ms@time`. */
async function session(options: { chunkMs?: number; sendAheadMs?: number } = {}) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    clock,
    audioOut: {
      sampleRate: RATE,
      ...(options.chunkMs === undefined ? {} : { chunkMs: options.chunkMs }),
    },
    ...(options.sendAheadMs === undefined ? {} : { sendAheadMs: options.sendAheadMs }),
  });
  const sent: string[] = [];
  client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data === "string") return;
    sent.push(`${(data as ArrayBuffer).byteLength / BYTES_PER_MS}@${clock.now()}`);
  });
  await clock.tick(0);
  const end = async () => {
    client.close(1000);
    await clock.runAll();
  };
  return { clock, transport, sent, end };
}

Deno.test("defaults: a 50 ms reply sends its first chunk at once and its 10 ms end the quiet time (80 ms) later", async () => {
  const s = await session();
  s.transport.send(speech(50));
  const heard: number[] = [];
  for (let t = 10; t <= 100; t += 10) {
    await s.clock.tick(10);
    heard.push(s.transport.playback.heardMs);
  }
  // Until 80 this is a real-time bot's first 50 ms frame, whose next frame would complete the
  // chunk (utterance_tail_test: real-time 60 ms frames still go as whole chunks), so the end waits.
  assert.deepEqual(s.sent, ["40@0", "10@80"]);
  // The README's pause of one chunk: the first chunk has played by 40, the end leaves at 80.
  assert.deepEqual(heard, [10, 20, 30, 40, 40, 40, 40, 40, 50, 50]);
  await s.end();
});

Deno.test("defaults: a reply of two chunks or more, written at once, ends without a pause", async () => {
  for (const ms of [90, 110, 130, 170, 210, 250, 410]) {
    const s = await session();
    s.transport.send(speech(ms));
    await s.clock.tick(1000);
    const last = s.sent.at(-1)!;
    const [partMs, at] = last.split("@").map(Number) as [number, number];
    assert.equal(partMs, ms % 40, s.sent.join(" "));
    const runsOut = ms - partMs; // everything before the part was played back to back from 0
    assert.ok(at <= runsOut, `${ms} ms: the end left at ${at}, the rest ran out at ${runsOut}`);
    await s.end();
  }
});

Deno.test("defaults: a reply under a chunk leaves the quiet time after it was written", async () => {
  const s = await session();
  s.transport.send(speech(30));
  await s.clock.tick(200);
  assert.deepEqual(s.sent, ["30@80"]);
  await s.end();
});

Deno.test("defaults: a 50 ms reply followed 20 ms later by 70 ms more goes as whole chunks", async () => {
  const s = await session();
  s.transport.send(speech(50));
  await s.clock.tick(20);
  s.transport.send(speech(70)); // a TTS stream's next piece, before the first chunk ran out
  await s.clock.tick(500);
  assert.deepEqual(s.sent, ["40@0", "40@20", "40@40"]);
  await s.end();
});

Deno.test("defaults: a 50 ms reply and 50 ms more 20 ms later: whole chunks, the end the quiet time after the last", async () => {
  const s = await session();
  s.transport.send(speech(50));
  await s.clock.tick(20);
  s.transport.send(speech(50));
  await s.clock.tick(500);
  // The second chunk left at 20 and plays until 80: the end, due at 100, follows a 20 ms pause.
  assert.deepEqual(s.sent, ["40@0", "40@20", "20@100"]);
  await s.end();
});

Deno.test("200 ms chunks (Exotel's at 8 kHz): a 300 ms reply pauses one chunk before its end, a 500 ms one does not", async () => {
  const short = await session({ chunkMs: 200 });
  short.transport.send(speech(300));
  await short.clock.tick(1000);
  // The quiet time is 400 ms: the end leaves at 400, after the first chunk played from 0 to 200.
  assert.deepEqual(short.sent, ["200@0", "100@400"]);
  await short.end();

  const long = await session({ chunkMs: 200 });
  long.transport.send(speech(500));
  await long.clock.tick(1000);
  // Two chunks left at once and play until 400: the end leaves as they run out.
  assert.deepEqual(long.sent, ["200@0", "200@0", "100@400"]);
  await long.end();
});

Deno.test("sendAheadMs under a chunk: the end of a reply that waited for its slots pauses the difference", async () => {
  const s = await session({ chunkMs: 40, sendAheadMs: 20 });
  s.transport.send(speech(90));
  await s.clock.tick(500);
  // The second chunk leaves at 20 and plays until 80; the quiet time (80) after it is 100.
  assert.deepEqual(s.sent, ["40@0", "40@20", "10@100"]);
  await s.end();
});

Deno.test("an interruption while a short reply's end waits: none of it leaves after", async () => {
  const s = await session();
  s.transport.send(speech(50));
  await s.clock.tick(60); // the first chunk has played; its 10 ms end waits until 80
  const result = await s.transport.interrupt();
  assert.equal(result.droppedMs, 10);
  await s.clock.tick(500);
  assert.deepEqual(s.sent, ["40@0"]);
  // The next reply is a reply of its own: its first chunk leaves at once.
  s.transport.send(speech(40, "r2"));
  await s.clock.tick(10);
  assert.deepEqual(s.sent, ["40@0", "40@560"]);
  await s.end();
});
