// jambonz `listen` (bidirectional streaming) with markIntervalMs: 0 — the README's own advice
// for a fork whose return rate differs from the codec's ("give the session markIntervalMs: 0 and
// send no marks of your own"), and for any bot that turns the transport's marks off.
//
// jambonz's side, from its sources (simulated in fixtures/fork_module_playout.ts): mod_audio_fork holds the
// bot's audio in a pre-buffer until 640 samples (80 ms) have gathered (lws_glue.cpp:108-116);
// `disconnect` raises mod_audio_fork::disconnect (lws_glue.cpp:343-347), on which listen.js
// `_onDisconnect` (:313-316) kills the task: forkAudioStop removes the fork, and what it had not
// played is gone.
//
// JambonzSerializer's `end` sends the silence that flushes the pre-buffer and `disconnect` in the
// same breath (jambonz.ts:186-190: `[tail, end]`), so the goodbye's last part (up to a batch) is
// moved to the playout buffer just as the fork is stopped: it is never heard, and the goodbye's
// speakingstop still says "played" with all of it heard. README "A goodbye that is heard": "An end
// frame hangs up once the far end has ... played [it] by the estimate ... The goodbye's
// speakingstop says "played" when it has played to its end before the hang-up."
import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../src/playback.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { levelFrame, narrowbandCall } from "./fixtures/narrowband_call.ts";

for (
  const [name, make] of [
    ["JambonzSerializer", () => new JambonzSerializer()],
    ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
  ] as [string, () => FrameSerializer][]
) {
  Deno.test(`\`${name}\` with markIntervalMs 0: the goodbye plays to its end before the disconnect`, async () => {
    const { clock, pair, transport } = narrowbandCall(make(), {
      markIntervalMs: 0,
      playoutDelayMs: 100, // the far end's buffering, as the README asks of estimate-only sessions
    });
    const log = forkFarEnd(clock, pair, {
      metadata: JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c1" }),
      // listen.js _onDisconnect → kill → forkAudioStop; a FreeSWITCH application hangs up
      closeOnDisconnect: true,
    });
    const stops: SpeakingEvent[] = [];
    transport.addEventListener("speakingstop", (e) => stops.push(e));
    transport.receive(() => {});
    await clock.tick(10);
    transport.send(levelFrame(1010, 300, "bye"));
    transport.send({ type: "end" });
    await clock.tick(5000);
    // One 20 ms tick per entry: count the goodbye's samples actually played instead.
    const playedTicks = log.played.filter(([, s]) => s === 300).length;
    assert.equal(stops[0]?.reason, "played");
    assert.ok(
      playedTicks * 20 >= 1000,
      `goodbye: ${
        playedTicks * 20
      } ms of 1010 played before the disconnect at ${log.disconnectAt} ms ` +
        `(${log.unplayedAtDisconnect} samples still buffered), yet speakingstop said "${
          stops[0]?.reason
        }" ` +
        `with heardMs ${stops[0]?.heardMs}`,
    );
    await transport.close();
  });
}
