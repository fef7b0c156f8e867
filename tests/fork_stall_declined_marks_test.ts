// mod_audio_fork keeps at most 30 marks, and the transport's own take at most 24 of them, its
// cadence giving way to the bot's (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899, `MAX_MARKS`; simulated in serializers/fixtures/fork_module_playout.ts). A far end whose
// media stalls answers none. With the bot's marks waiting, the serializer declines the
// transport's cadence marks unsent, and the tracker counts each given up in `marksUnanswered`.
// It went on making one every `markIntervalMs`: a 20 s stall counted some 60 marks sent and
// unanswered that never reached the far end, as if a far end had ignored them. The cadence now
// waits for the next answer (any mark's: it frees a slot), so one stall counts one. A bot's own
// `clearMarks` frees every slot too, with no answer: the serializer tells the tracker
// (`FarEndHold.onMarksForgotten`), which counts the marks the module forgot at once and goes on
// marking. Untold, its cadence stayed paused (or at its bound of 24 waiting) until an answer came.
import assert from "node:assert/strict";
import type { FrameSerializer } from "../src/serializer.ts";
import type { FakeClock } from "../src/testing/mod.ts";
import {
  FORK_METADATA,
  FORK_SERIALIZERS,
  forkAudio,
} from "./serializers/fixtures/fork_serializers.ts";
import { forkFarEnd, type ForkLog } from "./serializers/fixtures/fork_module_playout.ts";
import { narrowbandCall } from "./serializers/fixtures/narrowband_call.ts";

/**
 * `clock` as the module's media thread sees it, stalled until `to` ms: FreeSWITCH runs
 * `dub_speech_frame` (lws_glue.cpp:930-1050) once per 20 ms media frame, and a stalled channel runs
 * none, so nothing plays and no mark is answered; the socket thread still reads commands.
 */
function stalledUntil(clock: FakeClock, to: number): FakeClock {
  const sleep = (ms: number) => clock.sleep(Math.max(ms, to - clock.now()));
  return { now: () => clock.now(), sleep } as unknown as FakeClock;
}

/** How many of the transport's own marks (named `__wst:…`) the module has read, in `log`. */
function transportMarksRead(log: ForkLog): number {
  return log.commands.map((c) => JSON.parse(c)).filter((c) =>
    c.type === "mark" && String(c.data.name).startsWith("__wst:")
  ).length;
}

/**
 * How many `mark` commands the module has read since its `index`th command: after a `clearMarks`
 * that marks crossed, they travel under ids (`#m1`, …), whoever made them.
 */
function marksReadSince(log: ForkLog, index: number): number {
  return log.commands.slice(index).filter((c) => JSON.parse(c).type === "mark").length;
}

/**
 * The bot's `clearMarks`, urgent (ahead of the reply still queued): the module forgets every mark
 * in use and in inventory and answers none of them (jambonz `listen` "Streaming bi-directional
 * audio" → "Commands"; `processIncomingMessage`, lws_glue.cpp:321-331), its slots all free.
 */
const CLEAR_MARKS = { type: "message", message: { type: "clearMarks" }, urgent: true } as const;

/**
 * A call whose module's media stalls until `stallEndsAt` (ms): `botMarks` of the bot's marks, each
 * after 20 ms of audio, then a 20 s reply, all written (with ten, the transport's marks find 14
 * slots free).
 */
