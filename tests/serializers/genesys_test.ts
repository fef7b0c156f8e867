import assert from "node:assert/strict";
import fc from "fast-check";
import { type GenesysSendAudio, GenesysSerializer } from "../../src/serializers/genesys.ts";
import { TransportError } from "../../src/errors.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import type { SerializedMessage } from "../../src/serializer.ts";
import { mulawDecode, mulawEncode } from "../../src/audio/g711.ts";
import { genesysSession, SESSION } from "./fixtures/genesys_session.ts";
import { analyze, samplesOf, tone } from "./fixtures/telephony_harness.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP_16K = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

function list<T>(result: T | T[] | null): T[] {
  return result === null ? [] : Array.isArray(result) ? result : [result];
}

/** A serializer bound to a context that keeps what it sends, counts (`[counter, amount]`) and reports. */
function bound(options = {}) {
  const { context, sent, countCalls: counts, reported: reports } = recordingContext();
  const genesys = new GenesysSerializer(options);
  genesys.bind(context);
  genesys.setup(SETUP_16K);
  return { genesys, sent, counts, reports };
}

/**
 * The ids and participant every `open` carries, well formed (`isOpenParameters`, validators.ts):
 * an open without them is refused (genesys_open_parameters_test.ts).
 */
const OPEN_IDS = {
  organizationId: "d7934305-0972-4844-938e-9060eef73d05",
  conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
  participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "", aniName: "", dnis: "" },
};

function open(media: unknown[], seq = 1): string {
  return JSON.stringify({
    version: "2",
    type: "open",
    seq,
    serverseq: 0,
    id: SESSION,
    position: "PT0S",
    parameters: { ...OPEN_IDS, media },
  });
}

const isDecode = (e: unknown) => e instanceof TransportError && e.code === "decode";
/** An "encode" error whose message matches `pattern`. */
const isEncode = (pattern: RegExp) => (e: unknown) =>
  e instanceof TransportError && e.code === "encode" && pattern.test(e.message);

/** The `disconnect` with reason "error" a protocol breach is answered with, whole. */
function errorDisconnect(seq: number, clientseq: number, info: string) {
  return {
    version: "2",
    type: "disconnect",
    seq,
    clientseq,
    id: SESSION,
    // Worded as the reference server words a client's fault (serversessionimpl.ts,
    // signalClientError: "Client Error: …").
    parameters: { reason: "error", info: `Client Error: ${info}` },
  };
}

Deno.test("`GenesysSerializer` plays a documented AudioHook session message by message both ways", () => {
  const { genesys, sent } = bound({ outputVariables: { intent: "billing" } });
  for (const [index, step] of genesysSession.entries()) {
    sent.length = 0;
    if ("from" in step) {
      const data = typeof step.wire === "number"
        ? new Uint8Array(step.wire).fill(0xff)
        : JSON.stringify(step.wire);
      const frames = list(genesys.deserialize(data));
      if (step.frames === "audio") {
        assert.equal(frames.length, 1, `step ${index}`);
        assert.equal(frames[0]!.type, "audio");
        assert.equal((frames[0] as AudioFrame).sampleRate, 16000);
      } else {
        // Genesys' close ends the caller's stream: the last samples the resampler to 16 kHz held
        // back come first.
        if (step.frames.some((frame) => frame.type === "end")) {
          assert.equal(frames.shift()?.type, "audio", `step ${index}: the caller's last samples`);
        }
        assert.deepEqual(frames, step.frames, `step ${index}: frames`);
      }
    } else {
      const returned = genesys.serialize(step.frame);
      if (step.returned === "binary") {
        assert.ok(
          returned instanceof Uint8Array && returned.length > 0,
          `step ${index}: binary audio`,
        );
      } else {
        assert.deepEqual(
          typeof returned === "string" ? JSON.parse(returned) : returned,
          step.returned,
          `step ${index}: ${step.frame.type} returns`,
        );
      }
    }
    assert.deepEqual(
      sent.map((m) => JSON.parse(m as string)),
      step.replies,
      `step ${index}: replies`,
    );
  }
  assert.equal(genesys.active, false);
});

Deno.test("`GenesysSerializer` takes only the external channel of a stereo offer, as mono", () => {
  const { genesys, sent } = bound();
  genesys.deserialize(
    open([{ type: "audio", format: "PCMU", channels: ["external", "internal"], rate: 8000 }]),
  );
  assert.deepEqual(JSON.parse(sent[0] as string).parameters.media[0].channels, [
    "external",
    "internal",
  ]);
  // Customer: a 1 kHz tone (left); agent: a 400 Hz tone (right), interleaved byte by byte.
  const external = mulawEncode(tone(1000, 8000, 8000));
  const internal = mulawEncode(tone(400, 8000, 8000, 0.1));
  const received: AudioFrame[] = [];
  for (let at = 0; at < 8000; at += 800) {
    const stereo = new Uint8Array(1600);
    for (let i = 0; i < 800; i++) {
      stereo[2 * i] = external[at + i]!;
      stereo[2 * i + 1] = internal[at + i]!;
    }
    for (const f of list(genesys.deserialize(stereo))) received.push(f as AudioFrame);
  }
  assert.ok(received.every((f) => f.channels === 1 && f.sampleRate === 16000));
  const measured = analyze(samplesOf(received).subarray(800), 16000);
  const expected = analyze(mulawDecode(external), 8000);
  assert.ok(Math.abs(measured.frequency - 1000) < 2, `frequency ${measured.frequency}`);
  assert.ok(Math.abs(measured.dbfs - expected.dbfs) < 0.5, `level ${measured.dbfs}`);
  assert.throws(() => genesys.deserialize(new Uint8Array(3)), isDecode);
});

Deno.test("`GenesysSerializer` can give the bot the internal channel instead", () => {
  const { genesys, sent } = bound({ channel: "internal" });
  genesys.deserialize(open([
    { type: "audio", format: "PCMU", channels: ["external"], rate: 8000 },
    { type: "audio", format: "PCMU", channels: ["external", "internal"], rate: 8000 },
  ]));
  assert.deepEqual(JSON.parse(sent[0] as string).parameters.media[0].channels, [
    "external",
    "internal",
  ]);
  const stereo = new Uint8Array(320);
  for (let i = 0; i < 160; i++) {
    stereo[2 * i] = 0xff; // external: silence
    stereo[2 * i + 1] = 0x00; // internal: full scale negative
  }
  const frames = list(genesys.deserialize(stereo)) as AudioFrame[];
  const samples = samplesOf(frames);
  assert.ok(samples.length > 0 && samples[samples.length - 1]! < -30000);
});

