import assert from "node:assert/strict";
import fc from "fast-check";
import { JAMBONZ_SUBPROTOCOL, JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { TransportError } from "../../src/errors.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import {
  assertRateWarning,
  documentedOnly,
  jambonzCall,
  playFork,
} from "./fixtures/audio_fork_calls.ts";
import { fakeFetch, fuzzDeserializer } from "./fixtures/telephony_harness.ts";
import { binaryToneRoundTrip } from "./fixtures/binary_tone.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
};
const preamble = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    sampleRate: 8000,
    mixType: "mono",
    callSid: "call-1",
    accountSid: "acct-1",
    ...fields,
  });

Deno.test("`JambonzSerializer` plays the documented listen session message by message both ways", async () => {
  const jambonz = new JambonzSerializer();
  const calls = recordingContext();
  // What goes ahead of a frame's answer, and the waits on the session's clock (none passes here).
  const sentAhead: number[] = [];
  const waits: number[] = [];
  jambonz.bind({
    ...calls.context,
    send: (message) => void sentAhead.push(message.length),
    clock: {
      now: () => 0,
      sleep: (ms) => (waits.push(ms), Promise.resolve()),
      timer: () => ({ arm() {}, cancel() {}, armed: false }),
    },
  });
  jambonz.setup(SETUP);
  // The serializer's own mark after killAudio, which proves the module applied it before sending
  // goes on (see `ForkMarks.interrupt`), is no message of the documented session: set aside.
  const proofs: string[] = [];
  const documented = documentedOnly({
    ...jambonz,
    deserialize: (data) => jambonz.deserialize(data),
    serialize: (frame) => {
      const result = jambonz.serialize(frame);
      if (!Array.isArray(result)) return result;
      // Its answer never comes in this script: the `clearMarks` after it makes the module forget
      // it, so another goes after that command (under an id: answers may cross the clear).
      const own = (m: unknown, i: number) =>
        typeof m === "string" &&
        (m.includes('"__wst:killed:') || (i > 0 && result[i - 1] === '{"type":"clearMarks"}'));
      proofs.push(...result.filter(own) as string[]);
      return result.filter((m, i) => !own(m, i));
    },
  });
  await playFork(documented.serializer, jambonzCall, 16000);
  assert.deepEqual(proofs, [
    '{"type":"mark","data":{"name":"__wst:killed:1"}}',
    '{"type":"mark","data":{"name":"#m1"}}',
  ]);
  // Paused for its answer, and bounded afresh for the second (a timer on this clock ends it).
  assert.deepEqual(calls.paused, [true, true]);
  assert.equal(jambonz.streamSampleRate, 16000, "sends back at the rate it was sent");
  assert.deepEqual(calls.reported, []);
  // The bot's own marks get no silence (a mark may fall mid-speech). What the module's pre-buffer
  // holds below its threshold (640 samples) is made up with silence before killAudio (which
  // leaves the pre-buffer alone: 319 samples, the first mark's marker counted in, as it went in
  // with the audio after it; the waiting mark's not, as the module may answer that mark before
  // the silence comes), and before the hang-up (639: the
  // sentinel sample given to the name killAudio left without a marker waits there), which waits
  // for the batch it completes to play (640 samples at 16 kHz, and the module's 20 ms tick).
  assert.deepEqual(documented.extra, [{ after: "interruption", bytes: 319 * 2 }]);
  // The sentinel sample for the name killAudio left (its mark answered `cleared`), then that silence,
  // the serializer's own mark ahead of it (under an id, 37 bytes): its marker goes right behind the
  // sentinel, and its answer tells whether a `killAudio` erased the sentinel before the module's
  // tick took it (`ForkMarks.#witnessSentinels`).
  assert.deepEqual(sentAhead, [2, 37, 639 * 2]);
  assert.deepEqual(waits, [40 + 20]);
});

