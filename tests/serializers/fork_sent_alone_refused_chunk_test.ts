// A mark sent on its own (no audio with it) waits in mod_audio_fork's inventory; a 20 ms tick
// that finds the playout buffer empty (and no mark in use) answers it from there at once, and the
// next binary message then puts no marker in for it (`dub_speech_frame`, :1029-1041;
// `processIncomingBinary`, :80-101; jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at
// 30f21899). The serializer counts that marker into the pre-buffer with the next chunk, in doubt,
// and takes it out when the answer shows it never went in (`ForkBuffers.markerAnswered`). Here
// that chunk's answer is refused late (an asynchronous `serialize` that failed: none of it
// reached the module, `FarEndHold.answered(true)`), and the count must still match the module's
// pre-buffer, sample for sample: one sample off, the silence after a reply completed the module's
// batch a sample early or late, and a reply's end, with its marks, waited for the next reply.
//
// The far end: the module translated line by line (fixtures/fork_module.ts); the chunk the
// sender's answer refuses is taken by the serializer and never given to the module.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { FAR_END_HOLDS } from "../../src/serializers/_far_end_holds.ts";
import type { Frame } from "../../src/frames.ts";
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

/** `samples` of a steady level, as one audio frame at 8 kHz. */
function audio(samples: number): Frame {
  const pcm = new Int16Array(samples).fill(1000);
  return { type: "audio", audio: new Uint8Array(pcm.buffer), sampleRate: 8000, channels: 1 };
}

/** The samples the serializer counts in the module's pre-buffer (`heldMs` at 8 kHz). */
function counted(w: WiredFork): number {
  return Math.round((FAR_END_HOLDS.get(w.serializer)!.heldMs * 8000) / 1000);
}

/**
 * A chunk of `samples` taken by the serializer whose answer the sender announces as due: it does
 * not reach the module until {@linkcode refuse} says it never will.
 */
function takenLater(w: WiredFork, samples: number): void {
  w.serializer.serialize(audio(samples)); // its messages are the answer's, which never leaves
  FAR_END_HOLDS.get(w.serializer)!.answerDue();
}

/** The sender's answer for the oldest chunk taken later: refused, nothing of it left. */
function refuse(w: WiredFork): void {
  FAR_END_HOLDS.get(w.serializer)!.answered(true);
}

/** A reply played out, then the bot's mark `name` alone: the module's inventory holds it. */
async function markSentAlone(w: WiredFork, clock: FakeClock, name: string): Promise<void> {
  reply(w, 200, "a");
  playOut(w);
  assert.deepEqual(botMarks(w), ["a"]);
  w.send({ type: "mark", name });
  await clock.tick(40); // the release timer: no audio for a chunk's time, the command goes alone
  assert.deepEqual(w.module.inventory, [name], "sent alone, in the module's inventory");
}

/** The next reply, its end flushed out of the module, and its mark `name` answered as it plays. */
function nextReplyInStep(w: WiredFork, name: string): void {
  reply(w, 200, name);
  assert.equal(w.module.pre.length, 0, `nothing of reply ${name} held in the module`);
  playOut(w);
  assert.equal(botMarks(w).at(-1), name, `answered with its reply: ${botMarks(w)}`);
  assert.equal(w.marks.at(-1)?.name, lastEndMark(), "the reply's end mark with it");
}

/**
 * The module's empty tick answers the mark sent alone from its inventory, the answer held on its
 * way; returns what delivers it.
 */
function answerFromInventoryHeld(w: WiredFork): () => void {
  const deliver = w.module.onEvent;
  const held: string[] = [];
  w.module.onEvent = (json) => void held.push(json);
  w.frames(1);
  assert.equal(held.length, 1, "answered from the inventory");
  return () => {
    w.module.onEvent = deliver;
    for (const json of held) deliver(json);
  };
}

/**
 * The reply goes on to a sample short of the module's batch, then ends with the bot's mark d: its
 * end flushed out of the module (counted a sample off, it was taken for moved, or not, and the
 * reply's end and its marks waited for the next reply), d answered as it plays.
 */