Deno.test("`GenesysSerializer` keeps a 1 kHz tone's frequency and level from 24 kHz out to 16 kHz in", () => {
  const { genesys } = bound({ sendAudio: "always" });
  genesys.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  genesys.deserialize(
    open([{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }]),
  );
  const source = tone(1000, 24000, 24000);
  const received: AudioFrame[] = [];
  for (let at = 0; at < source.length; at += 960) {
    const pcm = source.slice(at, at + 960);
    const out = genesys.serialize({
      type: "audio",
      audio: new Uint8Array(pcm.buffer),
      sampleRate: 24000,
      channels: 1,
    });
    if (out === null) continue;
    assert.ok(out instanceof Uint8Array);
    for (const f of list(genesys.deserialize(out))) received.push(f as AudioFrame);
  }
  const samples = samplesOf(received);
  const measured = analyze(samples.subarray(800, samples.length - 320), 16000);
  const sent = analyze(source, 24000);
  assert.ok(Math.abs(measured.frequency - 1000) < 2, `frequency ${measured.frequency}`);
  assert.ok(Math.abs(measured.dbfs - sent.dbfs) < 0.5, `level ${measured.dbfs} vs ${sent.dbfs}`);
});

Deno.test("`GenesysSerializer` disconnects with an error when no PCMU 8 kHz media is offered", () => {
  const { genesys, sent } = bound();
  assert.throws(
    () =>
      genesys.deserialize(
        open([{ type: "audio", format: "L16", channels: ["external"], rate: 8000 }]),
      ),
    isDecode,
  );
  assert.deepEqual(
    JSON.parse(sent[0] as string),
    errorDisconnect(1, 1, "no PCMU 8000 Hz media offered"),
  );
  assert.equal(genesys.serialize({ type: "end" }), null);
});

Deno.test("`GenesysSerializer` starts paused when asked, and pause()/resume() ask Genesys", () => {
  const { genesys, sent } = bound({ startPaused: true, supportedLanguages: ["en-US"] });
  genesys.deserialize(JSON.stringify({
    version: "2",
    type: "open",
    seq: 1,
    serverseq: 0,
    id: SESSION,
    position: "PT0S",
    parameters: {
      ...OPEN_IDS,
      media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
      supportedLanguages: true,
    },
  }));
  const opened = JSON.parse(sent[0] as string);
  assert.equal(opened.parameters.startPaused, true);
  assert.deepEqual(opened.parameters.supportedLanguages, ["en-US"]);
  assert.equal(genesys.active, false);
  genesys.resume();
  genesys.deserialize(
    JSON.stringify({
      version: "2",
      type: "resumed",
      seq: 2,
      serverseq: 2,
      id: SESSION,
      position: "PT0S",
      parameters: { start: "PT0S", discarded: "PT0S" },
    }),
  );
  assert.equal(genesys.active, true);
  genesys.pause();
  assert.deepEqual(sent.slice(1).map((m) => JSON.parse(m as string).type), ["resume", "pause"]);
  assert.deepEqual(sent.slice(1).map((m) => JSON.parse(m as string).seq), [2, 3]);
});

Deno.test("`GenesysSerializer` refuses audio outside a session and answers nothing without bind", () => {
  const genesys = new GenesysSerializer();
  genesys.setup(SETUP_16K);
  assert.throws(() => genesys.deserialize(new Uint8Array(160)), isDecode);
  assert.throws(
    () =>
      genesys.deserialize(
        open([{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }]),
      ),
    isDecode,
  );
  assert.equal(
    genesys.serialize({
      type: "audio",
      audio: new Uint8Array(320),
      sampleRate: 16000,
      channels: 1,
    }),
    null,
  );
  assert.throws(() => new GenesysSerializer({ channel: "left" as never }), RangeError);
  assert.throws(
    () => genesys.serialize({ type: "message", message: "not an envelope" }),
    (e) => e instanceof TransportError && e.code === "encode",
  );
});

Deno.test("`GenesysSerializer` rejects malformed envelopes with decode errors", () => {
  const { genesys } = bound();
  for (
    const bad of [
      "{",
      "null",
      '{"type":"ping"}',
      '{"type":"ping","seq":-1}',
      '{"type":"ping","seq":1.5}',
      '{"type":3,"seq":1}',
      '{"type":"ping","seq":1,"parameters":[]}',
      '{"type":"ping","seq":1,"position":"1.5s"}',
      '{"type":"open","seq":1,"parameters":{}}',
      '{"type":"dtmf","seq":1,"parameters":{"digit":"?"}}',
    ]
  ) {
    assert.throws(() => genesys.deserialize(bad), isDecode, bad);
  }
});

Deno.test("`GenesysSerializer` answers every fuzzed message with frames or a decode error", () => {
  const NEXT = "next seq";
  const anyJson = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.object());
  const offer = fc.record({
    type: fc.constantFrom("audio", "video"),
    format: fc.constantFrom("PCMU", "L16"),
    channels: fc.oneof(
      fc.constantFrom(["external"], ["internal"], ["external", "internal"], [
        "internal",
        "external",
      ], []),
      fc.array(anyJson, { maxLength: 3 }),
    ),
    rate: fc.constantFrom(8000, 16000, "8000"),
  }, { requiredKeys: [] });
  const envelope = fc.record({
    version: fc.constantFrom("2", 2),
    type: fc.oneof(
      {
        weight: 8,
        arbitrary: fc.constantFrom(
          "open",
          "ping",
          "close",
          "paused",
          "pause",
          "resumed",
          "update",
          "dtmf",
          "error",
          "discarded",
        ),
      },
      { weight: 1, arbitrary: anyJson },
    ),
    // Mostly numbered on, as Genesys numbers its messages (filled in as they are sent, below).
    seq: fc.oneof(
      { arbitrary: fc.constant(NEXT), weight: 16 },
      { arbitrary: fc.nat(), weight: 2 },
      fc.integer(),
      fc.double(),
      fc.string(),
    ),
    serverseq: fc.oneof({ arbitrary: fc.constant(0), weight: 8 }, fc.nat()),
    id: fc.oneof({ arbitrary: fc.constant(SESSION), weight: 8 }, fc.uuid(), anyJson),
    position: fc.oneof(
      { arbitrary: fc.constantFrom("PT0S", "PT1.25S"), weight: 8 },
      fc.constantFrom("P1D", "PTS"),
      anyJson,
    ),
    parameters: fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          media: fc.oneof(fc.array(offer, { maxLength: 3 }), anyJson),
          digit: fc.oneof(fc.constantFrom("1", "#", "D", "e"), anyJson),
          reason: anyJson,
          participant: fc.oneof(fc.record({ ani: anyJson, dnis: anyJson }), anyJson),
          customConfig: anyJson,
          inputVariables: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue()),
          supportedLanguages: fc.boolean(),
        }, { requiredKeys: [] }),
      },
      { arbitrary: anyJson, weight: 1 },
    ),
  }, { requiredKeys: ["type", "seq"] }).map((m) => JSON.stringify(m));
  const input = fc.oneof(
    { arbitrary: envelope, weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: 400 }), weight: 2 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: fc.json(), weight: 1 },
  );
  let frames = 0;
  let errors = 0;
  // Each session takes messages in turn, so later messages meet every state; once it has said
  // `closed` (after which nothing reaches the bot), it takes 10 more, and a new session follows.
  let session = bound();
  let afterClosed = 0;
  // The highest whole `seq` sent so far: what the serializer's `clientseq` follows.
  let highest = 0;
  fc.assert(
    fc.property(input, (data) => {
      if (session.sent.some((m) => JSON.parse(m as string).type === "closed")) {
        if (++afterClosed > 10) {
          session = bound();
          afterClosed = 0;
          highest = 0;
        }
      }
      const { genesys } = session;
      if (typeof data === "string") {
        data = data.replace(`"seq":"${NEXT}"`, `"seq":${highest + 1}`);
        let seq: unknown;
        try {
          seq = JSON.parse(data)?.seq;
        } catch { /* not JSON: no seq */ }
        if (Number.isSafeInteger(seq) && (seq as number) > highest) highest = seq as number;
      }
      try {
        const result: Frame[] = list(genesys.deserialize(data));
        frames += result.length;
      } catch (error) {
        if (!isDecode(error)) throw error;
        errors++;
      }
    }),
    { numRuns: 10_000, seed: 4243 },
  );
  // Both outcomes common. Fewer frames than errors: the session breaks a rule within its first
  // messages (and, until `open` names the session, an `id` that is no UUID is one).
  assert.ok(frames > 300 && errors > 500, `${frames} frames, ${errors} errors`);
});

