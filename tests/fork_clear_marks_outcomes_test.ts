// Every mark the transport makes ends in exactly one counted outcome by the session's end:
// acknowledged, or unanswered (given up unsent, dropped by a clear, passed by a later answer, or
// still waited for at the end): `marksSent = marksAcknowledged + marksUnanswered`. The hard case
// is mod_audio_fork's `clearMarks`, sent by the bot as a message: the module forgets every mark
// it holds and answers none of them (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899, `processIncomingMessage` :321-331; simulated in
// serializers/fixtures/fork_module_playout.ts), the transport's own among them, which the
// serializer tells the playback tracker of (`FarEndHold.onMarksForgotten`): they are counted as
// the clear leaves, but the end-of-speech mark sent again after it. Seeded sessions mix replies
// (background under them in half), the bot's marks, `clearMarks`, interruptions, a stall of the
// module's media and either side's close.
import assert from "node:assert/strict";
import type { OutboundMixer } from "../mod.ts";
import type { FakeClock } from "../src/testing/mod.ts";
import {
  FORK_METADATA,
  FORK_SERIALIZERS,
  forkAudio,
} from "./serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "./serializers/fixtures/fork_module_playout.ts";
import { level, narrowbandCall } from "./serializers/fixtures/narrowband_call.ts";
import { Prng } from "./fuzz/prng.ts";

/**
 * `clock` as the module's media thread sees it, stalled from `from` to `to` ms: a stalled channel
 * runs no `dub_speech_frame` (lws_glue.cpp:930-1050), so nothing plays and no mark is answered.
 */
function stalled(clock: FakeClock, from: number, to: number): FakeClock {
  const sleep = (ms: number) => {
    const due = clock.now() + ms;
    return clock.sleep(due >= from && due < to ? to - clock.now() : ms);
  };
  return { now: () => clock.now(), sleep } as unknown as FakeClock;
}

/** Background at a constant level, a 40 ms chunk (the transport's) in every slot. */
function levelBackground(): OutboundMixer {
  return {
    attach() {},
    mix: (chunk) => chunk,
    fill: () => ({ type: "audio", audio: level(40, 3), sampleRate: 8000, channels: 1 }),
    detach() {},
  };
}

const SEEDS = 40;
const STEPS = 40;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`: over seeded sessions with \`clearMarks\`, every mark the transport made is acknowledged or unanswered, once, by the session's end`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = new Prng(seed);
      // Background under the replies in half of them (a declined end-of-speech mark outlives it).
      const withBackground = random.chance(0.5);
      const { clock, pair, transport } = narrowbandCall(
        make(),
        withBackground ? { background: levelBackground() } : {},
      );
      // The simulated module plays on after the socket closed: what it says then is lost.
      const send = pair.client.send.bind(pair.client);
      pair.client.send = (data) => void (pair.client.readyState === WebSocket.OPEN && send(data));
      const stallFrom = random.int(20_000);
      forkFarEnd(stalled(clock, stallFrom, stallFrom + random.int(8000)), pair, {
        metadata: FORK_METADATA,
        closeOnDisconnect: false,
      });
      transport.addEventListener("error", () => {}); // the bot's marks past 30 are refused
      transport.receive(() => {});
      await clock.tick(10);
      const steps: string[] = [];
      for (let step = 0; step < STEPS; step++) {
        const op = random.pick(["reply", "reply", "mark", "clear", "interrupt", "tick"] as const);
        steps.push(op);
        if (op === "reply") transport.send(forkAudio(20 * (1 + random.int(100)), 5, `r${step}`));
        else if (op === "mark") transport.send({ type: "mark", name: `m${step}` });
        else if (op === "clear") {
          // Every other one urgent: ahead of the reply still queued, so it lands mid-reply.
          const urgent = steps.filter((op) => op === "clear").length % 2 === 0;
          transport.send({ type: "message", message: { type: "clearMarks" }, urgent });
        } else if (op === "interrupt") await transport.interrupt();
        await clock.tick(random.int(op === "tick" ? 3000 : 400));
        const s = transport.stats;
        assert.ok(
          s.marksAcknowledged + s.marksUnanswered <= s.marksSent,
          `seed ${seed} after ${steps.join(",")}: ${JSON.stringify(s)}`,
        );
      }
      if (random.chance(0.5)) await transport.close();
      else {
        pair.client.close(1000);
        await transport.closed;
      }
      await clock.tick(5000); // answers that come after the end count nothing more
      const s = transport.stats;
      assert.equal(
        s.marksAcknowledged + s.marksUnanswered,
        s.marksSent,
        `seed ${seed}: ${
          steps.join(",")
        }: sent ${s.marksSent}, acknowledged ${s.marksAcknowledged}, unanswered ${s.marksUnanswered}`,
      );
    }
  });
}
