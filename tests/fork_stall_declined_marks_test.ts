// mod_audio_fork keeps at most 30 marks, and the transport's own take at most 24 of them, its
// cadence giving way to the bot's (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899, `MAX_MARKS`; simulated in serializers/fixtures/fork_module_playout.ts). A far end whose
// media stalls answers none. With the bot's marks waiting, the serializer declines the
// transport's cadence marks unsent, and the tracker counts each given up in `marksUnanswered`.
// It went on making one every `markIntervalMs`: a 20 s stall counted some 60 marks sent and
// unanswered that never reached the far end, as if a far end had ignored them. The cadence now
// waits for the next answer (any mark's: it frees a slot), so one stall counts one.
import assert from "node:assert/strict";
import type { FakeClock } from "../src/testing/mod.ts";
import {
  FORK_METADATA,
  FORK_SERIALIZERS,
  forkAudio,
} from "./serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "./serializers/fixtures/fork_module_playout.ts";
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

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, the far end's media stalled with the bot's marks waiting: one cadence mark declined counts, not one per interval`, async () => {
    const { clock, pair, transport } = narrowbandCall(make());
    const log = forkFarEnd(stalledUntil(clock, 30_000), pair, {
      metadata: FORK_METADATA,
      closeOnDisconnect: false,
    });
    transport.receive(() => {});
    await clock.tick(10);
    // Ten of the bot's marks, then a 20 s reply: the transport's marks find 14 slots free.
    for (let m = 0; m < 10; m++) {
      transport.send(forkAudio(20, 7, "r1"));
      transport.send({ type: "mark", name: `m${m}` });
    }
    transport.send(forkAudio(20_000, 7, "r1"));
    await clock.tick(25_000);
    const ours = () =>
      log.commands.map((c) => JSON.parse(c)).filter((c) =>
        c.type === "mark" && String(c.data.name).startsWith("__wst:")
      ).length;
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
