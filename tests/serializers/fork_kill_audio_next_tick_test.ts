// mod_audio_fork applies `killAudio` at its next 20 ms media tick, not when it reads it
// (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899: the command sets
// `clear_bidirectional_audio_buffer`, :291-299, and `dub_speech_frame` clears at the next frame,
// :936-965). Audio and marks a bot sends right after interrupting itself arrived before that tick
// and were cleared with the old reply; the mark's name stayed on the module's cleared list with no
// marker left to take it off, and every later mark was answered one marker late for the rest of
// the call. Driven through the module's code translated line by line (fixtures/fork_module.ts),
// for both serializers that speak to it.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { CLEAR_PROOF_TIMEOUT_MS } from "../../src/serializers/_fork_marks.ts";
import {
  botMarks,
  nextEndMark,
  reply,
  speakAt,
  type WiredFork as Wired,
  wiredFork,
} from "./fixtures/fork_module.ts";

const NEW_REPLY = 2000;

/** The reproduction: a reply interrupted mid-way, and a new one spoken at once (w4's). */
function interruptAndSpeakAtOnce(w: Wired): number {
  reply(w, 200, "a");
  w.frames(40);
  speakAt(w, 100, 1000);
  w.send({ type: "mark", name: "b" });
  speakAt(w, 100, 1000);
  w.frames(3);
  w.send({ type: "interruption" });
  const cut = w.module.out.length;
  // Before the module's next frame: the transport's 100 ms lead, sent at once.
  speakAt(w, 60, NEW_REPLY);
  w.send({ type: "mark", name: "c" });
  speakAt(w, 40, NEW_REPLY);
  w.send({ type: "mark", name: nextEndMark() });
  return cut;
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: audio and a mark sent right after an interruption play, and later marks are answered in step`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    const cut = interruptAndSpeakAtOnce(w);
    w.frames(60);
    const events = Object.fromEntries(w.module.events.map((e) => [e.name, e.event]));
    assert.equal(events.a, "playout");
    assert.equal(events.b, "cleared");
    assert.equal(events.c, "playout", "the new reply's mark, answered as its place played");
    // Held while the clear was unproven, then sent: the new reply plays whole.
    const after = w.module.out.slice(cut);
    assert.equal(after.filter((v) => v === NEW_REPLY).length / 8, 100, "ms of the new reply");
    assert.equal(after.filter((v) => v === 1000).length, 0, "the interrupted reply after the cut");
    assert.equal(w.pause.pauses, 1);
    assert.equal(w.pause.waiting.length, 0);
    // Every later mark answered with its own reply, for the rest of the call.
    for (const name of ["d", "e", "f"]) {
      reply(w, 200, name);
      w.frames(40);
      assert.equal(botMarks(w).at(-1), name, `answered with its reply: ${botMarks(w)}`);
    }
    assert.deepEqual(botMarks(w), ["a", "b", "c", "d", "e", "f"]);
    assert.deepEqual(w.module.cleared, [], "names left on the module's cleared list");
    assert.deepEqual(w.reports, []);
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS * 2); // nothing armed fires late
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: a mark sent alone just before an interruption is answered cleared, and post-kill audio carries nothing into the playout`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 400, 1000);
    w.frames(5);
    w.send({ type: "mark", name: "m" });
    w.send({ type: "interruption" });
    speakAt(w, 100, NEW_REPLY);
    w.send({ type: "mark", name: "n" });
    w.send({ type: "mark", name: nextEndMark() });
    w.frames(60);
    const events = Object.fromEntries(w.module.events.map((e) => [e.name, e.event]));
    assert.equal(events.m, "cleared");
    assert.equal(events.n, "playout");
    reply(w, 200, "o");
    w.frames(40);
    assert.deepEqual(botMarks(w), ["m", "n", "o"]);
    assert.deepEqual(w.module.cleared, []);
  });

  Deno.test(`${provider}: a module that never answers the mark after killAudio holds sending for a bounded time, reported once`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    const deliver = w.module.onEvent;
    speakAt(w, 400, 1000);
    w.frames(5);
    w.module.onEvent = () => {}; // the answers are lost on the way
    w.send({ type: "interruption" });
    w.frames(1);
    speakAt(w, 100, NEW_REPLY);
    assert.equal(w.pause.waiting.length, 5, "held while the clear is unproven");
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS - 1);
    assert.equal(w.pause.waiting.length, 5);
    await clock.tick(1);
    assert.equal(w.pause.paused, false);
    assert.equal(w.pause.waiting.length, 0, "sent, not dropped");
    assert.equal(w.reports.length, 1);
    assert.equal(w.reports[0]!.code, "timeout");
    assert.match(w.reports[0]!.message, /did not answer the mark sent after killAudio/);
    // A second one in the same spell: not reported again (seen in the sender's pause count).
    w.send({ type: "interruption" });
    w.frames(1);
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS);
    assert.equal(w.reports.length, 1);
    assert.equal(w.pause.pauses, 2);
    // Answers again: the next interruption's proof releases at once.
    w.module.onEvent = deliver;
    speakAt(w, 200, 1000);
    w.frames(10);
    w.send({ type: "interruption" });
    w.frames(1);
    assert.equal(w.pause.paused, false, "released by the proof's answer");
    assert.equal(clock.pendingTimers, 0, "no timer left armed");
  });
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: a clearMarks that overtakes the paused queue right after an interruption does not leave sending waiting for the bound`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "b" });
    speakAt(w, 200, 1000);
    w.frames(5);
    w.send({ type: "interruption" });
    speakAt(w, 100, NEW_REPLY); // waits: the clear is unproven
    // An urgent message leaves past the paused queue, before the module's next frame.
    const sent = w.serializer.serialize({ type: "message", message: { type: "clearMarks" } });
    for (const m of [sent].flat()) w.module.receive(m as string | Uint8Array);
    w.frames(1); // the clearing frame answers the mark sent after clearMarks
    assert.equal(w.pause.paused, false, "released by the new proof's answer");
    w.send({ type: "mark", name: "n" });
    w.send({ type: "mark", name: nextEndMark() });
    w.frames(40);
    const after = w.module.out.filter((v) => v === NEW_REPLY).length / 8;
    assert.equal(after, 100, "ms of the new reply");
    reply(w, 200, "o");
    w.frames(40);
    assert.deepEqual(botMarks(w).slice(-2), ["n", "o"]);
    assert.deepEqual(w.reports, []);
  });
}

Deno.test("jambonz: without a clock nor a sender's pause (a context made by hand), an interruption sends killAudio alone, as before", () => {
  const w = wiredFork();
  speakAt(w, 400, 1000);
  w.frames(5);
  const sent: unknown[] = [];
  const r = w.serializer.serialize({ type: "interruption" });
  sent.push(...[r].flat());
  assert.equal(sent.at(-1), '{"type":"killAudio"}');
});
