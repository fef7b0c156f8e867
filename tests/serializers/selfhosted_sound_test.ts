// Passing checks (what self41 found sound), against far ends built from the platforms' sources:
// chan_websocket (plain text with buffering marks, JSON with MARK_MEDIA) and mod_audio_fork
// (jambonz closing on `disconnect`, FreeSWITCH not). A reply interrupted mid-way, then a goodbye
// and `end`: the interruption's speakingstop within a mark interval of what played, and the
// goodbye played to its end before the hang-up / disconnect, its speakingstop "played".
import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../src/playback.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { asteriskFarEnd } from "./fixtures/asterisk_channel_playout.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { levelFrame, narrowbandCall } from "./fixtures/narrowband_call.ts";

for (const json of [false, true]) {
  Deno.test(`self41 sound: Asterisk (${json ? "JSON, MARK_MEDIA" : "plain text, buffering"}) barge-in and a goodbye heard before HANGUP`, async () => {
    const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer());
    const log = asteriskFarEnd(clock, pair, { json, frameBytes: 160, format: "ulaw" });
    const stops: SpeakingEvent[] = [];
    transport.addEventListener("speakingstop", (e) => stops.push(e));
    transport.receive(() => {});
    await clock.tick(10);
    transport.send(levelFrame(2000, 1000, "r1"));
    await clock.tick(500);
    transport.interrupt();
    await clock.tick(300);
    const before = log.played.length;
    transport.send(levelFrame(1010, 2000, "bye"));
    transport.send({ type: "end" });
    await clock.tick(5000);
    assert.equal(stops[0]?.reason, "interrupted");
    assert.ok(
      Math.abs(stops[0]!.heardMs - before * 20) <= 250,
      `heard ${stops[0]!.heardMs} vs played ${before * 20}`,
    );
    assert.equal(stops[1]?.reason, "played");
    assert.equal(log.unplayedAtHangup, 0);
    assert.equal(log.commands.at(-1), json ? '{"command":"HANGUP"}' : "HANGUP");
    assert.equal(log.played.length - before, 51); // 1010 ms: 50 frames and the padded half
  });
}

for (const which of ["jambonz", "freeswitch"]) {
  Deno.test(`self41 sound: ${which} barge-in, goodbye played before disconnect`, async () => {
    const { clock, pair, transport } = narrowbandCall(
      which === "jambonz" ? new JambonzSerializer() : new FreeSwitchSerializer(),
      {
        closeTimeoutMs: 1000,
      },
    );
    const log = forkFarEnd(clock, pair, {
      metadata: JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c1" }),
      closeOnDisconnect: which === "jambonz",
    });
    const stops: SpeakingEvent[] = [];
    const marks: Record<string, number> = {};
    transport.addEventListener("speakingstop", (e) => stops.push(e));
    transport.receive((f) => {
      if (f.type === "mark") marks[f.name] = clock.now();
    });
    await clock.tick(10);
    transport.send(levelFrame(2000, 100, "r1"));
    await clock.tick(700);
    transport.interrupt();
    await clock.tick(300);
    for (const v of [11, 12]) {
      transport.send(levelFrame(300, v, "r2"));
      transport.send({ type: "mark", name: `s${v}` });
    }
    await clock.tick(2000);
    transport.send(levelFrame(1010, 300, "bye"));
    transport.send({ type: "end" });
    await clock.tick(6000);
    const last = (v: number) => log.played.filter(([, s]) => s === v).at(-1)![0];
    // (s11, a mid-reply mark, is answered 60 ms early here: see fork_mark_early_test.ts)
    assert.ok(marks.s12! >= last(12) - 80, "the reply-end mark within a batch (documented)");
    assert.deepEqual(stops.map((s) => s.reason), ["interrupted", "played", "played"]);
    assert.ok(log.disconnectAt! >= last(300), "goodbye played before disconnect");
    assert.equal(transport.stats.marksUnanswered, 0);
  });
}
