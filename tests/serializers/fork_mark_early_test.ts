// mod_audio_fork (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899), simulated in
// fixtures/fork_module_playout.ts from that file: a `mark` waits in the module's inventory until
// the next binary message puts its marker in the pre-buffer (:78-101), the pre-buffer moves to the
// playout buffer only in batches of 640 samples after the first 1280 (:108-116), and
// dub_speech_frame answers an inventory mark AT ONCE ("playout") on any 20 ms tick that finds the
// playout buffer empty (:1029-1041). With the default sendAheadMs the bot's audio reaches the
// module in real time, so a batch completes just as the one before has played: the playout buffer
// can run dry for a tick mid-reply. A mark sent on its own would be waiting in the inventory then,
// and be answered while the last up-to-80 ms of its sentence still sit in the pre-buffer; the
// serializers hold it until the next binary message instead, so its marker goes where it belongs.
//
// The dry tick itself (an audible 20 ms gap) is not the serializer's to fix: only a send-ahead of
// a batch or more (the control below, sendAheadMs: 100) gives the module a batch in hand.
import assert from "node:assert/strict";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import {
  FORK_SERIALIZERS as SERIALIZERS,
  forkAudio as audio,
  forkMarkSession as session,
} from "./fixtures/fork_serializers.ts";

for (const [name, make] of SERIALIZERS) {
  Deno.test(`\`${name}\` has mod_audio_fork answer a mid-reply mark only once its sentence has played`, async () => {
    const s = session(make);
    await s.clock.tick(10);
    s.transport.send(audio(500, 1, "p"));
    await s.clock.tick(1500);
    // A reply of ten 300 ms sentences, the bot marking the end of each.
    for (let k = 0; k < 10; k++) {
      s.transport.send(audio(300, 100 + k, "r"));
      s.transport.send({ type: "mark", name: `s${k}` });
    }
    await s.clock.tick(5000);
    const early: string[] = [];
    for (let k = 0; k < 9; k++) { // s9 ends the reply: documented as possibly a batch early
      const by = s.lastPlayed(100 + k) - s.answered[`s${k}`]!;
      if (by > 0) early.push(`s${k} answered ${by} ms before its sentence finished playing`);
    }
    assert.deepEqual(early, []);
    assert.ok(s.answered.s9! >= s.lastPlayed(108), "the last mark is answered too");
    await s.transport.close();
  });

  Deno.test(`\`${name}\` after a barge-in: a sentence mark is answered only once its sentence has played`, async () => {
    const s = session(make);
    await s.clock.tick(10);
    s.transport.send(audio(2000, 100, "r1"));
    await s.clock.tick(700);
    s.transport.interrupt();
    await s.clock.tick(300);
    for (const v of [11, 12]) {
      s.transport.send(audio(300, v, "r2"));
      s.transport.send({ type: "mark", name: `s${v}` });
    }
    await s.clock.tick(2000);
    assert.ok(
      s.answered.s11! >= s.lastPlayed(11),
      `s11 answered at ${s.answered.s11} ms, sentence 11 played until ${s.lastPlayed(11)} ms`,
    );
    assert.ok(s.answered.s12 !== undefined, "the reply's last mark is answered");
    await s.transport.close();
  });

  Deno.test(`\`${name}\` with markIntervalMs 0: a mark after the reply's audio is still sent and answered, no audio after it`, async () => {
    const s = session(make, { markIntervalMs: 0 });
    await s.clock.tick(10);
    s.transport.send(audio(500, 7, "r"));
    s.transport.send({ type: "mark", name: "done" });
    await s.clock.tick(3000);
    assert.ok(s.log.commands.includes('{"type":"mark","data":{"name":"done"}}'));
    assert.ok(s.answered.done !== undefined, "answered");
    await s.transport.close();
  });
}

Deno.test("`FreeSwitchSerializer` (control): with sendAheadMs of a batch (100 ms), marks on time and no dry tick mid-reply", async () => {
  const s = session(() => new FreeSwitchSerializer(), { sendAheadMs: 100 });
  await s.clock.tick(10);
  s.transport.send(audio(500, 1, "p"));
  await s.clock.tick(1500);
  const replyStart = s.clock.now();
  for (let k = 0; k < 10; k++) {
    s.transport.send(audio(300, 100 + k, "r"));
    s.transport.send({ type: "mark", name: `s${k}` });
  }
  await s.clock.tick(5000);
  for (let k = 0; k < 9; k++) assert.ok(s.answered[`s${k}`]! >= s.lastPlayed(100 + k), `s${k}`);
  assert.deepEqual(s.log.dry.filter((t) => t > replyStart + 200 && t < s.lastPlayed(109)), []);
  await s.transport.close();
});
