// A serializer may name the least lead its far end needs (`FrameSerializer.minSendAheadMs`):
// mod_audio_fork (FreeSWITCH, jambonz) plays only whole batches of 640 samples from its pre-buffer,
// a 20 ms frame a tick (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp:108-116, :930-1050),
// so relayed in real time with the default one-chunk lead each batch completes just in time and
// its playout can run dry for a tick mid-reply. The option resolution takes that lead as the
// default `sendAheadMs`; a session's own value wins, a lower one too, without a word.
import assert from "node:assert/strict";
import { resolveTransportOptions } from "../src/transport_options.ts";
import { FreeSwitchSerializer } from "../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../src/serializers/jambonz.ts";
import type { FrameSerializer } from "../src/serializer.ts";

Deno.test("resolveTransportOptions takes the serializer's minSendAheadMs as the default sendAheadMs where it is longer", () => {
  assert.equal(resolveTransportOptions({}).sendAheadMs, 40, "one chunk without a serializer");
  assert.equal(resolveTransportOptions({}, {}).sendAheadMs, 40, "one chunk without a lead");
  assert.equal(resolveTransportOptions({}, { minSendAheadMs: 100 }).sendAheadMs, 100);
  const longChunks = { audioOut: { chunkMs: 200 } };
  assert.equal(resolveTransportOptions(longChunks, { minSendAheadMs: 100 }).sendAheadMs, 200);
});

Deno.test("resolveTransportOptions: a session's own sendAheadMs wins over the serializer's lead, a lower one too", () => {
  assert.equal(
    resolveTransportOptions({ sendAheadMs: 20 }, { minSendAheadMs: 100 }).sendAheadMs,
    20,
  );
  assert.equal(resolveTransportOptions({ sendAheadMs: 0 }, { minSendAheadMs: 100 }).sendAheadMs, 0);
  assert.equal(
    resolveTransportOptions({ sendAheadMs: 500 }, { minSendAheadMs: 100 }).sendAheadMs,
    500,
  );
});

Deno.test("resolveTransportOptions ignores a serializer lead that is no lead, and does not throw for it", () => {
  for (const minSendAheadMs of [NaN, -5, Infinity, "100" as unknown as number]) {
    const serializer = { minSendAheadMs } as Pick<FrameSerializer, "minSendAheadMs">;
    assert.equal(resolveTransportOptions({}, serializer).sendAheadMs, 40, String(minSendAheadMs));
  }
});

Deno.test("the mod_audio_fork serializers ask for a batch and a tick of lead at the rate their audio goes back at", () => {
  assert.equal(new FreeSwitchSerializer().minSendAheadMs, 100); // 640 samples at 8 kHz, and 20 ms
  assert.equal(new FreeSwitchSerializer({ sampleRate: 16000 }).minSendAheadMs, 60);
  assert.equal(
    new FreeSwitchSerializer({ sampleRate: 8000, streamSampleRate: 16000 }).minSendAheadMs,
    60,
  );
  // Without streamSampleRate the rate comes with the first message, after the transport is built:
  // 8 kHz's lead, the longest.
  assert.equal(new JambonzSerializer().minSendAheadMs, 100);
  assert.equal(new JambonzSerializer({ streamSampleRate: 16000 }).minSendAheadMs, 60);
  assert.equal(resolveTransportOptions({}, new JambonzSerializer()).sendAheadMs, 100);
});
