// A bot writing in real time that falls a few ms behind within a reply, with the transport packing
// its audio into 100 ms packets (`fixedAudioPacketSize`): by the pacing estimate the far end ran
// dry before each late chunk (a new stretch, a few ms apart), but the chunks waited for their
// packet and left in it together, and the far end played the packet, and the reply, in one piece.
// The transport says so (`playoutMoved`: what follows the move's position plays back to back);
// the recording moved those stretches by as much as the first and kept the gaps between them:
// silence in the middle of the reply that the caller never heard, and the rest of it late.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { botRuns } from "../_stall_call.ts";

/** The far end's played stretches of byte `value`, joined where back to back, in ms. */
function playedRuns(farEnd: FakeFarEnd, value: number): string[] {
  const runs: [number, number][] = [];
  for (const { value: v, at, ms } of farEnd.played) {
    if (v !== value || ms === 0) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[1] === at) last[1] += ms;
    else runs.push([at, at + ms]);
  }
  return runs.map(([from, to]) => `${from}-${to}`);
}

for (const acks of [false, true]) {
  Deno.test(`\`CallRecorder\` records a reply whose chunks left together in packets as played, in one piece (${acks ? "acknowledged" : "raw PCM"})`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, {
      serializer: acks ? new MarkingSerializer() : new RawPcmSerializer(),
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      fixedAudioPacketSize: 3200, // 100 ms
      maxQueuedMs: 60_000,
      clock,
      ...(acks ? { playoutDelayMs: 100 } : {}),
    });
    const farEnd = new FakeFarEnd(clock, pair.client, {
      jitterMs: acks ? 100 : 0,
      bytesPerMs: 32,
      acks,
    });
    transport.receive(() => {});
    const recorder = new CallRecorder({ clock, sampleRate: 16000 });
    transport.observe(recorder);
    const wav = new Response(recorder.readable).arrayBuffer();
    // 2 s, a 20 ms frame at a time from 500 ms, each 0-9 ms into its slot.
    for (let n = 0; n < 100; n++) {
      await clock.tick(500 + 20 * n + (n * 7) % 10 - clock.now());
      transport.send({
        type: "audio",
        audio: new Uint8Array(640).fill(7),
        sampleRate: 16000,
        channels: 1,
        responseId: "r1",
      });
    }
    await clock.tick(5000 - clock.now());
    pair.client.close(1000);
    await transport.closed;
    const played = playedRuns(farEnd, 7);
    assert.equal(played.length, 1, `the far end played it in one piece: ${played}`);
    assert.deepEqual(botRuns(await wav), played);
    assert.equal(recorder.stats.lateMs, 0);
  });
}
