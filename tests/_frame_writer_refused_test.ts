// A frame the transport refuses (malformed audio, no frame at all) written behind a write that
// waits for room: refused at once as `send` refuses it (an `encode` error), never thrown out of
// `write()` and never held as audio (which an interruption would then count as interrupted).
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { refusalSession as session } from "./_refusal_fixtures.ts";

/** `ms` of 16 kHz mono PCM16. */
function audio(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 32), sampleRate: 16000, channels: 1 };
}

const MALFORMED: [string, unknown][] = [
  ["audio null", { type: "audio", audio: null, sampleRate: 16000, channels: 1 }],
  ["no audio", { type: "audio", sampleRate: 16000, channels: 1 }],
  ["an Int16Array", { type: "audio", audio: new Int16Array(320), sampleRate: 16000, channels: 1 }],
  ["no frame (null)", null],
  ["an unknown type", { type: "nonsense" }],
];

for (const [name, frame] of MALFORMED) {
  Deno.test(`writer.write of ${name} behind a write waiting for room: refused, an encode error`, async () => {
    const { clock, transport, errors } = session();
    await clock.tick(1);
    const writer = transport.writable.getWriter();
    const waiting = writer.write(audio(1000)); // past maxQueuedMs: waits for room
    let written: Promise<void> | undefined;
    assert.doesNotThrow(() => written = writer.write(frame as Frame));
    await assert.doesNotReject(written!, "refused as send refuses it, not a failed stream");
    assert.equal(transport.stats.encodeErrors, 1);
    assert.deepEqual(errors, ["encode"]);
    // The stream goes on: what follows is sent.
    const after = writer.write(audio(20));
    await clock.tick(2000);
    await waiting;
    await after;
    assert.equal(transport.stats.audioBytesSent, 1020 * 32);
    void transport.close();
    await clock.tick(1000);
  });
}

Deno.test("a malformed frame written behind a waiting write is not interrupted audio when an interruption comes", async () => {
  const { clock, transport } = session();
  await clock.tick(1);
  const writer = transport.writable.getWriter();
  void writer.write(audio(1000));
  const bad = { type: "audio", audio: new Int16Array(320), sampleRate: 16000, channels: 1 };
  const held = writer.write(bad as unknown as Frame);
  const good = writer.write(audio(20)); // held, then overtaken by the interruption: interrupted
  const { droppedMs } = await transport.interrupt();
  await held;
  await good;
  const stats = transport.stats;
  assert.equal(stats.encodeErrors, 1);
  assert.ok(droppedMs >= 20, `droppedMs ${droppedMs} has the held good frame`);
  // The good held frame (640 bytes) and the queued audio are interrupted; the malformed one is not.
  assert.equal(stats.audioBytesSent + stats.audioBytesInterrupted, 1020 * 32);
  void transport.close();
  await clock.tick(1000);
});