Deno.test("`JambonzSerializer` turns a stereo or mixed stream into one clear error and drops its audio, counted", () => {
  for (const mixType of ["stereo", "mixed"]) {
    const jambonz = new JambonzSerializer();
    const calls = recordingContext();
    jambonz.bind(calls.context);
    jambonz.setup(SETUP);
    const start = jambonz.deserialize(preamble({ mixType })) as Frame;
    assert.equal(start.type, "start", "the call still starts: its metadata is the bot's");
    assert.equal(jambonz.deserialize(new Uint8Array(640)), null);
    assert.equal(jambonz.deserialize(new Uint8Array(640)), null);
    assert.equal(calls.reported.length, 1, "reported once");
    assert.equal(calls.reported[0]!.code, "protocol");
    assert.match(calls.reported[0]!.message, /mixType is "(stereo|mixed)": set "mixType": "mono"/);
    assert.deepEqual(calls.counted, { decodeErrors: 2 });
  }
});

Deno.test("`JambonzSerializer` names a sample rate it cannot resample, and one that cannot be sent back", () => {
  const jambonz = new JambonzSerializer();
  const calls = recordingContext();
  jambonz.bind(calls.context);
  jambonz.setup(SETUP);
  jambonz.deserialize(preamble({ sampleRate: 64000 }));
  assert.match(
    calls.reported[0]!.message,
    /sampleRate 64000 is not one of 8000, 16000, 24000, 48000/,
  );
  assert.equal(jambonz.deserialize(new Uint8Array(640)), null);
  for (const rate of [64000, 32000, 11025]) {
    assert.throws(
      () => new JambonzSerializer({ streamSampleRate: rate }),
      (e) => e instanceof RangeError && /bidirectionalAudio\.sampleRate/.test(e.message),
    );
  }
});

Deno.test("`JambonzSerializer` sends back at bidirectionalAudio.sampleRate when it differs from the listen rate", () => {
  const jambonz = new JambonzSerializer({ streamSampleRate: 24000 });
  jambonz.setup(SETUP);
  jambonz.deserialize(preamble({ sampleRate: 8000 }));
  const out = jambonz.serialize({
    type: "audio",
    audio: new Uint8Array(960),
    sampleRate: 24000,
    channels: 1,
  });
  assert.ok(out instanceof Uint8Array);
  assert.equal(out.length, 960, "24 kHz in, 24 kHz out: untouched");
  const inbound = jambonz.deserialize(new Uint8Array(320)) as AudioFrame;
  assert.equal(inbound.sampleRate, 16000);
});

Deno.test("`JambonzSerializer` keeps a 1 kHz tone's frequency and level, 8 and 16 kHz", async () => {
  for (const rate of [8000, 16000]) {
    const jambonz = new JambonzSerializer();
    jambonz.setup(SETUP);
    jambonz.deserialize(preamble({ sampleRate: rate }));
    // jambonz plays it to the caller; its echo comes back as binary at the listen rate.
    await binaryToneRoundTrip(jambonz);
  }
});

Deno.test("`JambonzSerializer` never sends the sample 0xFFFF, which the module reads as a mark", () => {
  const jambonz = new JambonzSerializer();
  jambonz.setup(SETUP);
  jambonz.deserialize(preamble());
  const samples = new Int16Array([-1, 0, -1, 5, -2, -1]);
  const audio = new Uint8Array(samples.buffer);
  const out = jambonz.serialize({ type: "audio", audio, sampleRate: 8000, channels: 1 });
  assert.deepEqual([...new Int16Array((out as Uint8Array).slice().buffer)], [-2, 0, -2, 5, -2, -2]);
  assert.deepEqual([...samples], [-1, 0, -1, 5, -2, -1], "the bot's buffer is left alone");
  // Audio without the value goes out as it came: a view of the bot's bytes, no copy.
  const clean = new Uint8Array(new Int16Array([1, 2, 3]).buffer);
  const sent = jambonz.serialize({ type: "audio", audio: clean, sampleRate: 8000, channels: 1 });
  assert.equal((sent as Uint8Array).buffer, clean.buffer);
});

