// mod_audio_fork keeps at most 30 marks and discards further ones with only a log line (`MAX_MARKS`,
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899, `processIncomingMessage`
// :205-391; simulated in fixtures/fork_module_playout.ts). The transport's end-of-speech mark gives
// way to the bot's marks: with the module full of them it is declined. It stayed declined: where a
// bot marked its goodbye's end 30 times, the far end played the goodbye and answered every mark,
// yet the `end` waited `playoutTimeoutMs` (2 s of dead air) for the one mark never sent, then
// reported a "timeout". Now it goes once an answer frees a slot, while no audio has followed: the
// module answers a mark it holds with no marker at its first tick with nothing to play
// (`dub_speech_frame`, lws_glue.cpp:1029-1041), once the reply has played.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FAR_END_HOLDS } from "../../src/serializers/_far_end_holds.ts";
import { FORK_METADATA, FORK_SERIALIZERS, forkAudio } from "./fixtures/fork_serializers.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { level, NARROWBAND_SETUP, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";
import { wiredFork } from "./fixtures/fork_module.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`: a goodbye whose end-of-speech mark found the module full of the bot's marks hangs up once it has played, with no timeout`, async () => {
    const { clock, pair, transport } = narrowbandCall(make());
    const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    const answered: string[] = [];
    transport.receive((f) => void (f.type === "mark" && answered.push(f.name)));
    await clock.tick(10);
    // A 1 s goodbye, and 30 marks of the bot's at its end: the module's every slot.
    transport.send(forkAudio(1000, 100, "bye"));
    for (let m = 0; m < 30; m++) transport.send({ type: "mark", name: `b${m}` });
    transport.send({ type: "end" });
    await clock.tick(6000);
    assert.deepEqual(errors.map((e) => e.message), [], "the far end answered every mark sent");
    assert.equal(answered.length, 30, "each of the bot's marks played");
    const goodbyeEnds = log.played.filter(([, s]) => s === 100).at(-1)![0];
    assert.ok(log.disconnectAt !== undefined);
    // The mark goes after the silence that completes the goodbye's last batch (80 ms at most),
    // and is answered at the first tick with nothing left to play.
    assert.ok(
      log.disconnectAt - goodbyeEnds <= 120,
      `hung up ${log.disconnectAt - goodbyeEnds} ms after the goodbye played`,
    );
    const endMark = log.answers.find((a) => a.name.startsWith("__wst:end:"));
    assert.ok(endMark !== undefined && endMark.at >= goodbyeEnds, "answered once it played");
    await transport.close();
    const { marksSent, marksAcknowledged, marksUnanswered } = transport.stats;
    assert.equal(marksSent, marksAcknowledged + marksUnanswered);
  });
}

/**
 * A `JambonzSerializer` streaming at 8 kHz on a recording context, its call started; the
 * transport's audio as `setup` says (8 kHz both ways unless told).
 */
function startedJambonz(setup: Parameters<JambonzSerializer["setup"]>[0] = NARROWBAND_SETUP) {
  const recorded = recordingContext();
  const jambonz = new JambonzSerializer({ streamSampleRate: 8000 });
  jambonz.bind(recorded.context);
  jambonz.setup(setup);
  jambonz.deserialize(FORK_METADATA);
  const serialize = (frame: Frame) => [jambonz.serialize(frame) ?? []].flat() as unknown[];
  /** The module's answer to the bot's mark `name` (`send_mark_event`, lws_glue.cpp). */
  const answer = (name: string) =>
    jambonz.deserialize(JSON.stringify({ type: "mark", data: { name, event: "playout" } }));
  /** Thirty marks of the bot's, each after 20 ms of a reply: the module's every slot taken. */
  const fillSlots = () => {
    for (let m = 0; m < 30; m++) {
      serialize({ type: "mark", name: `m${m}` });
      serialize(forkAudio(20, 7, "r"));
    }
  };
  return { ...recorded, jambonz, serialize, answer, fillSlots };
}

/** The transport's audio at 16 kHz out: the serializer resamples it to the stream's 8 kHz. */
const WIDE_OUT = { ...NARROWBAND_SETUP, outputSampleRate: 16000 };

/** Whether `messages` hold the `mark` command of a name starting `prefix`. */
const commandOf = (messages: unknown[], prefix: string) =>
  messages.some((m) => typeof m === "string" && m.includes(`"name":"${prefix}`));

