// A `clearMarks` makes mod_audio_fork forget its marks, yet their markers stay in its buffers:
// the command moves the names to its "cleared" list (jambonz/freeswitch-modules
// `mod_audio_fork/lws_glue.cpp` at 30f21899, `processIncomingMessage` :321-331), and each marker
// takes one name off that list silently as it plays (`dub_speech_frame` :994-1009). A
// `killAudio` before they play erases them (`dub_speech_frame` :936-965), and the names stay on
// the list with no marker left to take them: the module answers no forgotten mark, so nothing
// tells the serializer. It had dropped those markers from its count at the `clearMarks`, sent no
// sentinel for them, and every later mark was answered one marker late for the rest of the call
// (the transport's end-of-speech mark never, until the next reply). Driven through the module's
// code translated line by line (fixtures/fork_module.ts), for both serializers that speak to it.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { botMarks, speakAt, wiredFork } from "./fixtures/fork_module.ts";
import { play, replyAfterClear } from "./_fork_after_clear.ts";

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: a clearMarks then an interruption while the forgotten markers wait in the playout buffer leaves no name on the module's cleared list`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 300, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 30, 1000); // completes a batch: a's marker goes to the playout buffer
    assert.equal(w.module.playout.filter((v) => v === 0xffff).length, 1);
    w.send({ type: "message", message: { type: "clearMarks" } });
    w.frames(2);
    w.send({ type: "interruption" });
    await replyAfterClear(w, clock);
    assert.ok(!botMarks(w).includes("a"), "a was given up by the clear");
  });

  Deno.test(`${provider}: a clearMarks then an interruption while a forgotten marker waits in the pre-buffer leaves no name on the module's cleared list`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 180, 1000); // the first batch played, 160 samples held
    w.send({ type: "mark", name: "a" });
    speakAt(w, 20, 1000);
    assert.equal(w.module.pre.filter((v) => v === 0xffff).length, 1);
    w.send({ type: "message", message: { type: "clearMarks" } });
    w.frames(2);
    w.send({ type: "interruption" });
    await replyAfterClear(w, clock);
  });

  Deno.test(`${provider}: forgotten markers that played before a later interruption get no sentinel (the next reply's marks are not answered early)`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 300, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 100, 1000);
    w.send({ type: "message", message: { type: "clearMarks" } });
    speakAt(w, 100, 1000); // no mark of the bot's nor the transport's after the clear
    await play(w, clock, 80);
    assert.equal(w.module.playout.length, 0);
    speakAt(w, 400, 1000);
    w.frames(5);
    w.send({ type: "interruption" });
    await replyAfterClear(w, clock);
  });
}