Deno.test("`JambonzSerializer` gives each mark name the module is left holding without a marker a sentinel sample to take", () => {
  // lws_glue.cpp: killAudio erases the markers in the playout buffer but keeps their names on a
  // "cleared" list (:957), and clearMarks puts inventory marks there, which have no marker yet
  // (:328); the next real markers take those names first, silently (:996), so every later mark
  // would be answered one marker late, or never.
  const sent: Uint8Array[] = [];
  const jambonz = new JambonzSerializer({ streamSampleRate: 8000 });
  jambonz.bind({ ...recordingContext().context, send: (m) => void sent.push(m as Uint8Array) });
  jambonz.setup(SETUP);
  jambonz.deserialize(preamble({ sampleRate: 8000 }));
  const audio = (ms: number): Frame => ({
    type: "audio",
    audio: new Uint8Array(ms * 16),
    sampleRate: 8000,
    channels: 1,
  });
  const sentinel = [0xff, 0xff];
  // 160 ms passes the first pre-buffer threshold (1280 samples): the first marker is played out.
  jambonz.serialize({ type: "mark", name: "__wst:1" });
  jambonz.serialize(audio(160));
  // The second waits in the pre-buffer (40 ms is below 640), which killAudio leaves alone: the
  // interruption's silence moves it on first (or that audio would open the next reply), so its
  // marker is erased too.
  jambonz.serialize({ type: "mark", name: "__wst:2" });
  jambonz.serialize(audio(40));
  jambonz.serialize({ type: "interruption" });
  jambonz.deserialize('{"type": "mark", "data": {"name":"__wst:1", "event": "cleared"}}');
  jambonz.deserialize('{"type": "mark", "data": {"name":"__wst:2", "event": "cleared"}}');
  assert.deepEqual(sent.map((m) => [...m]), [sentinel, sentinel]);
  // A mark held for the next audio when clearMarks comes is never sent: no sentinel for it.
  assert.deepEqual(jambonz.serialize({ type: "mark", name: "__wst:3" }), []);
  assert.equal(
    jambonz.serialize({ type: "message", message: { type: "clearMarks" } }),
    '{"type":"clearMarks"}',
  );
  // A mark in inventory (sent at a stretch's end) when clearMarks comes: one sentinel follows.
  jambonz.serialize({ type: "mark", name: "__wst:4" });
  assert.deepEqual(jambonz.audioEnds(true), ['{"type":"mark","data":{"name":"__wst:4"}}']);
  const cleared = jambonz.serialize({ type: "message", message: { type: "clearMarks" } });
  assert.ok(Array.isArray(cleared));
  assert.equal(cleared[0], '{"type":"clearMarks"}');
  assert.deepEqual([...(cleared[1] as Uint8Array)], sentinel);
});

Deno.test("`JambonzSerializer` keeps at most 30 marks waiting, as the module does, with an encode error past that", () => {
  const jambonz = new JambonzSerializer();
  jambonz.deserialize(preamble());
  for (let i = 0; i < 30; i++) jambonz.serialize({ type: "mark", name: `m${i}` });
  assert.throws(
    () => jambonz.serialize({ type: "mark", name: "m30" }),
    (e) => e instanceof TransportError && e.code === "encode" && /30 marks/.test(e.message),
  );
  // One answered (played or cleared): room for one more.
  jambonz.deserialize('{"type":"mark","data":{"name":"m0","event":"playout"}}');
  assert.deepEqual(jambonz.serialize({ type: "mark", name: "m30" }), []);
  // clearMarks makes the module forget them all: 30 more fit.
  jambonz.serialize({ type: "message", message: { type: "clearMarks" } });
  for (let i = 0; i < 30; i++) jambonz.serialize({ type: "mark", name: `n${i}` });
});