async function stalledReply(make: () => FrameSerializer, stallEndsAt: number, botMarks = 10) {
  const { clock, pair, transport } = narrowbandCall(make());
  const log = forkFarEnd(stalledUntil(clock, stallEndsAt), pair, {
    metadata: FORK_METADATA,
    closeOnDisconnect: false,
  });
  transport.receive(() => {});
  await clock.tick(10);
  for (let m = 0; m < botMarks; m++) {
    transport.send(forkAudio(20, 7, "r1"));
    transport.send({ type: "mark", name: `m${m}` });
  }
  transport.send(forkAudio(20_000, 7, "r1"));
  return { clock, transport, log };
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, the far end's media stalled with the bot's marks waiting: one cadence mark declined counts, not one per interval`, async () => {
    // Ten of the bot's marks, then a 20 s reply: the transport's marks find 14 slots free.
    const { clock, transport, log } = await stalledReply(make, 30_000);
    await clock.tick(25_000);
    const ours = () => transportMarksRead(log);
    const onWire = ours();
    assert.ok(onWire >= 10, `${onWire} of the transport's marks reached the module`);
    const { marksSent, marksUnanswered, marksAcknowledged } = transport.stats;
    assert.equal(marksAcknowledged, 0, "stalled: nothing answered");
    assert.ok(
      marksSent - onWire <= 1 && marksUnanswered <= 1,
      `${marksSent} marks sent, ${onWire} reached the module, ${marksUnanswered} unanswered`,
    );
    // The stall ends (30 s): answers free slots, and a reply after it is marked again.
    await clock.tick(10_000);
    assert.ok(transport.stats.marksAcknowledged > 0);
    const before = ours();
    transport.send(forkAudio(3000, 9, "r2"));
    await clock.tick(5000);
    assert.ok(ours() - before >= 3, `${ours() - before} marks in a 3 s reply after the stall`);
    await transport.close();
    const s = transport.stats;
    assert.equal(s.marksSent, s.marksAcknowledged + s.marksUnanswered);
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, the cadence paused for want of a slot in a stall: the bot's \`clearMarks\` frees the slots, the marks the module forgot count at once, and the cadence goes on`, async () => {
    // Ten of the bot's marks, then a 20 s reply: a cadence mark finds no slot, and the cadence
    // waits for an answer that the stall holds back.
    const { clock, transport, log } = await stalledReply(make, 60_000);
    await clock.tick(12_000); // the reply begins once the module's metadata came (jambonz: 4 s)
    const sentAtClear = transport.stats.marksSent;
    assert.ok(sentAtClear > transportMarksRead(log), "a cadence mark was given up unsent");
    const clearAt = log.commands.length;
    transport.send(CLEAR_MARKS);
    // Every mark of the transport's went unanswered with the clear (none is kept: mid-reply, no
    // end-of-speech mark waits to go again), once.
    assert.equal(transport.stats.marksUnanswered, sentAtClear);
    await clock.tick(4000);
    const after = marksReadSince(log, clearAt);
    assert.ok(after >= 3, `${after} marks reached the module in 4 s after the clear`);
    const s = transport.stats;
    assert.equal(s.marksUnanswered, sentAtClear, "the marks made since are waited for");
    // Each reached the module, but one whose command may wait for the next chunk.
    assert.ok(s.marksSent - sentAtClear - after <= 1, `${s.marksSent - sentAtClear} made`);
    await transport.close();
    assert.equal(transport.stats.marksSent, transport.stats.marksUnanswered);
  });

  Deno.test(`\`${name}\`, 24 of the transport's marks waiting in a stall: the bot's \`clearMarks\` frees them, and the cadence goes on before any answer`, async () => {
    const { clock, transport, log } = await stalledReply(make, 60_000, 0);
    // A mark each 250 ms from the reply's start (jambonz: once the metadata came, 4 s): the
    // tracker's bound of 24 waiting is reached.
    await clock.tick(14_000);
    assert.equal(transportMarksRead(log), 24, "the cadence stops at 24 waiting");
    assert.equal(transport.stats.marksSent, 24);
    const clearAt = log.commands.length;
    transport.send(CLEAR_MARKS);
    assert.equal(transport.stats.marksUnanswered, 24, "forgotten by the module: counted at once");
    await clock.tick(2000);
    const after = marksReadSince(log, clearAt);
    assert.ok(after >= 3, `${after} marks reached the module in 2 s after the clear`);
    await clock.tick(70_000); // the stall ends (60 s): the marks made since the clear are answered
    const s = transport.stats;
    assert.ok(s.marksAcknowledged > 0);
    await transport.close();
    assert.equal(transport.stats.marksSent, s.marksAcknowledged + transport.stats.marksUnanswered);
  });
}
