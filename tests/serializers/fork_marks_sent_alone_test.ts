// Marks sent on their own (no audio with them: a reply's end already flushed, no audio for 40 ms),
// driven through mod_audio_fork's code translated line by line (fixtures/fork_module.ts;
// jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899). A `mark` command waits in
// the module's inventory (`processIncomingMessage`, :291-331); the next binary message puts a
// marker (0xFFFF) in its pre-buffer for each name still there (`processIncomingBinary`, :80-101),
// but a 20 ms tick that finds the playout buffer empty answers one inventory mark `playout` at
// once (`dub_speech_frame`, :1029-1041), and it then puts no marker in. The serializer cannot tell
// which came first: the answers may reach it only after the next reply's audio has gone. Counted
// as markers, they left the silence that completes the reply's last batch (:108-116) short by a
// sample each, the module's pre-buffer holding the reply's end, and every later reply's marks
// answered only with the next reply.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import {
  botMarks,
  lastEndMark,
  nextEndMark,
  playOut,
  reply,
  speakAt,
  type WiredFork,
  wiredFork,
} from "./fixtures/fork_module.ts";

/** Later replies, each one's marks answered as it plays, nothing of it left in the pre-buffer. */
function laterRepliesInStep(w: WiredFork): void {
  for (const name of ["d", "e", "f", "g", "h"]) {
    reply(w, 200, name);
    assert.equal(w.module.pre.length, 0, `nothing of reply ${name} held in the module`);
    playOut(w);
    assert.equal(botMarks(w).at(-1), name, `answered with its reply: ${botMarks(w)}`);
    assert.equal(w.marks.at(-1)?.name, lastEndMark(), "the reply's end mark with it");
  }
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: two marks sent on their own, answered on an empty tick after the next reply's audio went, leave the reply's end flushed and later marks in step`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    reply(w, 200, "a");
    playOut(w);
    assert.deepEqual(botMarks(w), ["a"]);
    // Two marks with no audio: the release timer (40 ms with no audio) sends them on their own.
    w.send({ type: "mark", name: "b" });
    w.send({ type: "mark", name: "c" });
    await clock.tick(40);
    assert.deepEqual(w.module.inventory, ["b", "c"], "sent alone, in the module's inventory");
    // The module's empty ticks answer them; the answers are still on their way.
    const deliver = w.module.onEvent;
    const held: string[] = [];
    w.module.onEvent = (json) => void held.push(json);
    w.frames(2);
    assert.equal(held.length, 2, "both answered from the inventory");
    // The next reply's audio and end mark go before the answers arrive.
    speakAt(w, 60, 1000);
    w.send({ type: "mark", name: nextEndMark() });
    w.module.onEvent = deliver;
    for (const json of held) deliver(json);
    assert.equal(w.module.pre.length, 0, "the reply's end flushed, none of it held in the module");
    playOut(w);
    assert.equal(w.marks.at(-1)?.name, lastEndMark(), "its end mark answered as it played");
    laterRepliesInStep(w);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: two marks sent on their own, answered mid-reply, leave the count exact: a batch that their markers would have completed is not taken for moved`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    reply(w, 200, "a");
    playOut(w);
    w.send({ type: "mark", name: "b" });
    w.send({ type: "mark", name: "c" });
    await clock.tick(40);
    const deliver = w.module.onEvent;
    const held: string[] = [];
    w.module.onEvent = (json) => void held.push(json);
    w.frames(2);
    speakAt(w, 20, 1000);
    w.module.onEvent = deliver;
    for (const json of held) deliver(json); // mid-reply: their markers never went in
    // Audio two samples short of the batch: counted with their markers, it completed the batch,
    // and the reply's end (the module still holding all of it) got no silence at all.
    const rest = new Int16Array(640 - 160 - 2).fill(1000);
    w.send({ type: "audio", audio: new Uint8Array(rest.buffer), sampleRate: 8000, channels: 1 });
    assert.equal(w.module.pre.length, 638);
    w.send({ type: "mark", name: nextEndMark() });
    assert.equal(w.module.pre.length, 0, "the reply's end flushed");
    // Its audio, the end mark's marker and the two samples of silence that complete the batch.
    assert.equal(w.module.playout.length, 641);
    playOut(w);
    assert.equal(w.marks.at(-1)?.name, lastEndMark(), "its end mark answered as it played");
    laterRepliesInStep(w);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: two marks sent on their own whose markers the next reply's audio did put in (no empty tick first) are answered as their place plays, later marks in step`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    reply(w, 200, "a");
    playOut(w);
    w.send({ type: "mark", name: "b" });
    w.send({ type: "mark", name: "c" });
    await clock.tick(40);
    // The next reply's audio reaches the module before its next tick: the markers go in.
    speakAt(w, 60, 1000);
    assert.deepEqual(w.module.inventory, []);
    assert.deepEqual(w.module.pre.slice(0, 2), [0xffff, 0xffff], "their markers open it");
    w.send({ type: "mark", name: nextEndMark() });
    assert.equal(w.module.pre.length, 0, "the reply's end flushed");
    playOut(w);
    assert.deepEqual(botMarks(w), ["a", "b", "c"]);
    assert.equal(w.marks.at(-1)?.name, lastEndMark());
    laterRepliesInStep(w);
    assert.deepEqual(w.reports, []);
  });
}