Deno.test("`JambonzSerializer` sends a declined end-of-speech mark alone once an answer frees a slot", () => {
  const { sent, serialize, answer, fillSlots } = startedJambonz();
  fillSlots();
  const declined = serialize({ type: "mark", name: "__wst:end:1" });
  assert.ok(!commandOf(declined, "__wst:end:1"), "declined: the module is full");
  answer("m0");
  assert.deepEqual(sent, ['{"type":"mark","data":{"name":"__wst:end:1"}}']);
  answer("m1");
  assert.equal(sent.length, 1, "sent once");
});

Deno.test("`JambonzSerializer` gives a declined end-of-speech mark up once audio follows it", () => {
  const { sent, serialize, answer, fillSlots } = startedJambonz();
  fillSlots();
  serialize({ type: "mark", name: "__wst:end:1" });
  // The next reply: the mark's place, the end of what was sent, has passed.
  serialize(forkAudio(20, 8, "r2"));
  answer("m0");
  assert.ok(!commandOf(sent, "__wst:end:1"), "no mark where the next reply stands");
});

/**
 * `frame`, serialized as the sender serializes a chunk of background audio (the mixer's `fill`):
 * the serializer's far-end hold told so for the call (`FarEndHold.sendingBackground`).
 */
function asBackground(jambonz: JambonzSerializer, serialize: (frame: Frame) => unknown[]) {
  const hold = FAR_END_HOLDS.get(jambonz)!;
  return (frame: Frame) => {
    hold.sendingBackground = true;
    try {
      return serialize(frame);
    } finally {
      hold.sendingBackground = false;
    }
  };
}

Deno.test("`JambonzSerializer` keeps a declined end-of-speech mark across background audio, and sends it once an answer frees a slot", () => {
  const { sent, jambonz, serialize, answer, fillSlots } = startedJambonz();
  const background = asBackground(jambonz, serialize);
  fillSlots();
  serialize({ type: "mark", name: "__wst:end:1" });
  // Background is part of no reply: the mark still stands for the reply's end. Before: the
  // first chunk forgot it, and the answer below sent nothing.
  for (let n = 0; n < 5; n++) background(forkAudio(40, 3, "bg"));
  answer("m0");
  assert.deepEqual(sent, ['{"type":"mark","data":{"name":"__wst:end:1"}}']);
  // Its marker takes the start of the background's next chunk (lws_glue.cpp:80-101).
  background(forkAudio(40, 3, "bg"));
  answer("m1");
  assert.equal(sent.length, 1, "sent once");
});

Deno.test("`JambonzSerializer` gives a declined end-of-speech mark up once a reply's speech follows background", () => {
  const { sent, jambonz, serialize, answer, fillSlots } = startedJambonz();
  const background = asBackground(jambonz, serialize);
  fillSlots();
  serialize({ type: "mark", name: "__wst:end:1" });
  background(forkAudio(40, 3, "bg"));
  serialize(forkAudio(20, 8, "r2")); // the next reply: its place is behind this speech
  answer("m0");
  assert.ok(!commandOf(sent, "__wst:end:1"), "no mark where the next reply stands");
});

Deno.test("`JambonzSerializer` gives a declined end-of-speech mark up at an interruption", () => {
  const { sent, serialize, answer, fillSlots } = startedJambonz();
  fillSlots();
  serialize({ type: "mark", name: "__wst:end:1" });
  serialize({ type: "interruption" });
  answer("m0");
  assert.ok(!commandOf(sent, "__wst:end:1"), "the tracker dropped its marks with the clear");
});

Deno.test("mod_audio_fork: a declined end-of-speech mark, sent once a slot frees, is answered once the reply has played", () => {
  // The module translated line by line (fixtures/fork_module.ts): a mark it holds with no marker
  // is answered on a frame with nothing to play and no marker pending (`dub_speech_frame`).
  const w = wiredFork();
  for (let m = 0; m < 30; m++) {
    w.send({ type: "mark", name: `m${m}` });
    w.speak(20);
  }
  w.send({ type: "mark", name: "__wst:end:1" });
  w.frames(100);
  const end = w.marks.find((m) => m.name === "__wst:end:1");
  assert.ok(end !== undefined, "answered");
  const lastSpeech = w.module.out.lastIndexOf(1000);
  assert.ok(lastSpeech >= 0 && end.frame * 160 > lastSpeech, "after the reply's last sample");
  assert.equal(w.module.out.filter((v) => v === 1000).length / 8, 600, "all of it played");
});

