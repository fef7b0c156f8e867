// mod_audio_fork (jambonz, FreeSWITCH) with background audio filling the slots between replies,
// against the simulator's far end (src/simulator/far_ends/_audio_fork.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899). The module keeps at most 30
// marks (`MAX_MARKS`): with the bot's 30 waiting at a reply's end, the transport's end-of-speech
// mark is declined, to go alone once an answer frees a slot; the module answers a mark it holds
// with no marker on its first tick with nothing to play (`dub_speech_frame`, :1029-1041). With the
// background filling, the mark waits for its next chunk; where the background stops instead, the
// silence that completes the pre-buffer's batch goes at once (`backgroundFills`). That silence
// forgot the declined mark: the answers that freed slots sent nothing, and `speakingstop` came
// `playoutTimeoutMs` (2 s) past the reply's end, the mark never answered. So did the background's
// next chunk where it plays on: the background is part of no reply, and the mark now outlives it
// (`FarEndHold.sendingBackground`), its marker taking the start of the chunk after the answer
// that freed a slot (:80-101). A reply's speech still gives it up: its place is behind it.
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { minLeadMs } from "../../src/serializers/_fork_buffers.ts";
import {
  declinedEndThen,
  FORK_BACKGROUND as BACKGROUND,
  forkBackgroundCall,
} from "./_fork_background_call.ts";

const REPLY_MS = 300;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, background stopping after an end-of-speech mark declined for want of a slot: the mark goes once a slot frees, answered as the reply's end plays`, async () => {
    // The background leaves its slots empty from the end-of-speech mark on.
    const { clock, transport, playedRuns, filling } = forkBackgroundCall(make, {
      stopsAtEndMark: true,
    });
    const stops: number[] = [];
    transport.addEventListener("speakingstop", () => stops.push(clock.now()));
    await clock.tick(10);
    // A reply relayed in real time, then 30 marks of the bot's: every slot the module has.
    for (let t = 0; t < 3000; t++) {
      if (t % 20 === 0 && t < REPLY_MS) transport.send(forkAudio(20, 101, "r1"));
      if (t === REPLY_MS) {
        for (let m = 0; m < 30; m++) transport.send({ type: "mark", name: `b${m}` });
      }
      await clock.tick(1);
    }
    assert.equal(filling(), false, "an end-of-speech mark was sent");
    const runs = playedRuns();
    const last = runs.findLast((run) => run.value !== 0)!;
    const playedAll = last.at + last.ms;
    // Answered behind the silence that completed the last batch (80 ms at most) and a tick.
    // Before: at 2500, `playoutTimeoutMs` past the reply, its mark counted unanswered.
    assert.equal(stops.length, 1);
    assert.ok(
      stops[0]! >= playedAll && stops[0]! - playedAll <= 100,
      `speakingstop at ${stops[0]}, all sent played at ${playedAll}`,
    );
    assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
    await transport.close();
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, background playing on after an end-of-speech mark declined for want of a slot: the mark goes once a slot frees, speakingstop within the module's lead of the reply's end`, async () => {
    const call = forkBackgroundCall(make);
    const { clock, transport, playedRuns, filling } = call;
    const stops: number[] = [];
    transport.addEventListener("speakingstop", () => stops.push(clock.now()));
    await clock.tick(10);
    await declinedEndThen(call, 3000);
    assert.equal(filling(), true, "the background played on");
    const last = playedRuns().findLast((run) => run.value === 101)!;
    const playedAll = last.at + last.ms;
    // The bot's marks are answered as the reply's end plays, freeing a slot: the end-of-speech
    // mark goes then, its marker taking the start of the background's next chunk (lws_glue.cpp
    // :80-101), behind what the module holds by then: the lead the serializer asks (a batch and a
    // tick) and what the pre-buffer holds short of a batch. 160 ms here. Before: the background's
    // first chunk forgot the declined mark, and `speakingstop` came `playoutTimeoutMs` late
    // (2500), the mark never answered.
    assert.equal(stops.length, 1);
    assert.ok(
      stops[0]! >= playedAll && stops[0]! - playedAll <= minLeadMs(8000) + 80,
      `speakingstop at ${stops[0]}, the reply played whole at ${playedAll}`,
    );
    assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
    await transport.close();
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, a new reply's speech after background that followed a declined end-of-speech mark: the mark is given up, not sent into the new reply`, async () => {
    const call = forkBackgroundCall(make);
    const { transport } = call;
    await call.clock.tick(10);
    // r2 begins before the bot's marks are answered (as r1's end plays): no slot is free yet.
    const { most, least } = await declinedEndThen(call, 2000, 400);
    // Sent once a slot freed, the mark's marker would stand inside r2, and its answer, read as
    // r1's end, put `heardMs` 279 ms behind what the module played of r2.
    assert.ok(most <= 20 && least >= -20, `heardMs off the module by ${least}..${most} ms`);
    await transport.close();
    const { marksSent, marksAcknowledged, marksUnanswered } = transport.stats;
    assert.ok(marksUnanswered >= 1, "r1's end-of-speech mark, never sent, counted unanswered");
    assert.equal(marksSent, marksAcknowledged + marksUnanswered);
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, background short of a chunk for a read while a declined end-of-speech mark waits for a slot: no silence put in it`, async () => {
    const call = forkBackgroundCall(make);
    const { clock, transport, playedRuns, stop, resume } = call;
    const stops: number[] = [];
    transport.addEventListener("speakingstop", () => stops.push(clock.now()));
    await clock.tick(10);
    // Its slot after 400 ms finds nothing, with half a batch in the pre-buffer; it has its chunk
    // 50 ms later (as fork_background_stop_tail_test.ts's). The declined mark, kept past the
    // background, stands no longer at the end of what was sent: the flush waits a slot, as with
    // no mark, and the late chunk completes the batch. Flushed at once, 40 ms of silence played
    // in the background (at 580).
    await declinedEndThen(call, 2000, Infinity, (t) => {
      if (t === 400) stop();
      if (t === 450) resume();
    });
    const runs = playedRuns();
    const afterReply = runs.findLastIndex((run) => run.value === 101);
    const lastBackground = runs.findLastIndex((run) => run.value === BACKGROUND);
    const gaps = runs.slice(afterReply + 1, lastBackground).filter((run) => run.value === 0);
    assert.deepEqual(gaps, [], "silence in the background");
    const playedAll = runs[afterReply]!.at + runs[afterReply]!.ms;
    assert.equal(stops.length, 1);
    assert.ok(
      stops[0]! >= playedAll && stops[0]! - playedAll <= minLeadMs(8000) + 80,
      `speakingstop at ${stops[0]}, the reply played whole at ${playedAll}`,
    );
    await transport.close();
  });
}
