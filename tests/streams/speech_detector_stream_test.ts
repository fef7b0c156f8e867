import assert from "node:assert/strict";
import { type AudioFrame, type Frame, SpeechDetectorStream, type SpeechEvent } from "../../mod.ts";
import { assertRefusesAudioNotBytes } from "./_audio_not_bytes.ts";

/** 20 ms frames of 16 kHz mono: `loud[n]` says whether frame n carries a -20 dBFS tone. */
function frames(loud: boolean[]): AudioFrame[] {
  return loud.map((on, n) => {
    const samples = new Int16Array(320).map((_, i) =>
      on ? 4634 * Math.sin((2 * Math.PI * 440 * (n * 320 + i)) / 16000) : ((i * 7919) % 61) - 30
    );
    return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: 16000, channels: 1 };
  });
}

const pattern = (silent: number, loud: number, after: number) => [
  ...Array<boolean>(silent).fill(false),
  ...Array<boolean>(loud).fill(true),
  ...Array<boolean>(after).fill(false),
];

Deno.test("`SpeechDetectorStream` passes every frame on untouched and in order", async () => {
  const input: Frame[] = [
    { type: "start", streamId: "s" },
    ...frames(pattern(10, 20, 40)),
    { type: "dtmf", digit: "5" },
    { type: "end" },
  ];
  const events: SpeechEvent[] = [];
  const stream = new SpeechDetectorStream({ onSpeech: (event) => events.push(event) });
  const output = await Array.fromAsync(ReadableStream.from(input).pipeThrough(stream));
  assert.equal(output.length, input.length);
  output.forEach((frame, i) => assert.equal(frame, input[i], "the same object, not a copy"));
  assert.deepEqual(events.map((e) => [e.type, e.atMs]), [["speechstart", 200], [
    "speechstop",
    600,
  ]]);
});

Deno.test("`SpeechDetectorStream` calls onSpeech before it passes on the frame that completed it", async () => {
  const log: string[] = [];
  const input = frames(pattern(10, 20, 40));
  const stream = new SpeechDetectorStream({
    onSpeech: (event) => log.push(event.type),
    minSpeechMs: 100,
    minSilenceMs: 200,
  });
  const recorder = new WritableStream<Frame>({
    write: (frame) => void log.push(`frame ${input.indexOf(frame as AudioFrame)}`),
  });
  await ReadableStream.from(input).pipeThrough(stream).pipeTo(recorder);
  // The tone starts at frame 10; 100 ms later (end of frame 14) the start is reported, before
  // frame 14 goes on. The silence from frame 30 is reported at the end of frame 39.
  const at = (entry: string) => log.indexOf(entry);
  assert.equal(at("speechstart"), at("frame 14") - 1);
  assert.equal(at("speechstop"), at("frame 39") - 1);
});

Deno.test("`SpeechDetectorStream` says whether the caller is speaking", async () => {
  const stream = new SpeechDetectorStream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const input = frames(pattern(10, 20, 40));
  const seen: boolean[] = [];
  for (const frame of input) {
    const read = reader.read(); // the readable side holds nothing: a read lets the write through
    await writer.write(frame);
    await read;
    seen.push(stream.speaking);
  }
  // Speech from 200 ms, reported 200 ms later (end of frame 19), until 500 ms of silence after
  // 600 ms (end of frame 54).
  assert.deepEqual(seen, [
    ...Array(19).fill(false),
    ...Array(35).fill(true),
    ...Array(16).fill(false),
  ]);
  const closed = reader.read();
  await writer.close();
  assert.equal((await closed).done, true);
});

Deno.test("`SpeechDetectorStream` stops speech under way at an end frame and at the end of the stream", async () => {
  for (const tail of [[{ type: "end" }], []] as Frame[][]) {
    const events: SpeechEvent[] = [];
    const stream = new SpeechDetectorStream({ onSpeech: (event) => events.push(event) });
    const input = [...frames(pattern(10, 30, 0)), ...tail];
    await Array.fromAsync(ReadableStream.from(input).pipeThrough(stream));
    assert.deepEqual(events.map((e) => [e.type, e.atMs]), [["speechstart", 200], [
      "speechstop",
      800,
    ]]);
  }
});

Deno.test("`SpeechDetectorStream` errors the stream when onSpeech throws", async () => {
  const stream = new SpeechDetectorStream({
    onSpeech: () => {
      throw new Error("bot crashed");
    },
  });
  await assert.rejects(
    Array.fromAsync(ReadableStream.from(frames(pattern(10, 20, 0))).pipeThrough(stream)),
    /bot crashed/,
  );
});

Deno.test("`SpeechDetectorStream` errors on audio that is no Uint8Array, naming it", async () => {
  await assertRefusesAudioNotBytes(() => new SpeechDetectorStream());
});

Deno.test("`SpeechDetectorStream` hears speech from the first sample whose pauses are digital silence", async () => {
  // A trimmed TTS file: a tone in frames 0-49 and 100-149, exact zeros between and after.
  const audio: Frame[] = Array.from({ length: 250 }, (_, n) => {
    const tone = n < 50 || (n >= 100 && n < 150);
    const s = new Int16Array(320).map((_, i) => tone ? 8000 * Math.sin((n * 320 + i) / 4) : 0);
    return { type: "audio", audio: new Uint8Array(s.buffer), sampleRate: 16000, channels: 1 };
  });
  const events: SpeechEvent[] = [];
  await Array.fromAsync(
    ReadableStream.from(audio).pipeThrough(
      new SpeechDetectorStream({ onSpeech: (event) => events.push(event) }),
    ),
  );
  // The first tone set the floor and is not speech to the detector; the pause after it lowers the
  // floor, as a silent start would, and the second tone is.
  const times = events.map((event) => [event.type, event.atMs]);
  assert.deepEqual(times, [["speechstart", 2000], ["speechstop", 3000]]);
});
