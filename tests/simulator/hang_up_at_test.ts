// hangUpAtMs is a time of the caller's audio, and the caller hangs up then, not at the end of the
// frame it falls in: it was rounded up to the platform's frame (to 300 ms for 250 ms over
// Exotel's 100 ms frames) while the report said "as asked". The frame the hang-up cuts short is
// not sent (a platform sends whole frames).
// Bot and simulator on one FakeClock over real sockets (tests/_lockstep.ts): exact times.
import assert from "node:assert/strict";
import { callSilentBot } from "./_silent_bot_call.ts";

/** 1 s of silence at 8 kHz. */
const SECOND = { pcm: new Uint8Array(16000), sampleRate: 8000 };

for (const [protocol, frameMs] of [["exotel", 100], ["twilio", 20]] as const) {
  Deno.test(`${protocol}: the caller hangs up at hangUpAtMs, within a frame (${frameMs} ms)`, async () => {
    const report = await callSilentBot({ protocol, audio: SECOND, hangUpAtMs: 250 });
    assert.equal(report.ended.by, "caller");
    assert.equal(report.ended.atMs, 250);
    assert.equal(report.ended.detail, "the caller hung up at 0.25 s, as asked");
    assert.equal(report.callerAudioMs, Math.floor(250 / frameMs) * frameMs, "whole frames only");
  });
}

Deno.test("a hang-up on a frame's end comes with that frame, as before", async () => {
  const report = await callSilentBot({ protocol: "exotel", audio: SECOND, hangUpAtMs: 300 });
  assert.deepEqual([report.ended.atMs, report.callerAudioMs], [300, 300]);
});

Deno.test("hangUpAtMs at speed 2: half the time, in the audio and in the silence after it", async () => {
  const inAudio = await callSilentBot({
    protocol: "exotel",
    audio: SECOND,
    hangUpAtMs: 250,
    speed: 2,
  });
  assert.deepEqual([inAudio.ended.atMs, inAudio.callerAudioMs], [125, 200]);
  // 100 ms of audio (50 ms at speed 2); the silence after it goes in real time: 250 ms of caller
  // time is 50 + 150 ms of the call.
  const tenth = { pcm: new Uint8Array(1600), sampleRate: 8000 };
  const inSilence = await callSilentBot({
    protocol: "exotel",
    audio: tenth,
    hangUpAtMs: 250,
    speed: 2,
  });
  assert.deepEqual([inSilence.ended.atMs, inSilence.callerAudioMs], [200, 200]);
});

Deno.test("a keypress due before the hang-up, within the frame cut short, is made", async () => {
  const report = await callSilentBot({
    protocol: "twilio",
    audio: SECOND,
    hangUpAtMs: 250,
    dtmf: [{ atMs: 245, digit: "5" }, { atMs: 250, digit: "6" }],
  });
  assert.equal(report.ended.atMs, 250);
  assert.deepEqual(report.dtmf, { sent: 1, unsupported: 0, undetected: 0, afterEnd: 1 });
});

Deno.test("hangUpAtMs 0: the caller hangs up at once, having sent nothing", async () => {
  const report = await callSilentBot({ protocol: "twilio", audio: SECOND, hangUpAtMs: 0 });
  assert.deepEqual([report.ended.by, report.ended.atMs, report.callerAudioMs], ["caller", 0, 0]);
});