Deno.test("`GenesysSerializer` keeps the client's position and sends none of its own", () => {
  const { genesys, sent } = bound();
  assert.equal(genesys.position, "PT0S");
  genesys.deserialize(
    open([{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }]),
  );
  genesys.deserialize(JSON.stringify({
    version: "2",
    type: "ping",
    seq: 2,
    serverseq: 1,
    id: SESSION,
    position: "PT12.345S",
    parameters: {},
  }));
  assert.equal(genesys.position, "PT12.345S");
  // AudioHook defines `position` on client messages only (server messages carry `clientseq`).
  assert.ok(sent.every((m) => !("position" in JSON.parse(m as string))));
  assert.throws(
    () =>
      genesys.deserialize(
        JSON.stringify({
          version: "2",
          type: "ping",
          seq: 3,
          serverseq: 1,
          id: SESSION,
          position: "PT1.S",
        }),
      ),
    isDecode,
  );
  assert.equal(genesys.position, "PT12.345S", "a bad message changes nothing");
});

Deno.test("`GenesysSerializer` sends audio on Audio Connector sessions, or when told", () => {
  const mono = [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }];
  const connector = JSON.stringify({
    ...JSON.parse(open(mono)),
    parameters: { ...JSON.parse(open(mono)).parameters, inputVariables: {} },
  });
  const audio: Frame = {
    type: "audio",
    audio: new Uint8Array(640),
    sampleRate: 16000,
    channels: 1,
  };
  const cases: [GenesysSendAudio, string, boolean][] = [
    ["auto", open(mono), false],
    ["auto", connector, true],
    ["always", open(mono), true],
    ["never", connector, false],
  ];
  for (const [sendAudio, message, carries] of cases) {
    const { genesys, counts, reports } = bound({ sendAudio });
    genesys.deserialize(message);
    assert.equal(genesys.carriesAudio, carries, `${sendAudio}`);
    const out: unknown[] = [genesys.serialize(audio), genesys.serialize(audio)];
    // The caller hangs up mid-reply: what the transport still paces out after Genesys's `close`
    // is dropped as at the close (the bot did nothing wrong: no error), where audio the session
    // never carried stays refused.
    genesys.deserialize(client("close", 2, { reason: "end" }));
    assert.equal(genesys.serialize(audio), null);
    if (carries) {
      assert.ok(out.every((m) => m instanceof Uint8Array && m.length > 0));
      assert.deepEqual(counts, [["audioBytesDroppedOnClose", 640]]);
      assert.deepEqual(reports, []);
    } else {
      assert.deepEqual(out, [null, null]);
      assert.deepEqual(counts, [
        ["audioBytesRefused", 640],
        ["audioBytesRefused", 640],
        ["audioBytesRefused", 640],
      ]);
      assert.equal(reports.length, 1, "reported once");
      assert.equal(reports[0]!.code, "encode");
    }
  }
  // So too once our own `disconnect` has gone: Genesys ends the call on it.
  const { genesys, counts, reports } = bound({ sendAudio: "always" });
  genesys.deserialize(open(mono));
  assert.equal(JSON.parse(genesys.serialize({ type: "end" }) as string).type, "disconnect");
  assert.equal(genesys.serialize(audio), null);
  assert.deepEqual(counts, [["audioBytesDroppedOnClose", 640]]);
  assert.deepEqual(reports, []);
  assert.throws(() => new GenesysSerializer({ sendAudio: "yes" as never }), RangeError);
});

Deno.test("`GenesysSerializer` takes output variables as strings only", () => {
  const genesys = new GenesysSerializer();
  assert.throws(() => genesys.setOutputVariables({ n: 1 as never }), TypeError);
  assert.throws(() => new GenesysSerializer({ outputVariables: { ok: true as never } }), TypeError);
  // No message to Genesys holds over 65,535 bytes: variables whose JSON alone is more never fit.
  assert.throws(
    () => genesys.setOutputVariables({ summary: "é".repeat(32_761) }),
    /^RangeError: outputVariables are 65536 bytes of JSON: no message to Genesys holds over 65535$/,
  );
  genesys.setOutputVariables({ summary: "a".repeat(65_521) }); // 65,535 bytes: may fit
  const variables = { intent: "billing" };
  genesys.setOutputVariables(variables);
  variables.intent = "changed later";
  const { genesys: session, sent } = bound();
  session.setOutputVariables({ intent: "billing" });
  session.deserialize(
    open([{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }]),
  );
  assert.deepEqual(JSON.parse(session.serialize({ type: "end" }) as string).parameters, {
    reason: "completed",
    outputVariables: { intent: "billing" },
  });
  assert.equal(session.peerCloses, true);
  assert.equal(sent.length, 1);
});

