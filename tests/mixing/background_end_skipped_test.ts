// Speech in another format than the transport's is sent unmixed, the background skipped on under
// it: a background whose end is skipped to has ended there, as one played to its end has.
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio, type BackgroundSource } from "../../mod.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };
/** 20 ms of speech at 8 kHz, which a 16 kHz transport sends unmixed. */
const speechAt8k: AudioFrame = {
  type: "audio",
  audio: new Uint8Array(320),
  sampleRate: 8000,
  channels: 1,
};

function attached(source: BackgroundSource) {
  const state = { ended: 0, errors: 0 };
  const background = new BackgroundAudio(source, {
    sampleRate: 16000,
    loop: false,
    fadeMs: 0,
    onEnded: () => state.ended++,
    onError: () => state.errors++, // the unmixed speech, reported once
  });
  background.attach(FORMAT, () => {});
  return { background, state };
}

Deno.test("`BackgroundAudio` played once whose end unmixed speech skipped to ends there, sending no chunk of silence after", () => {
  // 100 ms of track: three chunks played, the last two skipped under speech at 8 kHz.
  const { background, state } = attached(new Int16Array(1600).fill(3000));
  for (let i = 0; i < 3; i++) assert.notEqual(background.fill(), undefined);
  for (let i = 0; i < 2; i++) background.mix(speechAt8k);
  assert.equal(state.ended, 1, "ended where its end was skipped to");
  assert.equal(background.fill(), undefined, "nothing more to send");
  assert.equal(state.ended, 1);
});

Deno.test("`BackgroundAudio` streamed whose last audio unmixed speech skipped past ends there", async () => {
  // 40 ms of stream, then its end; the speech skips all of it.
  const stream = ReadableStream.from([new Uint8Array(1280).fill(7)]);
  const { background, state } = attached(stream);
  await new Promise((resolve) => setTimeout(resolve, 0)); // read to the stream's end
  assert.equal(state.ended, 0, "its audio still to play");
  for (let i = 0; i < 2; i++) background.mix(speechAt8k);
  assert.equal(state.ended, 1, "ended where its end was skipped to");
  assert.equal(background.fill(), undefined, "nothing more to send");
  background.detach();
});
