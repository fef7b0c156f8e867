import assert from "node:assert/strict";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import type { TransportError } from "../src/errors.ts";
import type { Frame } from "../src/frames.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { emptyStats } from "../src/transport_stats.ts";

const audio = (bytes: unknown, sampleRate = 16000, channels = 1) =>
  ({ type: "audio", audio: bytes, sampleRate, channels }) as Frame;

/** Each text names the frame (or frames) it is read as. */
const FRAMES: Record<string, Frame | Frame[]> = {
  good: audio(new Uint8Array(320)),
  stereo: audio(new Uint8Array(640), 16000, 2),
  rate: audio(new Uint8Array(320), 8000),
  odd: audio(new Uint8Array(321)),
  "odd stereo": audio(new Uint8Array(642), 16000, 2),
  array: audio([1, 2]),
  "no rate": audio(new Uint8Array(2), NaN),
  "no channels": audio(new Uint8Array(2), 16000, 0),
  mixed: [audio(new Uint8Array(2)), audio(new Uint8Array(3)), { type: "text", text: "hi" }],
  timed: { ...audio(new Uint8Array(320)), timestampMs: 40 } as Frame,
  "NaN time": { ...audio(new Uint8Array(320)), timestampMs: NaN } as Frame,
  "endless time": { ...audio(new Uint8Array(320)), timestampMs: Infinity } as Frame,
  "text time": { ...audio(new Uint8Array(320)), timestampMs: "40" } as unknown as Frame,
};

function decoder() {
  const serializer: FrameSerializer = {
    serialize: () => null,
    deserialize: (data) => FRAMES[data as string]!,
  };
  const frames: Frame[] = [];
  const errors: TransportError[] = [];
  const stats = emptyStats();
  const d = new InboundDecoder({
    serializer,
    maxMessageBytes: 100,
    stats,
    onFrame: (f) => frames.push(f),
    onError: (e) => errors.push(e),
  });
  d.start();
  return { d, frames, errors, stats };
}

Deno.test("inbound audio that is not what it says is a decode error, not a frame", () => {
  const { d, frames, errors, stats } = decoder();
  const bad = ["odd", "odd stereo", "array", "no rate", "no channels"];
  for (const name of ["good", ...bad, "stereo"]) d.receive(name);
  assert.deepEqual(frames, [FRAMES.good, FRAMES.stereo]);
  assert.equal(stats.decodeErrors, bad.length);
  assert.deepEqual(errors.map((e) => [e.code, e.fatal]), bad.map(() => ["decode", false]));
  assert.match(errors[0]!.message, /321 bytes/);
  assert.match(errors[2]!.message, /not a Uint8Array/);
});

Deno.test("a bad audio frame among a message's frames is dropped, the others handed on", () => {
  const { d, frames, errors, stats } = decoder();
  d.receive("mixed");
  const [first, , third] = FRAMES.mixed as Frame[];
  assert.deepEqual(frames, [first, third]);
  assert.equal(errors.length, 1);
  assert.equal(stats.decodeErrors, 1);
});

// The core does not resample: JSON and protobuf name each frame's rate (README, Limits).
Deno.test("inbound audio at another rate than audioIn's is taken, as its serializer named it", () => {
  const { d, frames, errors } = decoder();
  d.receive("rate");
  d.receive("odd");
  assert.deepEqual(frames, [FRAMES.rate]);
  assert.equal(errors.length, 1, "malformed audio is refused all the same");
});

// A serializer of one's own that reads a provider's media time wrongly: a NaN placed every frame
// as a new stretch in the recording (its resampler restarted each time), a string as text.
Deno.test("inbound audio whose timestampMs is not a finite number is a decode error, not a frame", () => {
  const { d, frames, errors, stats } = decoder();
  const bad = ["NaN time", "endless time", "text time"];
  for (const name of ["timed", ...bad, "good"]) d.receive(name);
  assert.deepEqual(frames, [FRAMES.timed, FRAMES.good]);
  assert.equal(stats.decodeErrors, bad.length);
  assert.deepEqual(errors.map((e) => [e.code, e.fatal]), bad.map(() => ["decode", false]));
  assert.match(errors[0]!.message, /timestampMs is a number \(NaN\)/);
  assert.match(errors[2]!.message, /timestampMs is a string/);
});