Deno.test("`GenesysSerializer` marks a connection probe's start: nil conversation or participant id, as the reference client's `--connection-probe` opens", () => {
  // purecloudlabs/audiohook-reference-implementation, client/src/index.ts: a probe opens with
  // conversationId and participant.id "00000000-0000-0000-0000-000000000000" and empty ani/dnis.
  const nil = "00000000-0000-0000-0000-000000000000";
  const media = [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }];
  const opening = (conversationId: string, participantId: string) =>
    JSON.stringify({
      ...JSON.parse(open(media)),
      parameters: {
        organizationId: "d7934305-0972-4844-938e-9060eef73d05",
        conversationId,
        participant: { id: participantId, ani: "", aniName: "", dnis: "" },
        media,
      },
    });
  const real = "090eaa2f-72fa-480a-83e0-8667ff89c0ec";
  for (
    const [conversationId, participantId, probe] of [
      [nil, nil, true],
      [nil, real, true],
      [real, nil, true],
      [real, real, undefined],
    ] as const
  ) {
    const { genesys, sent } = bound();
    const [start] = list(genesys.deserialize(opening(conversationId, participantId)));
    assert.equal(start?.type, "start");
    assert.equal(
      (start as { probe?: boolean }).probe,
      probe,
      `${conversationId} / ${participantId}`,
    );
    assert.equal(JSON.parse(sent[0] as string).type, "opened", "a probe is answered as any open");
  }
});

/** A client message of the session that `open(…)` opened, numbered `seq`. */
function client(type: string, seq: number, parameters: object = {}, id = SESSION): string {
  return JSON.stringify({
    version: "2",
    type,
    seq,
    serverseq: 0,
    id,
    position: "PT0S",
    parameters,
  });
}

const MONO = [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }];
const types = (sent: SerializedMessage[]) => sent.map((m) => JSON.parse(m as string).type);

Deno.test("`GenesysSerializer` takes caller audio still on its way after its disconnect, and no audio or DTMF after close", () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?": the session ends at the server's request with the client's
  // close transaction, and "the client does not send any audio frames after the client issues
  // the close message", so audio keeps coming until then; the reference server
  // (serversessionimpl.ts) takes audio after its own disconnect, its state still ACTIVE.
  const { genesys, counts, reports } = bound();
  genesys.deserialize(open(MONO));
  assert.equal(JSON.parse(genesys.serialize({ type: "end" }) as string).type, "disconnect");
  const [frame] = list(genesys.deserialize(new Uint8Array(160).fill(0xff)));
  assert.equal(frame?.type, "audio", "the caller is still heard while Genesys has not closed");
  assert.equal((frame as AudioFrame).sampleRate, 16000);
  genesys.deserialize(client("close", 2, { reason: "disconnect" }));
  // After it, a misbehaving client's audio, and a key press (the bot had its `end` at the close),
  // are dropped as media after another provider's end of stream is: counted, reported once.
  assert.equal(genesys.deserialize(new Uint8Array(160).fill(0xff)), null);
  assert.equal(genesys.deserialize(client("dtmf", 3, { digit: "5" })), null);
  assert.equal(genesys.deserialize(new Uint8Array(160).fill(0xff)), null);
  assert.deepEqual(counts, Array(3).fill(["inboundAfterEnd", 1]));
  assert.deepEqual(reports.map((e) => [e.code, e.message]), [[
    "protocol",
    'genesys: "audio" after the end of the stream: dropped, later ones counted in inboundAfterEnd',
  ]]);
});

Deno.test("`GenesysSerializer` takes client messages numbered one after the other only", () => {
  // AudioHook v2: the client's `seq` counts its messages from 1 and the server echoes the last
  // one as `clientseq`; the reference server (serversessionimpl.ts, onTextMessage) requires
  // seq === clientseq + 1 and serverseq <= its own seq, and otherwise disconnects with reason
  // "error" ("Invalid seq value (not monotonically increasing)", "Invalid serverseq value").
  const opened = () => {
    const session = bound();
    session.genesys.deserialize(open(MONO)); // seq 1
    session.genesys.deserialize(client("ping", 2));
    assert.deepEqual(session.sent.map((m) => JSON.parse(m as string).clientseq), [1, 2]);
    session.sent.length = 0;
    return session;
  };
  for (
    const [what, message, info, clientseq] of [
      ["a replay", client("ping", 2), "Invalid seq value 2, expected 3", 2],
      ["an older message", client("ping", 1), "Invalid seq value 1, expected 3", 2],
      ["a gap", client("dtmf", 5, { digit: "1" }), "Invalid seq value 5, expected 3", 2],
      [
        "serverseq ahead of ours",
        JSON.stringify({ ...JSON.parse(client("ping", 3)), serverseq: 9 }),
        "Invalid serverseq value 9, ours is 2",
        // Its `seq` was right, and taken, as the reference server takes it before the serverseq.
        3,
      ],
    ] as const
  ) {
    const { genesys, sent } = opened();
    // Not acted on (no pong, no DTMF), and answered once with disconnect reason "error".
    assert.throws(() => genesys.deserialize(message), isDecode, what);
    assert.deepEqual(sent.map((m) => JSON.parse(m as string)), [
      errorDisconnect(3, clientseq, info),
    ], what);
    assert.equal(genesys.peerCloses, true);
  }
  // Genesys, numbering on from the message refused until it has read our disconnect, is out of
  // step through no fault of its own: its messages meanwhile are not acted on, and counted as
  // after the session's end, not as more decode errors (see genesys_after_breach_test.ts).
  const { genesys, sent, counts } = opened();
  assert.throws(() => genesys.deserialize(client("ping", 4)), isDecode, "a gap");
  assert.equal(genesys.deserialize(client("ping", 5)), null);
  assert.deepEqual(counts, [["inboundAfterEnd", 1]]);
  // Genesys answers with its close transaction, numbered on from the last message it sent: once
  // the session is ending the close is taken whatever its seq, and the session ends.
  sent.length = 0;
  assert.deepEqual(genesys.deserialize(client("close", 7, { reason: "disconnect" })), {
    type: "end",
    reason: "disconnect",
  });
  assert.deepEqual(
    sent.map((m) => [JSON.parse(m as string).type, JSON.parse(m as string).clientseq]),
    [
      ["closed", 7],
    ],
  );
});

