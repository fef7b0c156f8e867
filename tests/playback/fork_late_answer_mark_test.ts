// A bot's mark written just before an interruption, while an asynchronous serializer still works
// on the chunk after it: `ForkMarks` holds the mark's command for the next binary message, so it
// travels in that chunk's answer, which the sender drops once the clear (`killAudio`) has left
// (see fork_late_answer_after_interrupt_test.ts). Dropped, the module never heard of the mark and
// the bot waited for its answer forever. Had the command arrived in time, the module would have
// answered it `cleared` with the `killAudio` (lws_glue.cpp at 30f21899, dub_speech_frame :936-965:
// in-use and inventory marks answered "cleared"): the bot is told so now.
//
// The far end: the simulated module (tests/serializers/fixtures/fork_module_playout.ts).
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` answering audio later: a mark in an answer dropped after an interruption is answered cleared`, async () => {
    const { clock, transport, log, marks, replyMarkedBeforeStop } = lateForkCall(make);
    await clock.tick(10);
    await replyMarkedBeforeStop(); // the last chunk's answer, carrying the mark, still to come
    await transport.interrupt();
    await clock.tick(500);
    // Before: [] (the mark's command never left: nothing ever answered it).
    assert.deepEqual(marks, ["before-stop"], log.trace.join("\n"));
    // The module answered it `cleared`: it was never played.
    assert.deepEqual(
      log.answers.filter((a) => !a.name.startsWith("__")).map((a) => [a.name, a.event]),
      [["before-stop", "cleared"]],
      log.trace.join("\n"),
    );
    // The next reply plays, its marks answered in order (the name left no stale cleared entry).
    for (let n = 0; n < 10; n++) {
      transport.send(forkAudio(20, 102, "r2"));
      await clock.tick(20);
    }
    transport.send({ type: "mark", name: "after" });
    await clock.tick(1000);
    assert.deepEqual(marks, ["before-stop", "after"]);
    assert.ok(log.played.some(([, v]) => v === 102));
    await transport.close();
  });
}
