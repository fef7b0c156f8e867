// The cases the clear's proof after `killAudio` left uncovered (README, jambonz/FreeSWITCH), driven
// through mod_audio_fork's code translated line by line (fixtures/fork_module.ts; jambonz/
// freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899). The module discards a `mark`
// command while 30 marks are in use or in inventory (`markCountExceeded`, :43-50, :306), so with
// all 30 taken no mark of the serializer's own can follow `killAudio`; yet `killAudio` is applied
// only at the next 20 ms tick (`dub_speech_frame`, :936-965), and that tick answers every mark the
// module holds `cleared`: audio sent before it was cleared with the stopped reply, and a mark with
// it left its name on the cleared list, every later mark answered one late.
// Sentinel samples (one per name a `killAudio` left on the module's cleared list) wait in the
// pre-buffer until audio completes a batch, which moves them to the playout buffer; the module
// takes them at its next tick. A `killAudio` read before that tick erases them (:936-965), and
// the count cannot tell which came first: the mark of the serializer's own sent behind them says.
// And the mark after `killAudio` read only after the clearing tick (it crossed the tick): the
// module holds it in inventory while names wait on its cleared list (:978-989, :1034-1043), the
// sentinels' binary message gives it a marker ahead of them; sending goes on at the bound.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { CLEAR_PROOF_TIMEOUT_MS } from "../../src/serializers/_fork_marks.ts";
import {
  botMarks,
  lastEndMark,
  nextEndMark,
  reply,
  speakAt,
  type WiredFork as Wired,
  wiredFork,
} from "./fixtures/fork_module.ts";

const NEW_REPLY = 2000;

/** A reply holding all 30 of the module's marks (the bot's), none played yet. */
function replyWithThirtyMarks(w: Wired): string[] {
  const names: string[] = [];
  for (let i = 0; i < 30; i++) {
    speakAt(w, 20, 1000);
    names.push(`m${i}`);
    w.send({ type: "mark", name: `m${i}` });
  }
  speakAt(w, 200, 1000);
  assert.equal(w.module.inUse.length + w.module.inventory.length, 30, "all 30 slots taken");
  return names;
}

