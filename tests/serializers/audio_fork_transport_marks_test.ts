// mod_audio_fork keeps at most 30 marks, in inventory and in use, and discards further ones with
// only a log line (`MAX_MARKS`, jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899, `processIncomingMessage` :205-391; simulated in fixtures/fork_module_playout.ts). The
// bot's marks and the transport's own (`__wst:…`, its playback tracker's) share them. A far end
// whose media stalls answers none while the tracker goes on marking (24 of its cadence, end-of-
// speech marks to 48): at 30 the serializer refused the transport's `__wst:end:…` with an "encode"
// error the bot read about a mark it never wrote, and then refused each of the bot's own marks,
// without another word (the refusal's spell had begun). Now the transport's marks hold at most
// 24 slots, its cadence gives way to the bot's marks, and it is declined quietly (its tracker
// counts it unanswered), never refused.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FORK_METADATA, FORK_SERIALIZERS, forkAudio } from "./fixtures/fork_serializers.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { NARROWBAND_SETUP, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/**
 * `clock` as the module's media thread sees it, stalled from `from` to `to` ms: FreeSWITCH runs
 * `dub_speech_frame` (lws_glue.cpp:930-1050) once per 20 ms media frame, and a stalled channel
 * runs none, so nothing plays and no mark is answered; the socket thread still takes the bot's
 * audio and commands. The far end's next frame due inside the stall comes at its end.
 */
function stalledMedia(clock: FakeClock, from: number, to: number): FakeClock {
  const sleep = (ms: number) => {
    const due = clock.now() + ms;
    return clock.sleep(due >= from && due < to ? to - clock.now() : ms);
  };
  return { now: () => clock.now(), sleep } as unknown as FakeClock;
}

/** A session on `make()` whose far end's media stalls from 0.5 s to 60 s into the call. */
function stalledCall(make: (typeof FORK_SERIALIZERS)[number][1]) {
  const { clock, pair, transport } = narrowbandCall(make());
  forkFarEnd(stalledMedia(clock, 500, 60_000), pair, {
    metadata: FORK_METADATA,
    closeOnDisconnect: false,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  const answered: string[] = [];
  transport.receive((f) => void (f.type === "mark" && answered.push(f.name)));
  return { clock, transport, errors, answered };
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, the far end's media stalled: the transport's own marks raise no error and leave the bot six marks`, async () => {
    const { clock, transport, errors, answered } = stalledCall(make);
    await clock.tick(10);
    // Sixteen replies of 1.5 s, no mark of the bot's: the tracker's cadence reaches its 24, and
    // each reply's end adds one more.
    for (let r = 0; r < 16; r++) {
      transport.send(forkAudio(1500, 100 + r, `r${r}`));
      await clock.tick(3000);
    }
    assert.deepEqual(errors.map((e) => e.message), [], "no error for marks the bot never wrote");
    assert.equal(transport.stats.encodeErrors, 0);
    // Still stalled: the bot marks each sentence of a reply. The module has room for them.
    for (let s = 0; s < 6; s++) {
      transport.send(forkAudio(1000, 50, "b"));
      transport.send({ type: "mark", name: `b${s}` });
    }
    await clock.tick(60_000);
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.equal(transport.stats.encodeErrors, 0, "none of the bot's marks refused");
    assert.deepEqual(
      answered,
      ["b0", "b1", "b2", "b3", "b4", "b5"],
      "each played, once the stall ended",
    );
    await transport.close();
    // Every mark the tracker sent is accounted for, those declined among the unanswered.
    const { marksSent, marksAcknowledged, marksUnanswered } = transport.stats;
    assert.equal(marksSent, marksAcknowledged + marksUnanswered);
  });

  Deno.test(`\`${name}\`, the far end's media stalled: the transport's cadence gives way to the bot's marks`, async () => {
    // Stalled from its first frame: nothing plays, no mark is answered, every command waits.
    const { clock, pair, transport } = narrowbandCall(make());
    const log = forkFarEnd(stalledMedia(clock, 1, 60_000), pair, {
      metadata: FORK_METADATA,
      closeOnDisconnect: false,
    });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    transport.receive(() => {});
    await clock.tick(10);
    // A 6 s reply, marked by the bot every 200 ms: 30 marks beside the tracker's.
    for (let m = 0; m < 30; m++) {
      transport.send(forkAudio(200, 7, "r"));
      transport.send({ type: "mark", name: `m${m}` });
    }
    await clock.tick(10_000);
    const names = log.commands.map((c) => JSON.parse(c)).filter((c) => c.type === "mark")
      .map((c) => c.data.name as string);
    // With none answered, a command's index is how many marks the module held before it.
    assert.ok(names.length <= 30, `${names.length} marks sent: the module discards past 30`);
    const cadence = names.findLastIndex((n) =>
      n.startsWith("__wst:") && !n.startsWith("__wst:end")
    );
    assert.ok(cadence < 24, `the transport's cadence mark went with ${cadence} marks waiting`);
    const transports = names.filter((n) => n.startsWith("__wst:")).length;
    assert.ok(
      transports <= 24,
      `${transports} of the module's slots went to the transport's marks`,
    );
    // The bot's refusals are its own, reported once, each counted.
    const bots = names.length - transports;
    assert.equal(transport.stats.encodeErrors, 30 - bots);
    assert.ok(
      errors.every((e) => !e.message.includes("__wst")),
      errors.map((e) => e.message).join(),
    );
    await transport.close();
  });
}

Deno.test("`JambonzSerializer` declines the transport's end-of-speech mark at 30 quietly, and still plays the reply's end", () => {
  const { context, sent, counted, reported } = recordingContext();
  const jambonz = new JambonzSerializer({ streamSampleRate: 8000 });
  jambonz.bind(context);
  jambonz.setup(NARROWBAND_SETUP);
  jambonz.deserialize(FORK_METADATA);
  // The bot's 30 marks fill the module, one per 20 ms message (their commands go with the next).
  for (let m = 0; m < 30; m++) {
    jambonz.serialize({ type: "mark", name: `m${m}` });
    jambonz.serialize(forkAudio(20, 7, "r"));
  }
  // A reply's end: 20 ms more leaves 482 samples in the module's pre-buffer, under its batch of
  // 640 (the 30 messages moved 8 + 5 × 4 whole ones on, `lws_glue.cpp:108-116`).
  jambonz.serialize(forkAudio(20, 7, "r"));
  const messages = jambonz.serialize({ type: "mark", name: "__wst:end:1" }) as unknown[];
  assert.deepEqual(reported, []);
  assert.equal(
    counted.encodeErrors,
    undefined,
    "the transport's tracker counts it, not encodeErrors",
  );
  assert.ok(!messages.some((m) => typeof m === "string" && m.includes("__wst")), "no command");
  // The silence that completes the batch: the reply's end plays now, not at the next reply.
  const silence = messages.at(-1);
  assert.ok(silence instanceof Uint8Array && silence.length > 0 && silence.every((b) => b === 0));
  assert.deepEqual(sent, []);
});
