// mod_audio_fork (jambonz, FreeSWITCH) with background audio filling the slots between replies,
// against the simulator's far end (src/simulator/far_ends/_audio_fork.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899). The module keeps at most 30
// marks (`MAX_MARKS`): with the bot's 30 waiting at a reply's end, the transport's end-of-speech
// mark is declined, to go alone once an answer frees a slot; the module answers a mark it holds
// with no marker on its first tick with nothing to play (`dub_speech_frame`, :1029-1041). With the
// background filling, the mark waits for its next chunk; where the background stops instead, the
// silence that completes the pre-buffer's batch goes at once (`backgroundFills`). That silence
// forgot the declined mark: the answers that freed slots sent nothing, and `speakingstop` came
// `playoutTimeoutMs` (2 s) past the reply's end, the mark never answered.
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { forkBackgroundCall } from "./_fork_background_call.ts";

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
