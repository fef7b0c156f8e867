// An interruption while an asynchronous serializer (a remote encoder, a worker:
// `FrameSerializer.serialize` may return a promise) still works on a chunk of the reply it stops:
// the clear (mod_audio_fork's `killAudio`) leaves at once, the chunk's answer after it. Sent then,
// that chunk reached the module after the clear and played (the module's pre-buffer holding it
// until the next reply completed a batch), audio of a reply the bot had stopped, counted neither
// heard nor dropped. It is dropped when its answer comes, counted in `audioBytesInterrupted`.
//
// The far end: the simulated module (tests/serializers/fixtures/fork_module_playout.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp: processIncomingMessage's killAudio,
// processIncomingBinary's batches).
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` answering audio later: a chunk answered after an interruption never leaves`, async () => {
    const { clock, pair, transport } = lateForkCall(make);
    // The levels of the audio messages that reached the module after its killAudio.
    let killed = false;
    const afterKill: number[] = [];
    pair.client.addEventListener("message", (e) => {
      const data = (e as MessageEvent).data;
      if (typeof data === "string") killed ||= data.includes("killAudio");
      else if (killed) {
        // Its first sample that is neither a marker (0xFFFF: the sentinels sent after a clear) nor
        // silence (what completes the pre-buffer's batch for a second killAudio: see
        // fork_late_answer_pre_buffer_test.ts).
        const view = new DataView(data as ArrayBuffer);
        let i = 0;
        while (i < view.byteLength && [0, 0xffff].includes(view.getUint16(i, true))) i += 2;
        if (i < view.byteLength) afterKill.push(view.getInt16(i, true));
      }
    });
    await clock.tick(10);
    for (let n = 0; n < 20; n++) {
      transport.send(forkAudio(20, 101, "r1"));
      await clock.tick(n < 19 ? 20 : 1); // the last one's answer still to come
    }
    const sent = transport.stats.audioBytesSent;
    const interrupted = transport.stats.audioBytesInterrupted;
    await transport.interrupt();
    await clock.tick(500);
    for (let n = 0; n < 10; n++) {
      transport.send(forkAudio(20, 102, "r2"));
      await clock.tick(20);
    }
    await clock.tick(1000);
    assert.ok(killed);
    // Before: [101, 102, ...]: r1's last chunk after the clear.
    assert.equal(afterKill[0], 102, "the stopped reply's audio never follows the clear");
    assert.ok(!afterKill.includes(101));
    // Before: r1's last chunk (40 ms) more.
    assert.equal(transport.stats.audioBytesSent - sent, 10 * 20 * 16, "r2's audio only");
    // Before: 0, that chunk counted sent. 40 ms: the transport's chunk (`chunkMs`'s default).
    assert.equal(transport.stats.audioBytesInterrupted - interrupted, 40 * 16, "r1's last chunk");
    await transport.close();
  });
}
