// mod_audio_fork applies `killAudio` at its next 20 ms media tick, not when it reads it
// (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899: :291-299 sets a flag,
// `dub_speech_frame` :936-965 clears). A bot that interrupts itself and speaks a new reply at once
// had that reply's first 100 ms (the transport's lead, sent in one go) and its mark cleared with
// the old reply, and the mark's name left on the module's cleared list: every later mark was
// answered a marker late for the rest of the call. Through the public transport, against the
// module's playout simulated on the session's clock (serializers/fixtures/fork_module_playout.ts).
import assert from "node:assert/strict";
import {
  FORK_SERIALIZERS,
  forkAudio,
  forkMarkSession,
  simulatedForkModule,
} from "./serializers/fixtures/fork_serializers.ts";
import { narrowbandCall } from "./serializers/fixtures/narrowband_call.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`${name}: a reply spoken right after an interruption plays whole, its mark answered as it plays, and every later mark in step`, async () => {
    const { clock, transport, log, answered, lastPlayed } = forkMarkSession(make, {
      markIntervalMs: 250,
    });
    await clock.tick(10);
    transport.send(forkAudio(400, 11, "a"));
    transport.send({ type: "mark", name: "a" });
    await clock.tick(1500);
    transport.send(forkAudio(300, 12, "b"));
    transport.send({ type: "mark", name: "b" });
    transport.send(forkAudio(300, 12, "b"));
    await clock.tick(200); // `b` is playing, its mark not reached
    await transport.interrupt();
    const cut = clock.now();
    // At once, before the module's next tick: the transport's lead goes in one go.
    transport.send(forkAudio(60, 13, "c"));
    transport.send({ type: "mark", name: "c" });
    transport.send(forkAudio(40, 13, "c"));
    await clock.tick(1500);
    const events = Object.fromEntries(log.answers.map((a) => [a.name, a.event]));
    assert.equal(events.a, "playout");
    assert.equal(events.b, "cleared");
    assert.equal(events.c, "playout", log.trace.join("\n"));
    // The new reply played whole: five 20 ms ticks that began with its level, after the cut.
    const ticksOfC = log.played.filter(([at, v]) => v === 13 && at > cut).length;
    assert.ok(ticksOfC >= 5, `${ticksOfC} ticks of the new reply`);
    for (const [i, mark] of ["d", "e", "f"].entries()) {
      const v = 20 + i;
      transport.send(forkAudio(400, v, mark));
      transport.send({ type: "mark", name: mark });
      await clock.tick(1500);
      // Answered as its reply's last sample played, not a marker late (or never).
      assert.ok(answered[mark] !== undefined, `${mark} never answered`);
      const late = answered[mark]! - lastPlayed(v);
      assert.ok(late >= 0 && late <= 40, `${mark} answered ${late} ms after its reply played`);
    }
    const stats = transport.stats;
    assert.equal(stats.marksSent, stats.marksAcknowledged + stats.marksUnanswered);
    await transport.close();
    await clock.tick(100);
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`${name} against the simulator's mod_audio_fork far end: the reply after a self-interruption plays whole, and later marks come back with their replies`, async () => {
    const { clock, pair, transport } = narrowbandCall(make(), { markIntervalMs: 250 });
    const { playedRuns } = simulatedForkModule(clock, pair);
    const answered: { name: string; at: number }[] = [];
    transport.receive((f) => {
      if (f.type === "mark") answered.push({ name: f.name, at: clock.now() });
    });
    await clock.tick(10);
    transport.send(forkAudio(300, 12, "b"));
    transport.send({ type: "mark", name: "b" });
    transport.send(forkAudio(300, 12, "b"));
    await clock.tick(200);
    await transport.interrupt();
    transport.send(forkAudio(60, 13, "c"));
    transport.send({ type: "mark", name: "c" });
    transport.send(forkAudio(40, 13, "c"));
    await clock.tick(1500);
    const ms = (v: number) =>
      playedRuns().filter((r) => r.value === v).reduce((sum, r) => sum + r.ms, 0);
    assert.equal(ms(13), 100, "ms of the reply after the interruption");
    for (const [i, mark] of ["d", "e", "f"].entries()) {
      transport.send(forkAudio(400, 20 + i, mark));
      transport.send({ type: "mark", name: mark });
      await clock.tick(1500);
      const end = playedRuns().filter((r) => r.value === 20 + i).at(-1)!;
      const answer = answered.find((a) => a.name === mark);
      assert.ok(answer !== undefined, `${mark} never answered: ${JSON.stringify(answered)}`);
      // The speaker's time starts with the call's: its clock is the session's from 0.
      const late = answer.at - (end.at + end.ms);
      assert.ok(late >= -1 && late <= 40, `${mark} answered ${late} ms after its reply played`);
    }
    assert.deepEqual(answered.map((a) => a.name), ["b", "c", "d", "e", "f"]);
    await transport.close();
    await clock.tick(100);
  });
}
