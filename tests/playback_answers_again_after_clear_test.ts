// mod_audio_fork's media stalls (its media thread runs no `dub_speech_frame`, so nothing plays and
// no mark is answered; the socket thread still reads commands: jambonz/freeswitch-modules
// mod_audio_fork/lws_glue.cpp at 30f21899, simulated in serializers/fixtures/fork_module_playout.ts)
// longer than `playoutTimeoutMs`, and the caller barges in meanwhile: the clear (`killAudio`) comes
// while the answers are overdue, so the marks sent after it are not waited for (README, "Limits":
// replies stop by the estimate, `acknowledged: false`, until an answer comes again). Once the
// stall is over the module answers again: from its first answer the replies wait for their own
// answers once more, and what they say rests on them (`acknowledged: true`). Were the flag kept
// past that answer, every reply for the rest of the call stopped by the estimate.
import assert from "node:assert/strict";
import type { FrameSerializer, SpeakingEvent } from "../mod.ts";
import type { FakeClock } from "../src/testing/mod.ts";
import {
  FORK_METADATA,
  FORK_SERIALIZERS,
  forkAudio,
} from "./serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "./serializers/fixtures/fork_module_playout.ts";
import { narrowbandCall } from "./serializers/fixtures/narrowband_call.ts";

/** `clock` as the module's media thread sees it: no tick falls from `from` until `to` ms. */
function stalledBetween(clock: FakeClock, from: number, to: number): FakeClock {
  const sleep = (ms: number) => {
    const due = clock.now() + ms;
    return clock.sleep(due >= from && due < to ? to - clock.now() : ms);
  };
  return { now: () => clock.now(), sleep } as unknown as FakeClock;
}

/** A call whose module stalls from 3000 to 9000 ms, the caller barging in at 7000 ms. */
async function bargedInDuringStall(make: () => FrameSerializer) {
  const { clock, pair, transport } = narrowbandCall(make());
  const log = forkFarEnd(stalledBetween(clock, 3000, 9000), pair, {
    metadata: FORK_METADATA,
    closeOnDisconnect: false,
  });
  const stops: { at: number; event: SpeakingEvent }[] = [];
  transport.addEventListener("speakingstop", (event) => stops.push({ at: clock.now(), event }));
  transport.receive(() => {});
  await clock.tick(10);
  transport.send(forkAudio(1000, 101, "r1")); // answered: the module's delay is learned
  await clock.tick(2490);
  transport.send(forkAudio(1000, 102, "r2")); // stalled 480 ms in: its answers go missing
  await clock.tick(3500);
  transport.send(forkAudio(3000, 103, "r3")); // sent with r2's answers overdue
  await clock.tick(1000);
  const cut = await transport.interrupt();
  return { clock, pair, transport, log, stops, cut };
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, a barge-in while the module's stalled answers are overdue, then the stall ends: the replies after its next answer wait for their own answers, acknowledged`, async () => {
    const { clock, pair, transport, log, stops, cut } = await bargedInDuringStall(make);
    assert.equal(cut.acknowledged, false, "the cut rests on the estimate: answers overdue");
    await clock.tick(9500 - clock.now());
    transport.send(forkAudio(1000, 104, "r4"));
    await clock.tick(2500);
    transport.send(forkAudio(2000, 105, "r5"));
    await clock.tick(3000);
    /** When the module played the last 20 ms frame of level `v`, and so had played it all. */
    const playedOut = (v: number) => log.played.filter(([, s]) => s === v).at(-1)![0] + 20;
    for (const [id, v] of [["r4", 104], ["r5", 105]] as const) {
      const stop = stops.find((s) => s.event.responseId === id)!;
      assert.deepEqual([stop.event.reason, stop.event.acknowledged], ["played", true], id);
      assert.ok(Math.abs(stop.at - playedOut(v)) <= 20, `${id} stopped at ${stop.at}`);
    }
    assert.equal(transport.playback.acknowledged, true);
    pair.client.close(1000);
    await transport.closed;
  });
}
