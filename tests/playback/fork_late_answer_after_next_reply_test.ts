// An interruption while an asynchronous serializer still works on a chunk of the reply it stops,
// its answer coming only after the next reply's first chunk is whole (a remote encoder whose time
// varies; that chunk is asked for only once the answer has come: see the comment in the test). The sender drops that answer (fork_late_answer_after_interrupt_test.ts), but the
// serializer had counted it into mod_audio_fork's pre-buffer, and cut the silence before
// `killAudio` short by as much: the stopped reply's end stayed in the pre-buffer (`killAudio`
// empties only the playout buffer), and the next reply's audio joined it there. Recovered only
// while `killAudio` was the last thing sent (fork_late_answer_pre_buffer_test.ts): once the next
// reply's audio had gone, the stopped reply's end opened it, and a bot's mark whose command
// travelled in that answer (fork_late_answer_mark_test.ts) was never answered.
//
// The far end: the simulated module (tests/serializers/fixtures/fork_module_playout.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899: processIncomingBinary
// :108-116, whole batches; processIncomingMessage :205-391, killAudio; dub_speech_frame :930-1050).
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

/** The stopped reply's last chunk (its tenth: 20 writes of 20 ms, 40 ms chunks) answers late. */
function lastChunkLate(): (frame: Frame) => number {
  let r1Chunks = 0;
  return (frame) =>
    frame.type === "audio" && frame.responseId === "r1" && ++r1Chunks === 10 ? 60 : 3;
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` answering a stopped reply's chunk after the next reply's: its end never plays`, async () => {
    const { clock, transport, log, marks, replyMarkedBeforeStop } = lateForkCall(
      make,
      lastChunkLate(),
    );
    await clock.tick(10);
    await replyMarkedBeforeStop(); // the last chunk's answer, carrying the mark, still to come
    const interrupted = transport.stats.audioBytesInterrupted;
    await transport.interrupt();
    const cutAt = clock.now();
    // The next reply at once. Its first chunk is whole 40 ms after the cut, but the pump's run
    // waits for the send under way (`OutboundPump`'s `#runAfter`): it is asked for only as the
    // stopped reply's last chunk is answered (60 ms), and answered 3 ms after that answer, which
    // the sender drops. So what the module has after the cut is all of the next reply's audio.
    for (let n = 0; n < 10; n++) {
      transport.send(forkAudio(20, 102, "r2"));
      await clock.tick(20);
    }
    await clock.tick(1000);
    // The late chunk was dropped (40 ms at 8 kHz), not sent.
    assert.equal(transport.stats.audioBytesInterrupted - interrupted, 40 * 16);
    const after = log.played.filter(([at]) => at > cutAt).map(([, sample]) => sample);
    // Before: [101, 101, 102, …]: the stopped reply's held end opened the next.
    assert.ok(after.length > 0 && after.every((sample) => sample === 102), `${after}`);
    // Before: [] (its command never reached the module).
    assert.deepEqual(marks, ["before-stop"], log.trace.join("\n"));
    await transport.close();
  });
}