function replyEndFlushed(w: WiredFork): void {
  w.send(audio(640 - 160 - 1));
  assert.equal(w.module.pre.length, 639);
  w.send({ type: "mark", name: "d" });
  w.send({ type: "mark", name: nextEndMark() });
  assert.equal(w.module.pre.length, 0, "the reply's end flushed, none of it held in the module");
  playOut(w);
  assert.deepEqual(botMarks(w), ["a", "b", "d"]);
  assert.equal(w.marks.at(-1)?.name, lastEndMark());
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: a chunk refused late after a mark sent alone was answered from the inventory leaves the count as the module's pre-buffer, the reply's end flushed`, () => {
    // No session clock (a context made by hand): the stretch's end sends a held mark alone even
    // behind samples in the pre-buffer, as no flush timer can carry it later.
    const w = wiredFork({ provider });
    reply(w, 200, "a");
    playOut(w);
    assert.deepEqual(botMarks(w), ["a"]);
    speakAt(w, 20, 1000);
    assert.equal(w.module.pre.length, 160, "held in the module, below a batch");
    w.send({ type: "mark", name: "c" });
    const released = w.serializer.audioEnds(false);
    for (const m of released === null ? [] : [released].flat()) w.module.receive(m);
    assert.deepEqual(w.module.inventory, ["c"], "sent alone, in the module's inventory");
    // A chunk is taken, its answer due; the module's empty tick answers c from the inventory.
    takenLater(w, 160);
    w.frames(1);
    assert.deepEqual(botMarks(w), ["a", "c"], "answered from the inventory");
    // The chunk is refused: the module holds what it held before it.
    refuse(w);
    assert.equal(counted(w), w.module.pre.length, "counted as the module holds");
    // The reply goes on to 640 samples in the module (a batch, moved), then ends with a mark.
    speakAt(w, 60, 1000);
    w.send({ type: "mark", name: "d" });
    w.send({ type: "mark", name: nextEndMark() });
    assert.equal(w.module.pre.length, 0, "the reply's end flushed, none of it held in the module");
    playOut(w);
    assert.deepEqual(botMarks(w), ["a", "c", "d"]);
    assert.equal(w.marks.at(-1)?.name, lastEndMark());
    for (const name of ["e", "f", "g"]) nextReplyInStep(w, name);
  });

  Deno.test(`${provider}: a chunk that completed the counted batch, refused late, puts back the doubt of the marks sent alone it moved: their late answer leaves the count as the module's pre-buffer`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    await markSentAlone(w, clock, "b");
    // The module's empty tick answers b from the inventory; the answer is still on its way.
    const deliverHeld = answerFromInventoryHeld(w);
    // The next reply's first 20 ms reach the module (no marker: b is answered), counted with b's.
    speakAt(w, 20, 1000);
    assert.equal(w.module.pre.length, 160);
    // A chunk that completes the counted batch is taken, its answer due, then refused.
    takenLater(w, 480);
    refuse(w);
    deliverHeld(); // b's answer: its marker never went in
    assert.deepEqual(botMarks(w), ["a", "b"]);
    assert.equal(counted(w), w.module.pre.length, "counted as the module holds");
    replyEndFlushed(w);
    for (const name of ["e", "f", "g"]) nextReplyInStep(w, name);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: a chunk that completed the counted batch, refused late once the late answer of a mark sent alone it moved had come, leaves the count as the module's pre-buffer, the reply's end flushed`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    await markSentAlone(w, clock, "b");
    // The module's empty tick answers b from the inventory; the answer is still on its way.
    const deliverHeld = answerFromInventoryHeld(w);
    speakAt(w, 20, 1000);
    assert.equal(w.module.pre.length, 160);
    // A chunk that completes the counted batch (b's marker moved with it) is taken, its answer
    // due; b's answer comes (its marker never went in), and then the chunk is refused.
    takenLater(w, 480);
    deliverHeld(); // b's answer: its marker never went in
    refuse(w);
    assert.deepEqual(botMarks(w), ["a", "b"]);
    // Before: 161, b's marker back in what the pre-buffer held before the chunk.
    assert.equal(counted(w), w.module.pre.length, "counted as the module holds");
    replyEndFlushed(w);
    for (const name of ["e", "f", "g"]) nextReplyInStep(w, name);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: a mark sent alone whose marker a refused chunk counted, answered late, goes back to the inventory in doubt: counted with the next chunk, its late answer leaves the count as the module's`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    await markSentAlone(w, clock, "b");
    const deliverHeld = answerFromInventoryHeld(w);
    // A whole batch taken, b's marker counted in and moved with it; refused.
    takenLater(w, 1280);
    refuse(w);
    // The next chunk reaches the module (no marker: b is answered), then b's answer arrives.
    speakAt(w, 20, 1000);
    deliverHeld(); // b's answer: its marker never went in
    assert.deepEqual(botMarks(w), ["a", "b"]);
    assert.equal(counted(w), w.module.pre.length, "counted as the module holds");
    replyEndFlushed(w);
    for (const name of ["e", "f", "g"]) nextReplyInStep(w, name);
    assert.deepEqual(w.reports, []);
  });
}
