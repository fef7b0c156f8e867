// A `clearMarks` crossing a marker's answer on the wire: the module's media tick answers a marker
// as it plays (`dub_speech_frame`, jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at
// 30f21899, :994-1009: `send_mark_event`, then the name is off the in-use list), while commands
// are read on the socket's thread (`processIncomingMessage` :321-331 moves only the names still
// in use to the cleared list). A marker that played before the module read the command leaves no
// name on that list; its `playout` answer reaches the serializer after the command left. A later
// `killAudio` must not send a sentinel for it: with no name on the cleared list to take, the
// sentinel takes the next mark's name (`:994-1009`, the in-use list), answered before its place.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { botMarks, speakAt, wiredFork } from "./fixtures/fork_module.ts";
import { assertSentinelPerClearedName, replyAfterClear } from "./_fork_after_clear.ts";

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: a forgotten marker whose playout answer crossed the clearMarks gets no sentinel at the next interruption`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 300, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 100, 1000); // a's marker goes to the playout buffer, 100 ms behind it
    assert.equal(w.module.playout.filter((v) => v === 0xffff).length, 1);
    // The module's answers wait on the wire while the clearMarks travels the other way.
    const deliver = w.module.onEvent;
    const onWire: string[] = [];
    w.module.onEvent = (json) => onWire.push(json);
    while (!w.module.events.some((e) => e.name === "a")) w.frames(1);
    assert.equal(w.module.events.find((e) => e.name === "a")?.event, "playout");
    w.send({ type: "message", message: { type: "clearMarks" } });
    assert.deepEqual(w.module.cleared, [], "a had played: the command found it in use no more");
    w.module.onEvent = deliver;
    for (const json of onWire) deliver(json);
    w.frames(2);
    assert.ok(w.module.playout.length > 0, "what followed a's marker still plays");
    w.send({ type: "interruption" });
    w.frames(2);
    assertSentinelPerClearedName(w);
    await replyAfterClear(w, clock);
    assert.deepEqual(botMarks(w), ["d", "e", "f"]);
  });
}