/**
 * mod_audio_fork writes a mark's name into its answer unescaped (send_mark_event in
 * jambonz/freeswitch-modules lws_glue.cpp): {"type": "mark", "data": {"name":"<name>", ...}}.
 */
const moduleEcho = (name: string) =>
  `{"type": "mark", "data": {"name":"${name}", "event": "playout"}}`;

Deno.test("`JambonzSerializer` and `FreeSwitchSerializer` send a mark name the module cannot echo intact as an id, and give the name back", () => {
  for (const serializer of [new JambonzSerializer(), new FreeSwitchSerializer()]) {
    serializer.deserialize(preamble());
    // A lone surrogate: the module's cJSON (FreeSWITCH switch_json.c parse_string) skips the
    // `\ud83d` escape JSON.stringify writes for it, so the name would come back without it.
    for (
      const name of ['say "hi"', "C:\\path", "tab\there", "plain-name.1", "café", "half \ud83d"]
    ) {
      assert.deepEqual(serializer.serialize({ type: "mark", name }), []); // held for the next audio
      const command = JSON.parse((serializer.audioEnds(true) as string[])[0]!);
      const sent = command.data.name as string;
      // deno-lint-ignore no-control-regex -- control characters are what makes a name unsafe
      if (/["\\\u0000-\u001f]/.test(name) || !name.isWellFormed()) assert.notEqual(sent, name);
      else assert.equal(sent, name, "a safe name goes as it is");
      assert.deepEqual(serializer.deserialize(moduleEcho(sent)), { type: "mark", name });
    }
  }
});

Deno.test("`JambonzSerializer` and `FreeSwitchSerializer` answer a mark named like an id of theirs and a renamed mark each under its own name", () => {
  for (const serializer of [new JambonzSerializer(), new FreeSwitchSerializer()]) {
    serializer.deserialize(preamble());
    serializer.serialize({ type: "mark", name: "#m1" });
    serializer.serialize({ type: "mark", name: 'say "hi"' }); // renamed: not echo-safe
    const sent = (serializer.audioEnds(true) as string[]).map((c) => JSON.parse(c).data.name);
    assert.equal(new Set(sent).size, 2, `two marks, two names on the wire: ${sent.join(", ")}`);
    // The module answers in the order it plays them: each answer names its own mark.
    assert.deepEqual(sent.map((name) => serializer.deserialize(moduleEcho(name))), [
      { type: "mark", name: "#m1" },
      { type: "mark", name: 'say "hi"' },
    ]);
  }
});

Deno.test("`JambonzSerializer` and `FreeSwitchSerializer` hand on the caller's last samples the resampler held back when the socket closes", () => {
  // docs.jambonz.org, Verbs → listen: the audio comes in binary frames of L16 at `sampleRate`;
  // jambonz ends the stream by closing the socket (no message of its own), as mod_audio_fork does.
  for (const serializer of [new JambonzSerializer(), new FreeSwitchSerializer()]) {
    serializer.setup(SETUP); // 16 kHz in
    serializer.deserialize(preamble()); // 8 kHz
    const frames = [
      ...[serializer.deserialize(new Uint8Array(320))].flat(),
      ...(serializer.finish() ?? []),
    ] as AudioFrame[];
    const samples = frames.reduce((sum, frame) => sum + frame.audio.length / 2, 0);
    assert.equal(
      samples,
      320,
      `${serializer.constructor.name}: 20 ms at 8 kHz is 20 ms at 16 kHz, every sample of it`,
    );
  }
});

Deno.test("`JambonzSerializer` hangs up through the REST API with an API key, then disconnects", async () => {
  const fake = fakeFetch(() => new Response(null, { status: 204 }));
  const jambonz = new JambonzSerializer({
    apiKey: "KEY",
    apiBaseUrl: "https://api.example.com/",
    fetch: fake.fetch,
  });
  jambonz.deserialize(preamble());
  assert.equal(await jambonz.serialize({ type: "end" }), '{"type":"disconnect"}');
  assert.equal(await jambonz.serialize({ type: "cancel" }), '{"type":"disconnect"}');
  assert.equal(fake.calls.length, 1, "once");
  assert.equal(fake.calls[0]!.url, "https://api.example.com/v1/Accounts/acct-1/Calls/call-1");
  assert.equal(fake.calls[0]!.init.method, "PUT");
  assert.equal(new Headers(fake.calls[0]!.init.headers).get("authorization"), "Bearer KEY");
  assert.deepEqual(JSON.parse(String(fake.calls[0]!.init.body)), { call_status: "completed" });

  // jambonz.cloud by default; a 404 means the call had already ended.
  const gone = fakeFetch(() => new Response("Not Found", { status: 404 }));
  const a = new JambonzSerializer({ apiKey: "k", fetch: gone.fetch });
  a.deserialize(preamble());
  assert.equal(await a.serialize({ type: "end" }), '{"type":"disconnect"}');
  assert.equal(gone.calls[0]!.url, "https://jambonz.cloud/api/v1/Accounts/acct-1/Calls/call-1");

  // A failed hang-up is reported; the disconnect still goes.
  const failing = fakeFetch(() => new Response("boom", { status: 500 }));
  const b = new JambonzSerializer({ apiKey: "k", fetch: failing.fetch });
  const calls = recordingContext();
  b.bind(calls.context);
  b.deserialize(preamble());
  assert.equal(await b.serialize({ type: "end" }), '{"type":"disconnect"}');
  assert.equal(calls.reported[0]?.code, "protocol");
  assert.match(calls.reported[0]!.message, /500/);

  // Without a key: disconnect only, no request.
  assert.equal(new JambonzSerializer().serialize({ type: "end" }), '{"type":"disconnect"}');
});

Deno.test("`JambonzSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const jambonz = new JambonzSerializer();
  jambonz.bind(recordingContext().context);
  jambonz.setup(SETUP);
  const { frames, errors } = await fuzzDeserializer(jambonz, {
    events: ["dtmf", "x"],
    fields: {
      sampleRate: fc.constantFrom(8000, 16000, 64000, "8000", 11025, -1),
      mixType: fc.constantFrom("mono", "stereo", 3),
      dtmf: fc.constantFrom("2", "#", "z", 9, "12"),
      type: fc.constantFrom("mark", "playDone", "killAudio"),
      data: fc.oneof(
        fc.record({
          name: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()),
          event: fc.constantFrom("playout", "cleared", "other"),
        }, { requiredKeys: [] }),
        fc.string(),
      ),
      callSid: fc.string({ maxLength: 8 }),
    },
  });
  assert.ok(frames > 1000 && errors > 100, `${frames} frames, ${errors} errors`);
});

