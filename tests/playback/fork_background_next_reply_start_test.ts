// mod_audio_fork (jambonz, FreeSWITCH) with background audio filling the slots between replies,
// against the simulator's far end (src/simulator/far_ends/_audio_fork.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899). The module keeps at most 30
// marks (`MAX_MARKS`, `processIncomingMessage` :205-391): with the bot's 30 waiting at a reply's
// end, the transport's end-of-speech mark is declined, and kept across the background for a slot
// to free. A next reply's speech gives it up (its place is behind that speech): the reply after
// it must still begin as the module plays it, not once a later mark's answer passes the one never
// sent.
import assert from "node:assert/strict";
import { FORK_SERIALIZERS } from "../serializers/fixtures/fork_serializers.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { declinedEndThen, forkBackgroundCall } from "./_fork_background_call.ts";

/** The call's speaking events, in order, with the clock's time at each. */
function speakingLog(call: ReturnType<typeof forkBackgroundCall>) {
  const events: { type: string; at: number; id: string | undefined; acknowledged: boolean }[] = [];
  for (const type of ["speakingstart", "speakingstop"]) {
    call.transport.addEventListener(type, (e) => {
      const { responseId, acknowledged } = e as SpeakingEvent;
      events.push({ type, at: call.clock.now(), id: responseId, acknowledged });
    });
  }
  return events;
}

/** When the module began to play sample value `value` (the first run of it). */
function firstPlayed(call: ReturnType<typeof forkBackgroundCall>, value: number): number {
  return call.playedRuns().find((run) => run.value === value)!.at;
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, a reply after one whose declined end-of-speech mark it gives up begins as the module plays it`, async () => {
    const call = forkBackgroundCall(make);
    const events = speakingLog(call);
    await call.clock.tick(10);
    // r2 written at 400, before the bot's marks are answered: r1's declined end-of-speech mark is
    // given up, and r2's own start mark finds no slot either.
    const { most, least } = await declinedEndThen(call, 2000, 400);
    const r2Plays = firstPlayed(call, 102);
    const start = events.find((e) => e.type === "speakingstart" && e.id === "r2")!;
    // Before: at 860 (r2 played from 580), once the answer to a mark of r2's cadence passed the
    // mark r1's end waited for, which the module never had.
    assert.ok(
      Math.abs(start.at - r2Plays) <= 20,
      `r2's speakingstart at ${start.at}, the module played it from ${r2Plays}`,
    );
    const r1Stop = events.find((e) => e.type === "speakingstop" && e.id === "r1")!;
    assert.ok(r1Stop.at <= start.at, "r1 stops before r2 begins");
    assert.equal(r1Stop.acknowledged, false, "r1's end went by the estimate: no mark stood there");
    assert.ok(most <= 20 && least >= -20, `heardMs off the module by ${least}..${most} ms`);
    await call.transport.close();
    const { marksSent, marksAcknowledged, marksUnanswered } = call.transport.stats;
    assert.equal(marksSent, marksAcknowledged + marksUnanswered);
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, the late answer to a declined end-of-speech mark kept across background skews no next reply`, async () => {
    const call = forkBackgroundCall(make);
    const events = speakingLog(call);
    await call.clock.tick(10);
    // r1's end-of-speech mark goes once the bot's answers free a slot, its marker at the start of
    // the background's next chunk: answered about the module's lead (160 ms) after r1's end.
    const { most, least } = await declinedEndThen(call, 3000, 1500);
    const r2Plays = firstPlayed(call, 102);
    const start = events.find((e) => e.type === "speakingstart" && e.id === "r2")!;
    assert.ok(
      Math.abs(start.at - r2Plays) <= 20,
      `r2's speakingstart at ${start.at}, the module played it from ${r2Plays}`,
    );
    assert.ok(most <= 20 && least >= -20, `heardMs off the module by ${least}..${most} ms`);
    await call.transport.close();
  });
}
