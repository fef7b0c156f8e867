// An interruption while an asynchronous serializer (its answers come 25 ms later) still owes the
// answer for a chunk of *background* that filled a slot in the middle of a reply (the bot's
// speech paused for a moment). The clear (`killAudio`) leaves at once; the background's answer
// goes after it, as background plays on through an interruption. The module moves what its
// pre-buffer holds to its playout buffer only in whole batches, as a binary message arrives, and
// `killAudio` empties the playout buffer alone (processIncomingBinary :108-116 and
// processIncomingMessage's killAudio, jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899; simulated in src/simulator/far_ends/_audio_fork.ts). The silence before `killAudio`
// was counted to complete the batch with the background chunk, which had not arrived: the
// pre-buffer kept the reply's end, and the background chunk, arriving after the clear, completed
// the batch and played it: the stopped reply heard after the interruption.
import assert from "node:assert/strict";
import type { Frame, OutboundMixer } from "../../mod.ts";
import { FAR_END_HOLDS } from "../../src/serializers/_far_end_holds.ts";
import {
  FORK_SERIALIZERS,
  forkAudio,
  simulatedForkModule,
} from "../serializers/fixtures/fork_serializers.ts";
import { level, narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";

const BACKGROUND = 7;
const LATE_MS = 25;

/** Background at level 7, a 40 ms fill (the transport's chunk at 8 kHz), not mixed in speech. */
const background = (): OutboundMixer => ({
  attach() {},
  mix: (chunk) => chunk,
  fill: () => ({ type: "audio", audio: level(40, BACKGROUND), sampleRate: 8000, channels: 1 }),
  detach() {},
});

/** The first sample of an audio frame. */
const firstSample = (frame: Frame) =>
  frame.type === "audio"
    ? new DataView(frame.audio.buffer, frame.audio.byteOffset).getInt16(0, true)
    : NaN;

const CASES = [
  ["the background playing on", false],
  // Its late chunk is its last: what the module holds of it is counted as the module holds it,
  // or the next reply's end-of-speech silence is short by it, that reply's end left unplayed.
  ["the background stopping", true],
] as const;

for (const [name, make] of FORK_SERIALIZERS) {
  for (const [label, stops] of CASES) {
    Deno.test(`\`${name}\` answering audio later, interrupted while a background fill's answer is due, ${label}: the stopped reply's end never plays after the clear, the next reply played whole`, async () => {
      let filling = true;
      const mixer: OutboundMixer = {
        ...background(),
        fill: () => filling ? background().fill!() : undefined,
      };
      const serializer = make();
      const serialize = serializer.serialize.bind(serializer);
      const { clock, pair, transport } = narrowbandCall(serializer, { background: mixer });
      let backgroundDue = false; // a background chunk's answer is still to come
      serializer.serialize = (frame: Frame) => {
        if (frame.type !== "audio") return serialize(frame);
        // Taken (counted) now, answered later: a remote encoder's wrapper.
        const message = serialize(frame);
        const isBackground = firstSample(frame) === BACKGROUND;
        if (isBackground) backgroundDue = true;
        return clock.sleep(LATE_MS).then(() => {
          if (isBackground) backgroundDue = false;
          return message;
        });
      };
      const { playedRuns } = simulatedForkModule(clock, pair);
      transport.receive(() => {});
      await clock.tick(10);
      // The reply: 200 ms in 20 ms writes (five 40 ms chunks: the module's first batch and half
      // the next), then a pause in which the background fills a slot.
      for (let t = 0; t < 200; t++) {
        if (t % 20 === 0) transport.send(forkAudio(20, 101, "r1"));
        await clock.tick(1);
      }
      let waited = 0;
      while (!backgroundDue && waited++ < 200) await clock.tick(1);
      assert.ok(backgroundDue, "a background fill's answer is due");
      assert.equal(FAR_END_HOLDS.get(serializer)!.sendsUnderWay, 0, "no speech under way");
      const interruptedAt = clock.now();
      filling = !stops;
      await transport.interrupt();
      await clock.tick(500);
      // The next reply: the count of the module's pre-buffer after the background's late chunk
      // must be the module's, for its end-of-speech mark to be answered as its last sample plays.
      const stopped: number[] = [];
      transport.addEventListener("speakingstop", () => stopped.push(clock.now()));
      for (let t = 0; t < 700; t++) {
        if (t % 20 === 0 && t < 300) transport.send(forkAudio(20, 102, "r2"));
        await clock.tick(1);
      }
      const runs = playedRuns();
      // What the module's speaker played from the frame that acts on `killAudio` on (the module
      // only sets a flag when it reads it, and its next 20 ms frame clears: lws_glue.cpp:299,
      // :939): the stopped reply, never.
      const clearedAt = (Math.floor(interruptedAt / 20) + 1) * 20;
      const after = runs.filter((run) => run.at + run.ms > clearedAt + 1);
      const reply = after.filter((run) => run.value === 101);
      // Before: the reply's last 40 ms, played as the background's chunk completed its batch.
      assert.deepEqual(reply, [], `the reply after the clear at ${interruptedAt}`);
      assert.ok(after.some((run) => run.value === BACKGROUND), "the background's late chunk plays");
      const last = runs.filter((run) => run.value === 102).at(-1)!;
      const r2 = runs.filter((run) => run.value === 102).reduce((ms, run) => ms + run.ms, 0);
      assert.equal(r2, 300, "r2 played whole");
      // (Where the background stopped, its late chunk waits in the pre-buffer for r2, as any
      // background's tail does, and r2's answers come late with no background to cover them:
      // its end is read by the estimate, not timed here.)
      if (!stops) assert.deepEqual(stopped, [last.at + last.ms], "r2's speakingstop as it plays");
      await transport.close();
    });
  }
}
