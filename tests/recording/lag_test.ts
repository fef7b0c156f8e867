// The bot's audio follows the far end's delay as acknowledgements teach it, even when every chunk
// of a spell left before the first acknowledgement came (no later chunk would move it).
import assert from "node:assert/strict";
import { call, collect, speech } from "./_call.ts";
import { parseWav, runs, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz

Deno.test("the bot's first short spell goes where the far end played it", async () => {
  const c = call({ jitterMs: 400 }); // MarkingSerializer: marks acknowledged once played
  const wav = collect(c.recorder.readable);
  await c.talk(200);
  c.transport.send(speech(500, 1, "hello"));
  await c.talk(3000);
  await c.hangUp();
  const bot = parseWav(await wav).samples[1]!;
  const [greeting] = runs(bot).filter((r) => r.value !== 0);
  const played = c.farEnd.played.find((s) => s.value === 1)!.at; // 600 ms
  assert.ok(Math.abs(greeting!.start / PER_MS - played) <= 20, `at ${greeting!.start / PER_MS}`);
  assert.equal(greeting!.length, 500 * PER_MS, "whole");
});

Deno.test("the bot's short spells sent before the first acknowledgement all follow the far end's delay", async () => {
  const c = call({ jitterMs: 400 });
  const wav = collect(c.recorder.readable);
  await c.talk(200);
  c.transport.send(speech(100, 1, "a"));
  await c.talk(200); // played out by the estimate: the next is a spell of its own
  c.transport.send(speech(100, 2, "b"));
  await c.talk(3000);
  await c.hangUp();
  const bot = parseWav(await wav).samples[1]!;
  const spells = runs(bot).filter((r) => r.value !== 0);
  assert.deepEqual(spells.map((r) => r.value), [sampleOf(1), sampleOf(2)]);
  for (const [i, spell] of spells.entries()) {
    const played = c.farEnd.played.find((s) => s.value === i + 1)!.at;
    assert.ok(Math.abs(spell.start / PER_MS - played) <= 20, `${i}: ${spell.start / PER_MS} ms`);
    assert.equal(spell.length, 100 * PER_MS, `${i}: whole`);
  }
});

Deno.test("CallRecorder: a reply that ended in a partial packet stays where it played when the next reply comes", async () => {
  // The first reply's end is a packet the packetizer held back, not a chunk: nothing about it may
  // reach the next reply's first chunk (it was taken for the old spell and moved the first reply).
  const c = call({
    acks: false,
    jitterMs: 60,
    transport: { fixedAudioPacketSize: 1000 },
    recorder: { layout: "separate" },
  });
  const bot = collect(c.recorder.bot);
  await c.talk(100);
  c.transport.send(speech(400, 0x30, "r1")); // 20 whole chunks, 12,800 bytes: a partial packet
  await c.talk(2000);
  c.transport.send(speech(400, 0x50, "r2"));
  await c.talk(1500);
  await c.hangUp();
  const samples = new Int16Array((await bot).buffer.slice(44));
  const firstMs = (value: number) => samples.findIndex((x) => x === value) / 16;
  assert.ok(
    firstMs(0x3030) < 300,
    `r1 (played from ~100 ms) recorded from ${firstMs(0x3030)} ms; r2 from ${firstMs(0x5050)} ms`,
  );
});