Deno.test("`GenesysSerializer` does not let one wrong seq become the expected one", () => {
  // Fuzzer finding: one message with seq 4294967296 used to move the expected seq there for
  // good, so Genesys's own close (numbered on from its count) was refused as old: no `closed`, no
  // `end`. The reference server leaves clientseq where it was on a wrong seq
  // (serversessionimpl.ts, onTextMessage) and takes `close` in any state.
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO)); // seq 1
  genesys.deserialize(client("ping", 2));
  sent.length = 0;
  assert.throws(() => genesys.deserialize(client("ping", 4294967296)), isDecode, "corrupt seq");
  assert.deepEqual(sent.map((m) => JSON.parse(m as string)), [
    errorDisconnect(3, 2, "Invalid seq value 4294967296, expected 3"),
  ]);
  sent.length = 0;
  // Still judged on the expected number's terms (3), not the corrupt one's: out of step, not
  // acted on (no pong), counted as after the session's end.
  assert.equal(genesys.deserialize(client("ping", 4)), null, "numbered past it");
  assert.deepEqual(sent, [], "the breach is answered once");
  assert.deepEqual(genesys.deserialize(client("close", 5, { reason: "end" })), {
    type: "end",
    reason: "end",
  });
  assert.deepEqual(
    sent.map((m) => [JSON.parse(m as string).type, JSON.parse(m as string).clientseq]),
    [["closed", 5]],
  );
});

Deno.test("`GenesysSerializer` takes open only to start a session and answers close once", () => {
  // AudioHook: one open transaction starts a session and sessions are not re-established
  // ("AudioHook currently does not support re-establishing session connections", Genesys Cloud
  // resource center); one close transaction ends it. The reference server ignores an open in any
  // state but the initial one and a close while it is already closing.
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  assert.throws(
    () => genesys.deserialize(client("open", 2, JSON.parse(open(MONO)).parameters)),
    isDecode,
  );
  assert.equal(genesys.active, true, "the open session goes on");
  assert.deepEqual(genesys.deserialize(client("close", 3, { reason: "end" })), {
    type: "end",
    reason: "end",
  });
  assert.throws(() => genesys.deserialize(client("close", 4, { reason: "end" })), isDecode);
  assert.throws(
    () => genesys.deserialize(client("open", 5, JSON.parse(open(MONO)).parameters)),
    isDecode,
  );
  assert.deepEqual(types(sent), ["opened", "closed"], "one opened, one closed, one end frame");
  assert.equal(genesys.active, false);
});

Deno.test("`GenesysSerializer` refuses a message frame that is no AudioHook server message", () => {
  // Genesys's reference client takes only the protocol's server messages (protocol/validators.ts,
  // serverMessageChecker: closed, disconnect, event, opened, pause, pong, reconnect, resume,
  // updated): for any other type onServerMessageBase throws, and its message handler answers
  // with error 500 and a close transaction (client/clientsessionimpl.ts, signalFatalError). Sent,
  // one wrong frame from the bot would end the call.
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  sent.length = 0;
  assert.throws(
    () => genesys.serialize({ type: "message", message: { type: "transcript", parameters: {} } }),
    (e) => e instanceof TransportError && e.code === "encode" && /"transcript"/.test(e.message),
  );
  assert.deepEqual(sent, [], "nothing sent");
  // The session goes on, numbered on from opened.
  genesys.serialize({
    type: "message",
    message: { type: "event", parameters: { entities: [{ type: "barge_in", data: {} }] } },
  });
  assert.deepEqual(types(sent), ["event"]);
  assert.equal(JSON.parse(sent[0]! as string).seq, 2);
  assert.equal(genesys.active, true);
});

Deno.test("`GenesysSerializer` refuses a message of another session", () => {
  // The reference server (serversessionimpl.ts, onTextMessage) takes the session id from the first
  // message and answers a message with another id with disconnect reason "error", "Session
  // identifier mismatch", without acting on it.
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  const other = "11111111-1111-4111-8111-111111111111";
  assert.throws(() => genesys.deserialize(client("close", 2, { reason: "end" }, other)), isDecode);
  const [heard] = list(genesys.deserialize(new Uint8Array(160).fill(0xff)));
  assert.equal(heard?.type, "audio", "the close was not taken as ours: the caller is still heard");
  assert.deepEqual(sent.map((m) => JSON.parse(m as string)).slice(1), [
    errorDisconnect(2, 2, `Session identifier mismatch: "${other}"`),
  ]);
  // Our own session's close is still answered (after the caller's last samples).
  const closing = list(genesys.deserialize(client("close", 3, { reason: "disconnect" })));
  assert.deepEqual(closing.filter((frame) => frame.type !== "audio"), [
    { type: "end", reason: "disconnect" },
  ]);
  assert.deepEqual(types(sent), ["opened", "disconnect", "closed"]);
});

Deno.test("`GenesysSerializer` refuses a client message without serverseq as a protocol breach", () => {
  // `serverseq` is part of every AudioHook client message: the reference implementation's
  // `ClientMessageBase` declares it unconditionally (protocol/message.ts), `isClientMessageBase`
  // requires it (protocol/validators.ts), and its server answers a message without it with
  // disconnect reason "error", "Message not a well-formed client message", without acting on it
  // (server/serversessionimpl.ts, onTextMessage).
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  const { serverseq: _, ...ping } = JSON.parse(client("ping", 2));
  assert.throws(() => genesys.deserialize(JSON.stringify(ping)), isDecode);
  // `clientseq` 1: the malformed ping's `seq` is not taken, as the reference checks a message's
  // shape before it takes its `seq` (onTextMessage).
  assert.deepEqual(sent.map((m) => JSON.parse(m as string)).slice(1), [
    errorDisconnect(2, 1, "Missing serverseq"),
  ], "no pong: the ping was not acted on; the first breach asks Genesys to end the session");
  assert.equal(genesys.peerCloses, true);
  // Genesys's close transaction, a well-formed message, is still taken.
  assert.deepEqual(genesys.deserialize(client("close", 3, { reason: "disconnect" })), {
    type: "end",
    reason: "disconnect",
  });
  // An open without serverseq opens nothing.
  const { genesys: unopened, sent: unopenedSent } = bound();
  const { serverseq: __, ...opening } = JSON.parse(open(MONO));
  assert.throws(() => unopened.deserialize(JSON.stringify(opening)), isDecode);
  assert.deepEqual(types(unopenedSent), ["disconnect"]);
  assert.throws(() => unopened.deserialize(new Uint8Array(160)), isDecode, "no session is open");
});

