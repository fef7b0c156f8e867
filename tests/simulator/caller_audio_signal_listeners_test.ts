// `CallerAudio.read(count, signal)` waits for its stream until the samples come or `signal`
// aborts. Each wait added a listener to `signal` that stayed once the samples had come: reads
// that share one signal for a whole run (a caller loop's own `AbortSignal`) piled up a listener,
// and what it holds, per wait, kept until the signal aborts, or for good.
import assert from "node:assert/strict";
import { CallerAudio } from "../../src/simulator/caller_audio.ts";

Deno.test("CallerAudio: a read that waited on its stream leaves no listener on its signal", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const audio = new CallerAudio({ pcm: readable, sampleRate: 8000 }, { sampleRate: 8000 });
  const run = new AbortController();
  let listening = 0;
  const signal = run.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<AbortSignal["addEventListener"]>) => {
    listening++;
    add(...args);
  }) as AbortSignal["addEventListener"];
  signal.removeEventListener = ((...args: Parameters<AbortSignal["removeEventListener"]>) => {
    listening--;
    remove(...args);
  }) as AbortSignal["removeEventListener"];
  for (let frame = 0; frame < 5; frame++) {
    const read = audio.read(160, signal); // the stream has nothing yet: it waits
    void writer.write(new Uint8Array(320));
    assert.equal((await read)?.length, 160);
    assert.equal(listening, 0, `frame ${frame}: listeners left on the signal`);
  }
  await writer.close();
});