Deno.test("`JambonzSerializer` behind the Deno adapter: a client asking for audio.jambonz.org gets it", async () => {
  const starts: Frame[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      serializer: new JambonzSerializer(),
      protocol: JAMBONZ_SUBPROTOCOL,
    });
    transport?.receive((frame) => {
      if (frame.type === "start") starts.push(frame);
    });
    return response;
  });
  const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`, [JAMBONZ_SUBPROTOCOL]);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("refused"));
  });
  assert.equal(ws.protocol, JAMBONZ_SUBPROTOCOL);
  ws.send(preamble());
  const closed = new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
  for (let i = 0; i < 100 && starts.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal((starts[0] as { callId?: string } | undefined)?.callId, "call-1");
  ws.close();
  await closed;
  await server.shutdown();
});

Deno.test("`JambonzSerializer` ending through the REST API sends the audio mod_audio_fork still holds before the hang-up", async () => {
  // The module plays only whole batches (1280 samples first): 100 ms at 8 kHz waits in its
  // pre-buffer. A REST hang-up ends the call when it answers, so the silence that lets that part
  // play must go out before, not with the disconnect after it (and the hang-up waits for the
  // batch to play: tests/serializers/jambonz_hang_up_after_batch_test.ts).
  let answer!: () => void;
  const fake = fakeFetch(() =>
    new Promise<Response>((
      resolve,
    ) => (answer = () => resolve(new Response(null, { status: 204 }))))
  );
  const clock = new FakeClock();
  const jambonz = new JambonzSerializer({ apiKey: "KEY", fetch: fake.fetch });
  const sent: unknown[] = [];
  jambonz.bind({ ...recordingContext().context, clock, send: (m) => void sent.push(m) });
  jambonz.setup({ ...SETUP, outputSampleRate: 8000 });
  jambonz.deserialize(preamble());
  jambonz.serialize({ type: "audio", audio: new Uint8Array(1600), sampleRate: 8000, channels: 1 });
  const ended = jambonz.serialize({ type: "end" });
  assert.ok(ended instanceof Promise);
  assert.equal(sent.length, 1, "the silence left before the hang-up was answered");
  assert.equal((sent[0] as Uint8Array).length, (1280 - 800) * 2);
  await clock.tick(1000);
  answer();
  assert.equal(await ended, '{"type":"disconnect"}');
});

Deno.test("`JambonzSerializer` and `FreeSwitchSerializer` report marks past 30 once per spell, counting every one", () => {
  for (const make of [() => new JambonzSerializer(), () => new FreeSwitchSerializer()]) {
    const serializer = make();
    const calls = recordingContext();
    serializer.bind(calls.context);
    serializer.deserialize(preamble());
    for (let i = 0; i < 30; i++) serializer.serialize({ type: "mark", name: `m${i}` });
    // A far end that never answers: the first refusal is the error (the transport counts a
    // thrown one in encodeErrors); the 2,999 after it are refused and counted, with no event each.
    assert.throws(
      () => serializer.serialize({ type: "mark", name: "x" }),
      (e) => e instanceof TransportError && e.code === "encode" && /30 marks/.test(e.message),
    );
    for (let i = 0; i < 2999; i++) {
      assert.equal(serializer.serialize({ type: "mark", name: `x${i}` }), null);
    }
    assert.equal(calls.counted.encodeErrors, 2999);
    assert.deepEqual(calls.reported, []);
    // One answered: room for one more, and the next refusal is a new spell, reported again.
    serializer.deserialize('{"type":"mark","data":{"name":"m0","event":"playout"}}');
    assert.deepEqual(serializer.serialize({ type: "mark", name: "y" }), []);
    assert.throws(() => serializer.serialize({ type: "mark", name: "z" }), TransportError);
  }
});

Deno.test("`JambonzSerializer` reports once, at the start, a bidirectionalAudio.sampleRate that is not the listen rate: the module's resampling erases its marks", () => {
  // jambonz plays through mod_audio_fork (jambonz/freeswitch-modules lws_glue.cpp, 30f21899): a
  // return rate other than the call's codec rate is resampled, the pre-buffer's mark samples
  // (0xFFFF) with it (:521-523, :98-101, :135-150), so dub_speech_frame finds none (:994).
  const jambonz = new JambonzSerializer({ streamSampleRate: 16000 });
  const calls = recordingContext();
  jambonz.bind(calls.context);
  jambonz.setup(SETUP);
  jambonz.deserialize(preamble({ sampleRate: 8000 }));
  jambonz.deserialize(new Uint8Array(320));
  jambonz.deserialize('{"type":"other"}');
  assertRateWarning(calls.reported);
  // The return rate taken from the listen rate (no option), or given equal to it: nothing.
  for (const options of [{}, { streamSampleRate: 8000 }]) {
    const same = new JambonzSerializer(options);
    const quiet = recordingContext();
    same.bind(quiet.context);
    same.setup(SETUP);
    same.deserialize(preamble({ sampleRate: 8000 }));
    assert.deepEqual(quiet.reported, [], JSON.stringify(options));
  }
});