Deno.test("`GenesysSerializer` refuses audio while Genesys's stream is paused as a protocol breach", () => {
  // A paused stream carries no audio: the client stops its frames from its `paused` (sent too when
  // our `opened` asks it to start paused) until its `resumed` (reference client,
  // client/src/mediasource-tone.ts), and the reference server answers audio in its PAUSED state
  // with disconnect reason "error", "Received audio in state PAUSED"
  // (server/serversessionimpl.ts, onBinaryMessage).
  const caller = new Uint8Array(160).fill(0xff);
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  genesys.deserialize(client("paused", 2));
  assert.equal(genesys.active, false);
  assert.throws(() => genesys.deserialize(caller), isDecode);
  assert.throws(() => genesys.deserialize(caller), isDecode, "still paused: still refused");
  assert.deepEqual(sent.map((m) => JSON.parse(m as string)).slice(1), [
    errorDisconnect(2, 2, "Received 160 bytes of audio while the stream is paused"),
  ], "disconnect once, for the first breach");
  // Resumed, the stream carries the caller's audio again, until Genesys's close.
  genesys.deserialize(client("resumed", 3, { start: "PT0S", discarded: "PT0.02S" }));
  assert.equal(list(genesys.deserialize(caller))[0]?.type, "audio");

  // Started paused: no audio until Genesys has resumed.
  const { genesys: startPaused, sent: startPausedSent } = bound({ startPaused: true });
  startPaused.deserialize(open(MONO));
  assert.throws(() => startPaused.deserialize(caller), isDecode);
  assert.deepEqual(types(startPausedSent), ["opened", "disconnect"]);

  // Paused while we end the session: still no audio, and no second disconnect.
  const { genesys: ending, sent: endingSent } = bound();
  ending.deserialize(open(MONO));
  assert.equal(JSON.parse(ending.serialize({ type: "end" }) as string).type, "disconnect");
  ending.deserialize(client("paused", 2));
  assert.throws(() => ending.deserialize(caller), isDecode);
  assert.deepEqual(types(endingSent), ["opened"], "our disconnect was returned, none sent");
});

Deno.test("`GenesysSerializer` takes a malformed seq or serverseq as a protocol breach", () => {
  // The reference server's isClientMessageBase (protocol/validators.ts) requires both to be
  // numbers; a message that fails it is "not a well-formed client message": not acted on, and
  // answered by disconnect reason "error", as a wrong number is.
  for (const [key, value] of [["seq", "2"], ["serverseq", -1], ["seq", 2.5]] as const) {
    const { genesys, sent } = bound();
    genesys.deserialize(open(MONO));
    const ping = { ...JSON.parse(client("ping", 2)), [key]: value };
    assert.throws(() => genesys.deserialize(JSON.stringify(ping)), isDecode);
    const disconnects = sent.map((m) => JSON.parse(m as string)).filter((m) =>
      m.type === "disconnect"
    );
    assert.deepEqual(
      disconnects.map((m) => m.parameters),
      [{
        reason: "error",
        info: `Client Error: ${key} is not a sequence number: ${JSON.stringify(value)}`,
      }],
      `${key}: ${value}`,
    );
    assert.equal(types(sent).includes("pong"), false, "the ping was not acted on");
  }
});

Deno.test("`GenesysSerializer` takes a missing or malformed position as a protocol breach", () => {
  // `position` is part of every AudioHook client message: the reference implementation's
  // `isClientMessageBase` requires `isDuration(msg['position'])`, a string matching
  // /^PT(?:\d*\.)?\d+S$/ (purecloudlabs/audiohook-reference-implementation,
  // app/audiohook/src/protocol/validators.ts), and its server answers a message that fails it with
  // disconnect reason "error", "Message not a well-formed client message", without acting on it
  // (app/audiohook/src/server/serversessionimpl.ts, onTextMessage).
  const bad: [string, unknown, string][] = [
    ["missing", undefined, "Missing position"],
    ["a number", 1.5, "position is not a duration: 1.5"],
    ["null", null, "position is not a duration: null"],
    ["seconds without PT", "1.5s", 'position is not a duration: "1.5s"'],
    ["a trailing point", "PT1.S", 'position is not a duration: "PT1.S"'],
    ["no number", "PTS", 'position is not a duration: "PTS"'],
    ["negative", "PT-1S", 'position is not a duration: "PT-1S"'],
    ["a decimal comma", "PT1,5S", 'position is not a duration: "PT1,5S"'],
    ["minutes", "PT1M", 'position is not a duration: "PT1M"'],
  ];
  for (const [name, position, info] of bad) {
    const { genesys, sent } = bound();
    genesys.deserialize(open(MONO));
    const ping = { ...JSON.parse(client("ping", 2)), position };
    assert.throws(() => genesys.deserialize(JSON.stringify(ping)), isDecode, name);
    // `clientseq` 1: a malformed message's `seq` is not taken (see the serverseq test above).
    assert.deepEqual(sent.map((m) => JSON.parse(m as string)).slice(1), [
      errorDisconnect(2, 1, info),
    ], `${name}: no pong (not acted on); disconnect with reason "error"`);
    assert.equal(genesys.position, "PT0S", `${name}: a bad message changes nothing`);
    assert.equal(genesys.peerCloses, true, name);
    // Genesys's close transaction, a well-formed message numbered on, is still taken.
    assert.deepEqual(genesys.deserialize(client("close", 3, { reason: "disconnect" })), {
      type: "end",
      reason: "disconnect",
    }, name);
  }
  // An open without a position opens nothing.
  const { genesys: unopened, sent: unopenedSent } = bound();
  const { position: _, ...opening } = JSON.parse(open(MONO));
  assert.throws(() => unopened.deserialize(JSON.stringify(opening)), isDecode);
  assert.deepEqual(types(unopenedSent), ["disconnect"]);
  assert.throws(() => unopened.deserialize(new Uint8Array(160)), isDecode, "no session is open");
  // Every form the reference validator accepts is taken, and kept as the stream's position.
  for (const position of ["PT0S", "PT1.5S", "PT.5S", "PT0.020S", "PT12345S"]) {
    const { genesys, sent } = bound();
    genesys.deserialize(open(MONO));
    genesys.deserialize(JSON.stringify({ ...JSON.parse(client("ping", 2)), position }));
    assert.deepEqual(types(sent), ["opened", "pong"], position);
    assert.equal(genesys.position, position);
  }
});

