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
import { botMarks, lastEndMark, reply, speakAt, wiredFork } from "./fixtures/fork_module.ts";

const NEW_REPLY = 2000;

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
    assert.equal(
      w.module.pre.filter((v) => v === 0xffff).length,
      w.module.cleared.length,
      "a sentinel for each name on the module's cleared list, none more",
    );
    reply(w, 200, "d", NEW_REPLY);
    const end = lastEndMark();
    w.frames(40);
    await clock.tick(100);
    w.frames(40);
    const d = w.module.events.find((e) => e.name === "d");
    assert.equal(d?.event, "playout");
    const heard = w.module.out.slice(0, d!.frame * 160).filter((v) => v === NEW_REPLY).length;
    assert.equal(heard / 8, 200, "ms of the new reply played when d was answered");
    assert.ok(w.marks.some((m) => m.name === end), "the reply's end-of-speech mark is answered");
    assert.deepEqual(botMarks(w), ["d"]);
    assert.deepEqual(w.reports, []);
  });
}
