// A `clearMarks` after a reply's last audio left, its marker still waiting in the module's
// playout buffer and a part of a batch in its pre-buffer (the module plays only whole batches,
// jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899, `processIncomingBinary`
// :108-116); no audio and no mark follow until the bot's next interruption (a bot that clears its
// marks and interrupts at every barge-in, the transport's marks off). The command moved the
// mark's name to the module's cleared list (:321-331), and its marker took it off silently as it
// played (`dub_speech_frame` :994-1009). The serializer's own mark that tells it so must reach
// the module before that interruption: else the `killAudio` takes the marker for erased, sends a
// sentinel with no name on the list to take, and the sentinel takes the next reply's first mark's
// name (the in-use list), answered before its place played.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { botMarks, playOut, speakAt, wiredFork } from "./fixtures/fork_module.ts";
import { assertSentinelPerClearedName, replyAfterClear } from "./_fork_after_clear.ts";

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: forgotten markers that played with no audio after the clearMarks get no sentinel at a later interruption`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 300, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 30, 1000); // a's marker completes a batch; 80 samples stay in the pre-buffer
    assert.equal(w.module.playout.filter((v) => v === 0xffff).length, 1);
    assert.equal(w.module.pre.length, 80);
    w.send({ type: "message", message: { type: "clearMarks" } });
    playOut(w);
    await clock.tick(1000);
    w.frames(5);
    assert.deepEqual(w.module.cleared, [], "a's marker played and took its name off the list");
    w.send({ type: "interruption" });
    w.frames(3);
    await clock.tick(100);
    assertSentinelPerClearedName(w);
    await replyAfterClear(w, clock);
    assert.deepEqual(botMarks(w), ["d", "e", "f"]);
  });
}