Deno.test("`GenesysSerializer` reports the client's error message once, and still gives it to the bot", () => {
  // The reference implementation (purecloudlabs/audiohook-reference-implementation,
  // app/audiohook/src/protocol/message.ts): `ErrorMessage = ClientMessageBase<'error',
  // ErrorParameters>`, `ErrorParameters = { code: 400 | 405 | 408 | 409 | 413 | 415 | 429 | 500 |
  // 503; message: string; retryAfter?: Duration }` (retryAfter "used by client rate limiter
  // (429)"); the client sends it, then closes with reason `error`.
  const { context, reported } = recordingContext();
  const genesys = new GenesysSerializer();
  genesys.bind(context);
  genesys.setup(SETUP_16K);
  genesys.deserialize(open(MONO));
  const error = {
    version: "2",
    type: "error",
    seq: 2,
    serverseq: 1,
    id: SESSION,
    position: "PT2S",
    parameters: { code: 429, message: "Rate limit exceeded", retryAfter: "PT1S" },
  };
  assert.deepEqual(genesys.deserialize(JSON.stringify(error)), { type: "message", message: error });
  assert.equal(reported.length, 1, "exactly one report");
  const [report] = reported;
  assert.ok(report instanceof TransportError);
  assert.equal(report.code, "protocol");
  assert.equal(report.fatal, false, "the session goes on: Genesys's close follows");
  assert.equal(report.message, "genesys: error 429: Rate limit exceeded (retry after PT1S)");
  // Without retryAfter (a 500), the report says none.
  const plain = { ...error, seq: 3, parameters: { code: 500, message: "Internal error" } };
  genesys.deserialize(JSON.stringify(plain));
  assert.equal(reported.length, 2);
  assert.equal(reported[1]!.message, "genesys: error 500: Internal error");
  // The client's close with reason `error` that follows ends the session as any close.
  assert.deepEqual(genesys.deserialize(client("close", 4, { reason: "error" })), {
    type: "end",
    reason: "error",
  });
});

/** A message frame asking for the AudioHook server message `type` with `parameters`. */
function serverMessage(type: string, parameters?: unknown): Frame {
  return { type: "message", message: parameters === undefined ? { type } : { type, parameters } };
}

/** A bot's `event` message frame carrying one transcript entity saying `text`. */
const transcript = (text: string) =>
  serverMessage("event", { entities: [{ type: "transcript", data: { text } }] });

Deno.test("`GenesysSerializer` sends the bot's messages within the session only: none before open, none after closed", () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?": "When the session is open, Genesys Cloud starts sending
  // audio to the server and the server can send event messages"; the reference server sends an
  // event only in its ACTIVE, PAUSED or CLOSING state (server/serversessionimpl.ts, sendEvent),
  // and its `closed` ends the close transaction.
  const { genesys, sent } = bound();
  assert.throws(
    () => genesys.serialize(transcript("early")),
    isEncode(/event not sent: no AudioHook session is open yet$/),
  );
  assert.deepEqual(sent, [], "nothing with the nil session id");
  genesys.deserialize(open(MONO));
  genesys.serialize(transcript("hi"));
  // After our disconnect the session still runs until Genesys's close: the bot may still speak.
  assert.equal(JSON.parse(genesys.serialize({ type: "end" }) as string).type, "disconnect");
  genesys.serialize(transcript("bye"));
  genesys.deserialize(client("close", 2, { reason: "disconnect" }));
  assert.throws(
    () => genesys.serialize(transcript("late")),
    isEncode(/event not sent: the session closed$/),
  );
  assert.deepEqual(
    sent.map((m) => [JSON.parse(m as string).type, JSON.parse(m as string).seq]),
    [["opened", 1], ["event", 2], ["event", 4], ["closed", 5]],
    "the refused messages took no number, and nothing follows closed",
  );
});

Deno.test("`GenesysSerializer` refuses a bot's message over the 65,535 bytes Genesys takes, or not JSON-able, numbering on without a gap", () => {
  // The reference client answers a text message longer than 65,535 with a fatal error 413,
  // "Message too large" (client/clientsessionimpl.ts, onTextMessage), and a server message whose
  // `seq` is not one more than the last as a protocol error (onServerMessageBase): either ends
  // the call. Refused here, the message takes no number, so the next one still follows on.
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  sent.length = 0;
  assert.throws(
    () => genesys.serialize(transcript("a".repeat(70_000))),
    isEncode(/event not sent: 70\d{3} bytes, and Genesys takes at most 65535$/),
  );
  assert.throws(
    () => genesys.serialize(serverMessage("event", { entities: [{ type: "n", data: { n: 1n } }] })),
    isEncode(/not JSON-able/),
  );
  genesys.serialize(transcript("a".repeat(60_000)));
  assert.deepEqual(
    sent.map((m) => [JSON.parse(m as string).type, JSON.parse(m as string).seq]),
    [["event", 2]],
  );
  assert.equal(genesys.active, true);
});

Deno.test("`GenesysSerializer` refuses a bot's server message whose parameters Genesys's client refuses", () => {
  // The reference client's `serverMessageChecker` (protocol/validators.ts): an `event` needs
  // `entities`, a list of `{ type: string, data: JsonValue }` (isEventEntity; null is no
  // JsonValue there); a `disconnect` a `reason` of completed, error or unauthorized and an `info`
  // that is a string when present; a `reconnect` likewise. One that fails is "Unsupported" there,
  // a fatal error 500 and its close transaction (client/clientsessionimpl.ts).
  const bad: [string, unknown, RegExp][] = [
    ["event", undefined, /entities is not a list: undefined/],
    ["event", { entities: {} }, /entities is not a list: \{\}/],
    ["event", { entities: [{ type: "transcript" }] }, /entities\[0\] is not \{ type, data \}/],
    ["event", { entities: [{ type: "barge_in", data: {} }, { data: {} }] }, /entities\[1\] is not/],
    ["event", { entities: [{ type: "transcript", data: null }] }, /entities\[0\] is not/],
    ["event", { entities: ["barge_in"] }, /entities\[0\] is not \{ type, data \}: "barge_in"/],
    ["event", { entities: [undefined] }, /entities\[0\] is not \{ type, data \}: undefined/],
    ["disconnect", {}, /reason is not completed, error or unauthorized: undefined/],
    ["disconnect", { reason: "bye" }, /reason is not/],
    ["disconnect", { reason: "completed", info: 5 }, /info is not a string: 5/],
    ["reconnect", { info: null }, /info is not a string: null/],
  ];
  for (const [type, parameters, problem] of bad) {
    const { genesys, sent } = bound();
    genesys.deserialize(open(MONO));
    sent.length = 0;
    assert.throws(
      () => genesys.serialize(serverMessage(type, parameters)),
      isEncode(new RegExp(`${type} not sent: ${problem.source}`)),
      `${type} ${JSON.stringify(parameters)}`,
    );
    assert.deepEqual(sent, [], "nothing sent");
    // The session goes on, numbered on from opened.
    genesys.serialize(serverMessage("event", { entities: [{ type: "barge_in", data: {} }] }));
    assert.deepEqual(sent.map((m) => JSON.parse(m as string).seq), [2]);
    assert.equal(genesys.active, true);
  }
  // What the checker takes goes as it is.
  const { genesys, sent } = bound();
  genesys.deserialize(open(MONO));
  genesys.serialize(serverMessage("event", { entities: [{ type: "barge_in", data: {} }] }));
  genesys.serialize(serverMessage("reconnect"));
  // A disconnect is the session's end, answered as an `end` is (not sent through the context).
  sent.push(
    genesys.serialize(serverMessage("disconnect", { reason: "completed", info: "done" })) as string,
  );
  assert.deepEqual(types(sent), ["opened", "event", "reconnect", "disconnect"]);
});

