// Marks sent on their own (no audio with them) wait in mod_audio_fork's inventory; the next
// reply's first chunk counts their markers into the module's pre-buffer as it is taken. The
// serializer answers that chunk late (an asynchronous `serialize`, as a wrapper of the user's may
// make it), and meanwhile the module's 20 ms tick, its playout buffer empty, answers a mark from
// the inventory (`dub_speech_frame`, lws_glue.cpp:1029-1041 at 30f21899): its marker is dropped
// from the count (`ForkBuffers.markerAnswered`). Then the chunk's answer is a refusal (a remote
// encoder that failed): none of it reached the module, and its markers go back to the inventory,
// for the next binary message. The answered one went back with them: counted with the next chunk,
// a marker the module never held, it stayed in the count for the rest of the call; an
// interruption took it for erased, and the bot's `clearMarks` then sent the module a sentinel
// for it (`ForkMarks`, a marker for each mark the module would list as cleared), which the module
// played as a marker with no mark to answer, answering the next mark at the sentinel's place.
//
// The far end: the simulated module (tests/serializers/fixtures/fork_module_playout.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899: processIncomingBinary
// :80-116, markers and whole batches of 640 samples; dub_speech_frame :930-1050, a 20 ms frame a
// tick; its trace names what each marker played answered).
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import {
  FORK_SERIALIZERS,
  forkAudio,
  relayedInRealTime,
} from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

const REPLY_MS = 220;
const LATE_MS = 25;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`: a mark sent alone, answered from the inventory while the chunk that counted its marker waits for its answer, refused late, is not counted again: no sentinel is owed for it after an interruption`, async () => {
    let r2Chunks = 0;
    const refuses = (frame: Frame) =>
      frame.type === "audio" && frame.responseId === "r2" && ++r2Chunks === 1;
    const { clock, transport, log, marks } = lateForkCall(make, LATE_MS, { refuses });
    await clock.tick(10);
    await relayedInRealTime(clock, transport, log, 1, REPLY_MS);
    // Two marks with no audio: sent on their own once the serializer's release timer passes.
    transport.send({ type: "mark", name: "b" });
    transport.send({ type: "mark", name: "c" });
    for (let t = 0; t < 200 && !log.commands.some((c) => c.includes('"c"')); t++) {
      await clock.tick(1);
    }
    assert.ok(log.commands.some((c) => c.includes('"c"')), "sent alone");
    // Reply 2's first chunk right behind them, whole in one write so that it is taken at once;
    // the module's next empty tick answers a mark while its answer waits, and it is refused.
    transport.send(forkAudio(40, 102, "r2"));
    await relayedInRealTime(clock, transport, log, 2, REPLY_MS);
    assert.deepEqual(marks, ["b", "c"]);
    assert.equal(r2Chunks > 1, true);
    // Reply 3, interrupted; the bot clears its marks; reply 4, the bot's mark at its end.
    for (let t = 0; t < 150; t++) {
      if (t % 20 === 0) transport.send(forkAudio(20, 103, "r3"));
      await clock.tick(1);
    }
    await transport.interrupt();
    await clock.tick(100);
    transport.send({ type: "message", message: { type: "clearMarks" } });
    await clock.tick(100);
    for (let t = 0; t < 1400; t++) {
      if (t % 20 === 0 && t < 400) transport.send(forkAudio(20, 104, "r4"));
      if (t === 400) transport.send({ type: "mark", name: "d" });
      await clock.tick(1);
    }
    assert.deepEqual(marks, ["b", "c", "d"]);
    const unowed = log.trace.filter((entry) => entry.includes("marker -> undefined"));
    assert.deepEqual(unowed, [], "every marker the module played answered a mark it held");
    await transport.close();
  });
}
