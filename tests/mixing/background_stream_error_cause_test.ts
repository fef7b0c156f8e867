// A streamed source that fails with something that is no `Error` (a string, an object) reaches
// `onError` as an `Error` naming it, with what was thrown as its `cause` for the application's
// own handling; one that cannot be read at all (locked by another reader) likewise.
import assert from "node:assert/strict";
import { BackgroundAudio } from "../../mod.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };

/** Settles the stream's pending read (it fails at once: no timer in it). */
const settleReads = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("`BackgroundAudio` whose stream fails with a value that is no Error tells onError an Error with it as cause", async () => {
  const thrown = { code: 42 };
  const stream = new ReadableStream<Uint8Array>({
    pull: () => Promise.reject(thrown),
  });
  const errors: Error[] = [];
  const background = new BackgroundAudio(stream, {
    sampleRate: 16000,
    onError: (error) => errors.push(error),
  });
  background.attach(FORMAT, () => {});
  assert.equal(background.playing, true);
  await settleReads();
  assert.equal(errors.length, 1);
  assert.equal(background.playing, false, "failed, it falls silent: no longer playing");
  assert.ok(errors[0] instanceof Error);
  assert.equal(errors[0].cause, thrown, "what the stream failed with, kept");
  background.detach();
});

Deno.test("`BackgroundAudio` whose stream another reader holds tells onError a TypeError with the refusal as cause", () => {
  const stream = new ReadableStream<Uint8Array>();
  const other = stream.getReader();
  const errors: Error[] = [];
  const background = new BackgroundAudio(stream, {
    sampleRate: 16000,
    onError: (error) => errors.push(error),
  });
  background.attach(FORMAT, () => {});
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof TypeError, "the stream cannot be read");
  assert.ok(errors[0].cause instanceof TypeError, `the refusal kept: ${errors[0].cause}`);
  background.detach();
  other.releaseLock();
});