Deno.test("`GenesysSerializer` hands on the caller's last samples the resampler held back at Genesys's close and at the socket's close", () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?": "the client does not send any audio frames after the
  // client issues the close message": the close ends the caller's stream, as the socket's close
  // does when it comes first. PCMU at 8 kHz, resampled to the transport's 16 kHz here.
  const samplesIn = (frames: Frame[]) =>
    frames.reduce((sum, f) => sum + (f.type === "audio" ? f.audio.length / 2 : 0), 0);
  const atClose = bound().genesys;
  atClose.deserialize(open(MONO));
  const heard = list(atClose.deserialize(new Uint8Array(160).fill(0x55)));
  const closing = list(atClose.deserialize(client("close", 2, { reason: "end" })));
  assert.equal(closing.at(-1)?.type, "end", "the end comes last");
  assert.equal(samplesIn([...heard, ...closing]), 320, "20 ms at 8 kHz is 320 samples at 16 kHz");
  assert.equal(atClose.finish(), null, "nothing more held");

  const atSocketClose = bound().genesys;
  atSocketClose.deserialize(open(MONO));
  const before = list(atSocketClose.deserialize(new Uint8Array(160).fill(0x55)));
  assert.equal(samplesIn([...before, ...list(atSocketClose.finish())]), 320);
});

Deno.test("`GenesysSerializer` answers Genesys's malformed close while ending with closed, the fault counted and reported", () => {
  // After our `disconnect` the client's close transaction is the session's end: the client sends
  // `close`, the server answers `closed` (Genesys Cloud resource center, "What happens during a
  // successful session between Genesys Cloud and your AudioHook server?": "the client initiates
  // a close transaction to ensure a clean finalization of the session"), and the reference client
  // waits for that `closed` (closeTimeout, 10 s by default) before it gives up with error 408
  // "Close transaction timeout" (client/clientsessionimpl.ts). A close whose envelope or
  // parameters are off still asks for that end: answered, so the session ends cleanly and not
  // on our closeTimeoutMs; what is wrong with it is a decode error, counted and reported.
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["no position", { position: undefined }, /Missing position/],
    ["no serverseq", { serverseq: undefined }, /Missing serverseq/],
    ["serverseq ahead of ours", { serverseq: 9 }, /Invalid serverseq value 9/],
    ["another session's id", { id: "11111111-1111-4111-8111-111111111111" }, /Session identifier/],
    ["an id that is no UUID", { id: "00000000-0000-0000-0000-00000000000f" }, /not a session UUID/],
    ["no seq", { seq: undefined }, /seq is not a sequence number: undefined/],
    ["parameters not an object", { parameters: "end" }, /parameters/],
    ["no parameters", { parameters: undefined }, /Missing parameters/],
    ["a reason the protocol lacks", { parameters: { reason: "bye" } }, /close parameters: reason/],
  ];
  for (const [name, change, fault] of cases) {
    const { genesys, sent, counts, reports } = bound();
    genesys.deserialize(open(MONO));
    assert.equal(JSON.parse(genesys.serialize({ type: "end" }) as string).type, "disconnect");
    sent.length = 0;
    const close = { ...JSON.parse(client("close", 2, { reason: "disconnect" })), ...change };
    const frames = list(genesys.deserialize(JSON.stringify(close)));
    assert.equal(frames.at(-1)?.type, "end", `${name}: the bot's end`);
    assert.deepEqual(types(sent), ["closed"], `${name}: answered`);
    assert.equal(genesys.peerCloses, true, name);
    assert.deepEqual(counts, [["decodeErrors", 1]], `${name}: counted`);
    assert.equal(reports.length, 1, name);
    assert.equal(reports[0]!.code, "decode", name);
    assert.match(reports[0]!.message, fault, name);
    // Answered once, as any close.
    assert.throws(() => genesys.deserialize(client("close", 3, { reason: "end" })), isDecode);
  }
});

Deno.test("`GenesysSerializer` measures what it sends Genesys in UTF-8 bytes: non-ASCII event, disconnect and closed", () => {
  // Genesys takes text messages of at most 65,535 (the reference client answers a longer one with
  // a fatal error 413, client/clientsessionimpl.ts, onTextMessage); the bytes on the wire are
  // UTF-8 (RFC 6455 5.6: text frames carry UTF-8), never fewer than the string's UTF-16 units,
  // so a check in bytes is the one that holds on either count. Each text below is half or a
  // quarter as many UTF-16 units as bytes: a count in units would let all of them through.
  const bytes = (message: SerializedMessage) => new TextEncoder().encode(message as string).length;
  /** Text of exactly `n` UTF-8 bytes made of `char` (2 or 4 bytes) and ASCII to fill. */
  const text = (n: number, char: string) => {
    const size = new TextEncoder().encode(char).length;
    return char.repeat(Math.floor(n / size)) + "a".repeat(n % size);
  };
  for (const char of ["é", "😀"]) {
    const { genesys, sent } = bound();
    genesys.deserialize(open(MONO));
    sent.length = 0;
    genesys.serialize(transcript(""));
    const room = 65_535 - bytes(sent.pop()!); // the transcript's text may take this many bytes
    assert.throws(() => genesys.serialize(transcript(text(room + 1, char))), isEncode(/65535$/));
    genesys.serialize(transcript(text(room, char)));
    assert.equal(bytes(sent.at(-1)!), 65_535, `${char}: the largest event goes`);
    assert.ok((sent.at(-1) as string).length < 40_000, `${char}: far fewer UTF-16 units`);
    // A disconnect (the bot's own, or an end's) whose info alone is too long goes without it.
    const disconnect = genesys.serialize(
      serverMessage("disconnect", { reason: "error", info: text(65_500, char) }),
    ) as string;
    assert.deepEqual(JSON.parse(disconnect).parameters, { reason: "error" }, char);
  }
  // Output variables over the limit in bytes, under it in UTF-16 units: left out of closed.
  const { genesys, sent, reports } = bound();
  genesys.setOutputVariables({ summary: text(65_400, "é") });
  genesys.deserialize(open(MONO));
  assert.ok(bytes(JSON.stringify({ summary: text(65_400, "é") })) < 65_535);
  genesys.deserialize(client("close", 2, { reason: "end" }));
  const closed = JSON.parse(sent.at(-1) as string);
  assert.deepEqual([closed.type, closed.parameters], ["closed", {}]);
  assert.match(reports.at(-1)!.message, /closed sent without its outputVariables/);
});