Deno.test("`JambonzSerializer` keeps a declined end-of-speech mark across the stretch's end where the audio is resampled and background followed", () => {
  const { sent, jambonz, serialize, answer } = startedJambonz(WIDE_OUT);
  const background = asBackground(jambonz, serialize);
  /** `ms` of the transport's 16 kHz audio at level `v`. */
  const wide = (ms: number, v: number, responseId: string): Frame => ({
    type: "audio",
    audio: level(2 * ms, v), // `level` counts 8 kHz samples: twice the milliseconds at 16
    sampleRate: 16000,
    channels: 1,
    responseId,
  });
  // Thirty marks of the bot's in reply r1: the module's every slot taken.
  for (let m = 0; m < 30; m++) {
    serialize({ type: "mark", name: `m${m}` });
    serialize(wide(20, 8, "r1"));
  }
  serialize({ type: "mark", name: "__wst:end:1" });
  for (let n = 0; n < 3; n++) background(wide(40, 3, "bg"));
  // The quiet time after r1 (background filling the slots meanwhile): what the resampler holds
  // is the background's. Before: taken for r1's, it gave the mark up, and the answer below sent
  // nothing (`speakingstop` waited `playoutTimeoutMs`).
  jambonz.audioEnds(true);
  answer("m0");
  assert.ok(commandOf(sent, "__wst:end:1"), "sent once a slot freed");
});

Deno.test("`JambonzSerializer` tells the tracker of each mark of the transport's it declines for good, and of no other", () => {
  const { jambonz, serialize, answer, fillSlots } = startedJambonz();
  const hold = FAR_END_HOLDS.get(jambonz)!;
  const background = asBackground(jambonz, serialize);
  const givenUp: string[] = [];
  hold.onMarkGivenUp = (name) => givenUp.push(name);
  fillSlots();
  // A mark of the cadence (or a reply's start) stands where the audio is now: given up at once.
  serialize({ type: "mark", name: "__wst:7" });
  assert.deepEqual(givenUp, ["__wst:7"]);
  // An end-of-speech mark waits for a slot, across background; a reply's speech gives it up.
  serialize({ type: "mark", name: "__wst:end:8" });
  background(forkAudio(40, 3, "bg"));
  assert.deepEqual(givenUp, ["__wst:7"], "kept across background");
  serialize(forkAudio(20, 8, "r2"));
  assert.deepEqual(givenUp, ["__wst:7", "__wst:end:8"]);
  // Sent once a slot frees, an end-of-speech mark owes nothing when audio follows.
  serialize({ type: "mark", name: "__wst:end:9" });
  answer("m0");
  serialize(forkAudio(20, 8, "r3"));
  assert.deepEqual(givenUp, ["__wst:7", "__wst:end:8"]);
});

Deno.test("`JambonzSerializer` tells the tracker of each `clearMarks`, with the end-of-speech mark it sends again", () => {
  const { jambonz, serialize, fillSlots } = startedJambonz();
  const hold = FAR_END_HOLDS.get(jambonz)!;
  const told: string[] = [];
  hold.onMarkGivenUp = (name) => told.push(`given up ${name}`);
  hold.onMarksForgotten = (kept) => told.push(`forgotten but ${kept}`);
  const clear = () => serialize({ type: "message", message: { type: "clearMarks" } });
  // A declined end-of-speech mark, no audio after it: sent again after the clear, still awaited.
  fillSlots();
  serialize({ type: "mark", name: "__wst:end:1" });
  // Under an id: the bot's marks, unanswered, may have answers crossing the clear.
  assert.ok(commandOf(clear(), "#m"), "sent again");
  assert.deepEqual(told, ["forgotten but __wst:end:1"]);
  // Mid-reply: every mark the module holds is forgotten, none sent again.
  serialize(forkAudio(200, 7, "r1"));
  serialize({ type: "mark", name: "__wst:2" });
  serialize(forkAudio(20, 7, "r1"));
  clear();
  assert.deepEqual(told, ["forgotten but __wst:end:1", "forgotten but undefined"]);
  // Any other message tells nothing.
  serialize({ type: "message", message: { type: "error", data: { reason: "x" } } });
  assert.equal(told.length, 2);
});
