// Plivo's `<Stream>` streams L16 at 8 kHz unless its `contentType` says otherwise: Plivo's "Audio
// Stream" XML reference (docs.plivo.com/docs/voice/xml/audiostream), its attributes table, the
// `contentType` row: allowed `audio/x-l16;rate=8000`, `audio/x-l16;rate=16000` and
// `audio/x-mulaw;rate=8000`, "Default: audio/x-l16;rate=8000" (so too the `<Stream>` page of
// plivo.com/docs/voice-agents/audio-streaming/xml/stream, "audio/x-l16;rate=8000 … (default)").
// The simulated Plivo streamed μ-law when given no encoding, and the simulator's --help named
// μ-law as the default: a bot that read only the documented default was tested against a stream
// no `<Stream>` without a `contentType` makes. μ-law is still there for the asking.
import assert from "node:assert/strict";
import { farEndContext } from "./_context.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import type { FarEndOptions } from "../../../src/simulator/far_end.ts";
import { printedHelp } from "../_cli.ts";

interface Sent {
  event: string;
  start?: { mediaFormat: { encoding: string; sampleRate: number } };
  media?: { payload: string };
}

/** What the Plivo far end made with `options` sends: its `start`, and one 20 ms frame's media. */
function firstMessages(options: FarEndOptions): { start: Sent; payload: Uint8Array } {
  const sent: Sent[] = [];
  const farEnd = FAR_ENDS["plivo"]!(options);
  farEnd.open(farEndContext({ send: (message) => sent.push(JSON.parse(message as string)) }));
  // 160 samples of 0x1234: a frame at 8 kHz whose bytes tell L16 (little-endian) from μ-law.
  farEnd.sendAudio(new Int16Array(160).fill(0x1234));
  const media = sent.find((m) => m.event === "media")!;
  const payload = Uint8Array.from(atob(media.media!.payload), (c) => c.charCodeAt(0));
  return { start: sent.find((m) => m.event === "start")!, payload };
}

Deno.test("the Plivo far end given no encoding streams audio/x-l16 at 8000 Hz, Plivo's documented default", () => {
  const { start, payload } = firstMessages({});
  assert.deepEqual(start.start!.mediaFormat, { encoding: "audio/x-l16", sampleRate: 8000 });
  // 16-bit little-endian PCM, two bytes a sample.
  assert.equal(payload.length, 320);
  assert.deepEqual([...payload.subarray(0, 4)], [0x34, 0x12, 0x34, 0x12]);
});

Deno.test("the Plivo far end streams μ-law at 8000 Hz when asked for audio/x-mulaw", () => {
  const { start, payload } = firstMessages({ encoding: "audio/x-mulaw" });
  assert.deepEqual(start.start!.mediaFormat, { encoding: "audio/x-mulaw", sampleRate: 8000 });
  assert.equal(payload.length, 160, "one byte a sample");
});

Deno.test("the simulate CLI's --help names Plivo's default encoding first: audio/x-l16", async () => {
  const text = (await printedHelp()).replace(/\s+/g, " ");
  assert.match(text, /its default first \([^)]*; plivo audio\/x-l16 or audio\/x-mulaw;/);
});
