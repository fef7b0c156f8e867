// Recording as heard, end to end through a transport on the fake clock, checked against what the
// fake far end really played and what the fake caller really said.
import assert from "node:assert/strict";
import { call, collect, MIC_MS, speech } from "./_call.ts";
import { count, parseWav, runs, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz
const CHUNK = 20 * PER_MS; // one chunk (and one microphone frame), in samples

const cases = [
  { jitterMs: 40, acks: true },
  { jitterMs: 100, acks: true },
  { jitterMs: 400, acks: true },
  // Without acknowledgements the transport is told the far end's delay.
  { jitterMs: 100, acks: false, transport: { playoutDelayMs: 100 } },
];

for (const setup of cases) {
  const name = `jitter ${setup.jitterMs} ms, ${setup.acks ? "acknowledged" : "estimated"}`;
  Deno.test(`\`CallRecorder\` keeps exactly what the caller heard of an interrupted response, aligned with the caller (${name})`, () =>
    interruptedCall(setup));
}

async function interruptedCall(setup: (typeof cases)[number]): Promise<void> {
  const c = call(setup);
  const wav = collect(c.recorder.readable);
  c.mic.value = 5; // the caller's line: quiet, but there
  await c.talk(200);
  c.transport.send(speech(4000, 1, "r1"));
  await c.talk(200);
  const playsFrom = c.farEnd.played[0]!.at;
  while (c.clock.now() < playsFrom + 1300) await c.talk(MIC_MS);
  // The caller barges in 1.3 s into the answer; the bot stops it at once.
  c.mic.value = 3;
  const cutAt = c.clock.now();
  await c.transport.interrupt();
  const heardTruth = c.farEnd.playedMs(1);
  // The bot's TTS goes on producing the interrupted answer for a while: stale, never sent.
  for (let t = 0; t < 500; t += MIC_MS) {
    c.transport.send(speech(MIC_MS, 1, "r1"));
    await c.talk(MIC_MS);
  }
  c.mic.value = 5;
  c.transport.send(speech(500, 2, "r2"));
  await c.talk(1500);
  await c.hangUp();
  const closedAt = c.clock.now();

  const { channels, sampleRate, samples } = parseWav(await wav);
  assert.equal(channels, 2);
  assert.equal(sampleRate, 16000);
  const [caller, bot] = samples as [Int16Array, Int16Array];
  assert.equal(caller.length, closedAt * PER_MS, "the whole call, start to hang-up");
  const at = (time: number) => time * PER_MS;

  // Bot: 1.3 s of r1 (what the far end played), where it played, in one piece; then r2, whole.
  const botRuns = runs(bot).filter((r) => r.value !== 0);
  assert.deepEqual(botRuns.map((r) => r.value), [sampleOf(1), sampleOf(2)], "no stale r1 after");
  const [r1, r2] = botRuns as [typeof botRuns[0], typeof botRuns[0]];
  assert.ok(Math.abs(heardTruth - 1300) <= 20, `the far end played ${heardTruth} ms`);
  assert.ok(
    Math.abs(r1.length - heardTruth * PER_MS) <= CHUNK,
    `recorded ${r1.length / PER_MS} ms of r1, heard ${heardTruth} ms`,
  );
  assert.ok(Math.abs(r1.start - at(playsFrom)) <= CHUNK, `r1 at ${r1.start / PER_MS} ms`);
  assert.equal(r2.length, 500 * PER_MS, "the next answer, all of it");
  const r2Truth = c.farEnd.played.find((s) => s.value === 2)!.at;
  assert.ok(Math.abs(r2.start - at(r2Truth)) <= CHUNK, "r2 where it played");

  // Caller: the barge-in begins where r1 stops, within a chunk; and where it was said.
  const callerRuns = runs(caller);
  const bargeIn = callerRuns.find((r) => r.value === sampleOf(3))!;
  assert.equal(bargeIn.start, at(cutAt), "the caller's speech where it was spoken");
  assert.equal(bargeIn.length, 500 * PER_MS);
  assert.ok(
    Math.abs(bargeIn.start - (r1.start + r1.length)) <= CHUNK,
    `barge-in at ${bargeIn.start / PER_MS} ms, r1 ends at ${(r1.start + r1.length) / PER_MS} ms`,
  );
  assert.equal(count(caller, 0), 0, "the caller's line is there throughout");
  assert.deepEqual(c.recorder.stats, {
    durationMs: closedAt,
    lateMs: 0,
    droppedMs: 0,
  });
  assert.equal(c.clock.pendingTimers, 0);
}

Deno.test("`CallRecorder` keeps memory flat through an hour-long call", async () => {
  // In a process of its own, where a full garbage collection can be asked for before each
  // measurement: what remains is what is held, not garbage waiting to be collected.
  const script = new URL("./_hour_long_call.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const report = JSON.parse(new TextDecoder().decode(stdout)) as {
    bytes: number;
    memory: { minute: number; heapUsed: number; external: number }[];
  };
  assert.equal(report.bytes, 44 + 3600 * 16000 * 4, "an hour of 16 kHz stereo: 230 MB streamed");
  const total = (m: { heapUsed: number; external: number }) => m.heapUsed + m.external;
  const [warm, ...rest] = report.memory;
  const growth = Math.max(...rest.map(total)) - total(warm!);
  // Holding even 2 % of the recording would take 4.6 MB; the recorder holds about a second.
  assert.ok(
    growth < 4e6,
    `memory grew ${(growth / 1e6).toFixed(1)} MB: ${JSON.stringify(report.memory)}`,
  );
});
