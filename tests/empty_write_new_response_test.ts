// An empty audio write (0 bytes) is no speech, but one that carries a new `responseId` still says
// that the response before it is over (README, "Responses": "a new id starts the next one"): the
// part of a chunk the chunker holds of that response is its end, and goes, as it does when the new
// response's first audio comes; `interrupt()` names the response whose audio it drops (README,
// "What the caller heard"), not the new one, none of whose audio was written. Before: the held end
// waited for the quiet time, and `interrupt()` named the empty write's response.
import assert from "node:assert/strict";
import { type Frame, JsonSerializer, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** `ms` of 16 kHz mono PCM16 of response `responseId`. */
function audio(ms: number, responseId: string): Frame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * 32),
    sampleRate: 16000,
    channels: 1,
    responseId,
  };
}

/** A 16 kHz JSON session in 20 ms chunks on the fake clock. */
function session(connecting: boolean) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting });
  const transport = new WebSocketTransport(pair.server, {
    serializer: new JsonSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  return { clock, transport };
}

for (const connecting of [true, false]) {
  const when = connecting ? "before the socket opens" : "once open";
  Deno.test(`an empty write of a new response ${when}: interrupt() names the response held as less than a chunk`, async () => {
    const { clock, transport } = session(connecting);
    await clock.tick(1);
    transport.send(audio(10, "r1")); // half a chunk: the chunker holds it
    transport.send(audio(0, "r2"));
    // r1's end: it leaves at once once open (its slot is due), not at the quiet time.
    assert.equal(transport.stats.audioBytesSent, connecting ? 0 : 320);
    const result = await transport.interrupt();
    assert.equal(result.responseId, "r1");
    assert.equal(result.droppedMs, 10);
    void transport.close();
    await clock.tick(1000);
    await transport.closed;
  });
}