/** Later replies: each one's mark answered with it, and nothing left on the cleared list. */
function laterMarksInStep(w: Wired): void {
  for (const name of ["d", "e", "f"]) {
    reply(w, 200, name);
    w.frames(40);
    assert.equal(botMarks(w).at(-1), name, `answered with its reply: ${botMarks(w)}`);
    assert.equal(w.marks.at(-1)?.name, lastEndMark(), "the reply's end mark with it");
  }
  assert.deepEqual(w.module.cleared, [], "names left on the module's cleared list");
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: an interruption with all 30 of the module's marks in use still holds what follows until the clearing tick has passed`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    const names = replyWithThirtyMarks(w);
    // Before the module plays any of them (an answer would free a slot).
    w.send({ type: "interruption" });
    const cut = w.module.out.length;
    // Before the module's next tick: the transport's 100 ms lead, sent at once, a mark in it.
    speakAt(w, 60, NEW_REPLY);
    w.send({ type: "mark", name: "c" });
    speakAt(w, 40, NEW_REPLY);
    w.send({ type: "mark", name: nextEndMark() });
    w.frames(60);
    const events = Object.fromEntries(w.module.events.map((e) => [e.name, e.event]));
    for (const name of names) assert.equal(events[name], "cleared", name);
    assert.equal(events.c, "playout", "the new reply's mark, answered as its place played");
    const after = w.module.out.slice(cut);
    assert.equal(after.filter((v) => v === NEW_REPLY).length / 8, 100, "ms of the new reply");
    assert.equal(w.pause.pauses, 1, "sending paused until the clear was proven");
    assert.equal(w.pause.waiting.length, 0);
    laterMarksInStep(w);
    assert.deepEqual(w.reports, []);
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS * 2); // nothing armed fires late
    assert.deepEqual(w.reports, []);
    assert.equal(clock.pendingTimers, 0);
  });

  Deno.test(`${provider}: an interruption with all 30 marks taken whose answers all come as playout before the clearing tick proves the clear with a mark of its own`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    for (let i = 0; i < 30; i++) {
      speakAt(w, 20, 1000);
      w.send({ type: "mark", name: `m${i}` });
    }
    speakAt(w, 200, 1000);
    // The module plays them all, their answers still on the way (held here) as the bot
    // interrupts; the clearing tick comes after.
    const deliver = w.module.onEvent;
    const held: string[] = [];
    w.module.onEvent = (json) => void held.push(json);
    while (w.module.events.length < 30) w.frames(1);
    w.send({ type: "interruption" }); // no slot: no mark of its own yet
    speakAt(w, 100, NEW_REPLY); // held
    w.module.onEvent = deliver;
    for (const json of held) deliver(json); // frees the slots: the clearing tick has not come
    assert.equal(w.pause.paused, true, "not proven by playout answers");
    const cut = w.module.out.length;
    w.frames(1); // the clearing tick answers the mark sent once the slots freed
    assert.equal(w.pause.paused, false);
    w.send({ type: "mark", name: "c" });
    w.send({ type: "mark", name: nextEndMark() });
    w.frames(40);
    const after = w.module.out.slice(cut);
    assert.equal(after.filter((v) => v === NEW_REPLY).length / 8, 100, "ms of the new reply");
    assert.equal(botMarks(w).at(-1), "c");
    laterMarksInStep(w);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: a clearMarks while the proof waits for a slot sends the proof after it`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    replyWithThirtyMarks(w);
    w.send({ type: "interruption" });
    speakAt(w, 100, NEW_REPLY); // held
    const sent = w.serializer.serialize({ type: "message", message: { type: "clearMarks" } });
    for (const m of [sent].flat()) w.module.receive(m as string | Uint8Array);
    w.frames(1); // clears, and answers the mark sent after clearMarks
    assert.equal(w.pause.paused, false, "released by the proof's answer");
    w.frames(20);
    laterMarksInStep(w);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: a module that answers nothing after an interruption with all 30 marks taken holds sending for the bound, reported once`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    replyWithThirtyMarks(w);
    w.module.onEvent = () => {}; // the answers are lost on the way
    w.send({ type: "interruption" });
    w.frames(1);
    speakAt(w, 100, NEW_REPLY);
    assert.equal(w.pause.waiting.length, 5, "held while the clear is unproven");
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS);
    assert.equal(w.pause.paused, false);
    assert.equal(w.pause.waiting.length, 0, "sent, not dropped");
    assert.equal(w.reports.length, 1);
    assert.match(w.reports[0]!.message, /did not answer/);
    assert.equal(clock.pendingTimers, 0);
  });

  Deno.test(`${provider}: the session ending while the proof waits for a slot leaves no timer and no report`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    replyWithThirtyMarks(w);
    w.send({ type: "interruption" });
    assert.equal(w.pause.paused, true);
    w.serializer.finish();
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS * 2);
    assert.deepEqual(w.reports, []);
    assert.equal(clock.pendingTimers, 0);
  });
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: an interruption read before the tick that would play the sentinel samples a batch just moved keeps later marks in step`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 400, 1000);
    w.frames(3);
    w.send({ type: "interruption" });
    w.frames(1); // clears: "a" answered cleared, its sentinel into the pre-buffer; proven
    assert.equal(w.pause.paused, false);
    speakAt(w, 100, 1000); // the lead at once: its 4th chunk completes the batch with the sentinel
    assert.equal(w.module.playout[0], 0xffff, "the sentinel, moved to the playout buffer");
    w.send({ type: "interruption" }); // within the same tick
    w.frames(3);
    laterMarksInStep(w);
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: the mark after killAudio read after the clearing tick, the bot's marks and the transport's cleared: sending goes on at the bound, later marks in step`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "a" });
    w.send({ type: "mark", name: "__wst:mark:1" });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "b" });
    speakAt(w, 400, 1000);
    w.frames(3);
    // The proof is read only after the clearing tick (it crossed the tick on the module's side).
    const receive = w.module.receive.bind(w.module);
    const late: (string | Uint8Array)[] = [];
    w.module.receive = (m) => {
      if (typeof m === "string" && m.includes("__wst:killed")) late.push(m);
      else receive(m);
    };
    w.send({ type: "interruption" });
    w.frames(1); // clears: a, b, the transport's mark cleared; sentinels sent
    w.module.receive = receive;
    for (const m of late) receive(m);
    w.frames(2);
    speakAt(w, 100, 2000); // waits for the proof or the bound
    w.send({ type: "mark", name: "c" });
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS);
    speakAt(w, 100, 2000);
    w.send({ type: "mark", name: nextEndMark() });
    w.frames(40);
    assert.equal(botMarks(w).at(-1), "c", `${botMarks(w)}`);
    laterMarksInStep(w);
    assert.equal(w.reports.length, 1, "the bound's timeout, once");
  });
  Deno.test(`${provider}: the mark after killAudio read after the clearing tick and before the sentinels its answers call for: later marks in step`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "a" });
    w.send({ type: "mark", name: "__wst:mark:1" });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "b" });
    speakAt(w, 400, 1000);
    w.frames(3);
    // The proof is read only after the clearing tick (it crossed the tick on the module's side).
    const receive = w.module.receive.bind(w.module);
    const late: (string | Uint8Array)[] = [];
    w.module.receive = (m) => {
      if (typeof m === "string" && m.includes("__wst:killed")) late.push(m);
      else receive(m);
    };
    w.send({ type: "interruption" });
    const deliver = w.module.onEvent;
    w.module.onEvent = (json) => {
      w.module.receive = receive;
      for (const m of late.splice(0)) receive(m); // read after the tick, before its answers
      deliver(json);
    };
    w.frames(1); // clears: a, b, the transport's mark cleared; sentinels sent
    w.module.onEvent = deliver;
    w.frames(2);
    speakAt(w, 100, 2000); // waits for the proof or the bound
    w.send({ type: "mark", name: "c" });
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS);
    speakAt(w, 100, 2000);
    w.send({ type: "mark", name: nextEndMark() });
    w.frames(40);
    assert.equal(botMarks(w).at(-1), "c", `${botMarks(w)}`);
    laterMarksInStep(w);
    assert.equal(w.reports.length, 1, "the bound's timeout, once");
  });
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: the bound's report, with all 30 marks taken at the interruption, says what went unanswered: no mark of the serializer's own went`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    replyWithThirtyMarks(w);
    const sent: string[] = [];
    const receive = w.module.receive.bind(w.module);
    w.module.receive = (m) => {
      if (typeof m === "string") sent.push(m);
      receive(m);
    };
    w.module.onEvent = () => {}; // the answers are lost on the way
    w.send({ type: "interruption" });
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS);
    assert.deepEqual(sent.filter((m) => m.includes('"mark"')), [], "no mark followed killAudio");
    assert.equal(w.reports.length, 1);
    const { message } = w.reports[0]!;
    assert.doesNotMatch(message, /the mark sent after killAudio/, "no mark was sent");
    assert.match(message, /did not answer the marks it held at killAudio/);
    assert.match(message, /all 30 of its marks in use/);
  });
}
