import assert from "node:assert/strict";
import { PLAYOUT_MARK_PREFIX } from "../../src/playback.ts";
import fc from "fast-check";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { TransportError } from "../../src/errors.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { mulawEncode } from "../../src/audio/g711.ts";
import {
  asteriskJsonCall,
  asteriskPlainTextCall,
  type AsteriskStep,
} from "./fixtures/asterisk_call.ts";
import { fuzzDeserializer, tone } from "./fixtures/telephony_harness.ts";
import { binaryToneRoundTrip } from "./fixtures/binary_tone.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 8000,
  outputChannels: 1,
};

function list<T>(result: T | T[] | null): T[] {
  return result === null ? [] : Array.isArray(result) ? result : [result];
}

function play(asterisk: AsteriskSerializer, script: AsteriskStep[]): void {
  for (const [index, step] of script.entries()) {
    if ("from" in step) {
      const data = typeof step.wire === "number" ? new Uint8Array(step.wire).fill(0x55) : step.wire;
      const frames = list(asterisk.deserialize(data));
      if (step.frames === "audio") {
        assert.equal(frames.length, 1, `step ${index}`);
        const audio = frames[0] as AudioFrame;
        assert.equal(audio.type, "audio");
        assert.equal(audio.sampleRate, 16000);
      } else {
        assert.deepEqual(frames, step.frames, `step ${index}: ${String(step.wire).slice(0, 60)}`);
      }
    } else {
      const result = asterisk.serialize(step.frame);
      if (step.wire === null) {
        assert.equal(result, null, `step ${index}`);
        continue;
      }
      const sent = list(result).map((m) => typeof m === "string" ? m : m.length);
      assert.deepEqual(sent, step.wire, `step ${index}: ${step.frame.type}`);
    }
  }
}

Deno.test("`AsteriskSerializer` plays the documented plain-text session message by message both ways", () => {
  const asterisk = new AsteriskSerializer();
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.setup(SETUP);
  play(asterisk, asteriskPlainTextCall);
  assert.deepEqual(calls.paused, [true, false], "MEDIA_XOFF / MEDIA_XON pause and resume sending");
  assert.deepEqual(calls.sent, [], "nothing sent behind the transport's back");
});

Deno.test("`AsteriskSerializer` plays the documented JSON session message by message both ways", () => {
  const asterisk = new AsteriskSerializer();
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.setup(SETUP);
  play(asterisk, asteriskJsonCall);
  assert.deepEqual(calls.paused, [true, false]);
});

Deno.test("`AsteriskSerializer` follows MEDIA_START to slin16: 640-byte frames, resampled both ways", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP);
  asterisk.deserialize(mediaStart({ format: "slin16", frameBytes: 640 }));
  assert.equal(asterisk.format.sampleRate, 16000);
  // 100 ms at 24 kHz → 16 kHz PCM16: whole 640-byte frames, the rest held.
  const out = list(asterisk.serialize({
    type: "audio",
    audio: new Uint8Array(4800),
    sampleRate: 24000,
    channels: 1,
  }));
  const media = out.filter((m): m is Uint8Array => m instanceof Uint8Array);
  assert.equal(out[0], "START_MEDIA_BUFFERING");
  assert.ok(media.length >= 1 && media.every((m) => m.length % 640 === 0));
  const inbound = list(asterisk.deserialize(new Uint8Array(640))) as AudioFrame[];
  assert.equal(inbound[0]?.sampleRate, 16000);
  assert.equal(inbound[0]?.audio.length, 640, "16 kHz in, 16 kHz out: no resampling");
  // Odd-length signed linear is not audio.
  assert.throws(
    () => asterisk.deserialize(new Uint8Array(641)),
    (e) => e instanceof TransportError && e.code === "decode",
  );
});

Deno.test("`AsteriskSerializer` keeps a 1 kHz tone's frequency and level, μ-law and slin16", async () => {
  for (const format of ["ulaw", "slin16"]) {
    const asterisk = new AsteriskSerializer({ format });
    asterisk.setup({ ...SETUP, outputSampleRate: 24000 });
    // Asterisk streams the channel's audio back in the same format: an echo, 40 ms at a time.
    await binaryToneRoundTrip(asterisk, 40);
  }
});

Deno.test("`AsteriskSerializer` cuts long audio into messages under Asterisk's 65,500-byte bound", () => {
  const asterisk = new AsteriskSerializer({ format: "slin48" });
  asterisk.setup(SETUP);
  // Two seconds of 48 kHz PCM16 at once: 192,000 bytes.
  const out = list(asterisk.serialize({
    type: "audio",
    audio: new Uint8Array(192_000),
    sampleRate: 48000,
    channels: 1,
  })).filter((m): m is Uint8Array => m instanceof Uint8Array);
  assert.ok(out.every((m) => m.length <= 65_500 && m.length % 1920 === 0));
  assert.equal(out.reduce((n, m) => n + m.length, 0), 192_000);
});

Deno.test("`AsteriskSerializer` sends marks with unsafe names under ids of its own", () => {
  const asterisk = new AsteriskSerializer({ controlFormat: "json" });
  asterisk.setup(SETUP);
  asterisk.deserialize(mediaStart({ json: true }));
  const name = 'the answer to a question with spaces and "quotes"';
  const [command] = list(asterisk.serialize({ type: "mark", name })) as string[];
  assert.deepEqual(JSON.parse(command!), { command: "MARK_MEDIA", correlation_id: "#m1" });
  assert.deepEqual(
    asterisk.deserialize(
      '{"event":"MEDIA_MARK_PROCESSED","channel_id":"1.1","correlation_id":"#m1"}',
    ),
    { type: "mark", name },
  );
  // An id nobody asked for is passed on as a message, not as a mark.
  assert.deepEqual(
    asterisk.deserialize(
      '{"event":"MEDIA_MARK_PROCESSED","channel_id":"1.1","correlation_id":"x"}',
    ),
    {
      type: "message",
      message: { event: "MEDIA_MARK_PROCESSED", channel_id: "1.1", correlation_id: "x" },
    },
  );
});

Deno.test("`AsteriskSerializer` answers on MEDIA_START when asked, and reports Asterisk's ERROR", () => {
  const asterisk = new AsteriskSerializer({ answer: true, hangUp: false });
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.setup(SETUP);
  asterisk.deserialize(mediaStart({ format: "alaw" }));
  assert.deepEqual(calls.sent, ["ANSWER"]);
  assert.equal(
    asterisk.deserialize(
      "ERROR channel_id:1.1 error_text:FLUSH_MEDIA not supported in passthrough mode",
    ),
    null,
  );
  assert.equal(calls.reported.length, 1);
  assert.equal(calls.reported[0]!.code, "protocol");
  assert.match(calls.reported[0]!.message, /FLUSH_MEDIA not supported in passthrough mode/);
  assert.equal(asterisk.serialize({ type: "cancel" }), null, "hangUp: false");
  assert.deepEqual(
    list(asterisk.serialize({ type: "end" })),
    [],
    "nothing held, nothing to hang up",
  );
});

Deno.test("`AsteriskSerializer` refuses formats and messages it cannot carry, with clear errors", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP);
  for (
    const [bad, pattern] of [
      [
        "MEDIA_START connection_id:c channel:x format:opus optimal_frame_size:0 ptime:20",
        /"opus" is not one this serializer speaks; dial with c\(<format>\) for one of ulaw, alaw, slin/,
      ],
      ["MEDIA_START connection_id:c format:speex optimal_frame_size:0", /"speex" is not one/],
      ["MEDIA_START connection_id:c format:slin16 optimal_frame_size:641", /16-bit samples/],
      ["MEDIA_START connection_id:c format:ulaw optimal_frame_size:-160", /positive whole/],
      ["MEDIA_START connection_id:c format:ulaw", /no optimal_frame_size/],
      ["DTMF_END digit:x", /keypad digit/],
      ["DTMF_END", /no digit/],
      ["media start", /not a control event/],
      ["MEDIA_START stray", /parameter without a name/],
      ['{"event":7}', /event is not a string/],
      ["{", /not JSON/],
      ["MEDIA_XOFF\nMEDIA_XON", /spans lines/],
    ] as const
  ) {
    assert.throws(
      () => asterisk.deserialize(bad),
      (e) => e instanceof TransportError && e.code === "decode" && pattern.test(e.message),
      bad,
    );
  }
  assert.equal(asterisk.format.encoding, "mulaw", "a refused MEDIA_START changes nothing");
  assert.throws(() => new AsteriskSerializer({ format: "g729" }), RangeError);
  assert.throws(
    () =>
      asterisk.serialize({
        type: "message",
        message: `GET_STATUS${"_X".repeat(60)}`,
      }),
    (e) => e instanceof TransportError && e.code === "encode" && /128 bytes/.test(e.message),
  );
});

Deno.test("`AsteriskSerializer` writes a message frame's command in the channel's control format", () => {
  // chan_websocket.c handle_command reads every TEXT message in the channel's format: on a JSON
  // channel a bare word is answered with ERROR "Unable to parse JSON command", and in plain text
  // a JSON object is taken whole as a command name and ignored.
  const json = new AsteriskSerializer();
  json.setup(SETUP);
  json.deserialize(mediaStart({ json: true }));
  const sent = (asterisk: AsteriskSerializer, message: unknown) =>
    asterisk.serialize({ type: "message", message });
  assert.deepEqual(JSON.parse(String(sent(json, "GET_STATUS"))), { command: "GET_STATUS" });
  assert.deepEqual(
    JSON.parse(String(sent(json, { command: "SET_MEDIA_DIRECTION", direction: "in" }))),
    { command: "SET_MEDIA_DIRECTION", direction: "in" },
  );
  const plain = new AsteriskSerializer();
  plain.setup(SETUP);
  plain.deserialize(mediaStart());
  assert.equal(sent(plain, "GET_STATUS"), "GET_STATUS");
  assert.equal(sent(plain, { command: "PAUSE_MEDIA" }), "PAUSE_MEDIA");
  // Before MEDIA_START the format is not known yet: as the serializer's own commands go.
  const early = new AsteriskSerializer();
  assert.equal(sent(early, { command: "ANSWER" }), "ANSWER");
  const earlyJson = new AsteriskSerializer({ controlFormat: "json" });
  assert.equal(sent(earlyJson, "ANSWER"), '{"command":"ANSWER"}');
});

Deno.test("`AsteriskSerializer` refuses a message frame that is no command, or that plain text cannot carry, as an encode error", () => {
  const plain = new AsteriskSerializer();
  plain.setup(SETUP);
  plain.deserialize(mediaStart());
  const json = new AsteriskSerializer();
  json.setup(SETUP);
  json.deserialize(mediaStart({ json: true }));
  for (
    const [asterisk, message, pattern] of [
      // Commands are case-sensitive: Asterisk logs an unknown one and does nothing.
      [plain, "get_status", /not a command/],
      [plain, "GET_STATUS  ", /not a command/],
      [plain, "STOP_MEDIA_BUFFERING\nHANGUP", /not a command/],
      [json, '{"command":"GET_STATUS"}', /not a command/],
      [plain, 42, /not a command/],
      [plain, null, /not a command/],
      [plain, ["GET_STATUS"], /not a command/],
      [json, { direction: "in" }, /not a command/],
      [json, { command: 7 }, /not a command/],
      // chan_websocket.c: SET_MEDIA_DIRECTION in plain text is an ERROR ("only supports JSON
      // format"); what follows a command's name is read only as the correlation id of the
      // commands the serializer sends itself.
      [plain, { command: "SET_MEDIA_DIRECTION", direction: "in" }, /direction.*JSON/],
      [plain, { command: "GET_STATUS", correlation_id: "s1" }, /correlation_id.*JSON/],
      [plain, "GET_STATUS s1", /not a command/],
    ] as const
  ) {
    assert.throws(
      () => asterisk.serialize({ type: "message", message }),
      (e) => e instanceof TransportError && e.code === "encode" && pattern.test(e.message),
      JSON.stringify(message),
    );
  }
});

Deno.test("`AsteriskSerializer` answers every fuzzed JSON message with frames or a decode error", async () => {
  const asterisk = new AsteriskSerializer();
  asterisk.bind(recordingContext().context);
  asterisk.setup(SETUP);
  const { frames, errors } = await fuzzDeserializer(asterisk, {
    events: [
      "MEDIA_START",
      "DTMF_END",
      "MEDIA_XOFF",
      "MEDIA_XON",
      "STATUS",
      "MEDIA_BUFFERING_COMPLETED",
      "MEDIA_MARK_PROCESSED",
      "QUEUE_DRAINED",
      "ERROR",
    ],
    fields: {
      format: fc.constantFrom("ulaw", "alaw", "slin", "slin16", "slin48", "opus", 7),
      optimal_frame_size: fc.oneof(fc.constantFrom(160, 320, 640, "160", 0, -1), fc.integer()),
      connection_id: fc.string({ maxLength: 8 }),
      channel_id: fc.string({ maxLength: 8 }),
      digit: fc.constantFrom("1", "#", "*", "A", "z", 7, "12"),
      correlation_id: fc.string({ maxLength: 8 }),
      error_text: fc.string({ maxLength: 20 }),
      channel_variables: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()),
    },
  });
  assert.ok(frames > 1000 && errors > 100, `${frames} frames, ${errors} errors`);
});

Deno.test("`AsteriskSerializer` answers every fuzzed plain-text message with frames or a decode error", async () => {
  const asterisk = new AsteriskSerializer();
  asterisk.bind(recordingContext().context);
  asterisk.setup(SETUP);
  const word = fc.string({ maxLength: 10 });
  const pair = fc.tuple(
    fc.constantFrom("format", "optimal_frame_size", "digit", "channel_id", "x", "error_text", ""),
    fc.oneof(word, fc.constantFrom("ulaw", "slin16", "opus", "160", "640", "5", "#")),
  ).map(([key, value]) => `${key}:${value}`);
  const plain = fc.tuple(
    fc.oneof(
      fc.constantFrom(
        "MEDIA_START",
        "DTMF_END",
        "MEDIA_XOFF",
        "MEDIA_XON",
        "STATUS",
        "MEDIA_BUFFERING_COMPLETED",
        "MEDIA_MARK_PROCESSED",
        "QUEUE_DRAINED",
        "ERROR",
      ),
      word,
    ),
    fc.array(fc.oneof(pair, word), { maxLength: 6 }),
  ).map(([event, params]) => [event, ...params].join(" "));
  const input = fc.oneof(
    { arbitrary: plain, weight: 6 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 400 }), weight: 2 },
  );
  let frames = 0;
  let errors = 0;
  await fc.assert(
    fc.asyncProperty(input, async (data) => {
      try {
        const result = await asterisk.deserialize(data);
        for (const frame of list(result)) assert.equal(typeof frame.type, "string");
        frames += list(result).length;
      } catch (error) {
        if (!(error instanceof TransportError) || error.code !== "decode") {
          throw new Error(`escaped: ${String(error)} for ${JSON.stringify(String(data))}`);
        }
        errors++;
      }
    }),
    { numRuns: 10_000, seed: 4242 },
  );
  assert.ok(frames > 1000 && errors > 100, `${frames} frames, ${errors} errors`);
});

Deno.test("`AsteriskSerializer` decodes μ-law media as G.711 says", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup({ ...SETUP, inputSampleRate: 8000 });
  const samples = tone(440, 8000, 160, 0.25);
  const [frame] = list(asterisk.deserialize(mulawEncode(samples))) as AudioFrame[];
  const decoded = new Int16Array(frame!.audio.slice().buffer);
  for (let i = 0; i < samples.length; i++) {
    // μ-law keeps about 2% of the magnitude.
    assert.ok(
      Math.abs(decoded[i]! - samples[i]!) <= Math.abs(samples[i]!) / 32 + 16,
      `sample ${i}`,
    );
  }
});

Deno.test("`AsteriskSerializer` works the client direction too: the bot connects to Asterisk's /media/<connection id>", async () => {
  // Asterisk's side, as the page's "Incoming Connections" describes it: Dial(WebSocket/INCOMING/
  // c(ulaw)n) waits at /media/<MEDIA_WEBSOCKET_CONNECTION_ID> (subprotocol "media", from
  // chan_websocket's registration) and sends MEDIA_START once it accepts the connection.
  const commands: string[] = [];
  let connected: (() => void) | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const id = new URL(request.url).pathname.split("/")[2]!;
    const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "media" });
    socket.onopen = () => {
      socket.send(
        `MEDIA_START connection_id:${id} channel:WebSocket/INCOMING/0x1 channel_id:1761245643.7 format:ulaw optimal_frame_size:160 ptime:20`,
      );
      socket.send("DTMF_END digit:9");
    };
    socket.onmessage = (event) => {
      if (typeof event.data === "string") commands.push(event.data);
      if (event.data === "FLUSH_MEDIA") connected?.();
    };
    return response;
  });
  const flushed = new Promise<void>((resolve) => (connected = resolve));
  const url = `ws://127.0.0.1:${server.addr.port}/media/32966726-4388-456b-a333-fdf5dbecc60d`;
  const transport = new WebSocketTransport(new WebSocket(url, "media"), {
    serializer: new AsteriskSerializer(),
  });
  const reader = transport.readable.getReader();
  const start = (await reader.read()).value as { type: string; streamId?: string };
  assert.equal(start.type, "start");
  assert.equal(start.streamId, "32966726-4388-456b-a333-fdf5dbecc60d");
  assert.deepEqual((await reader.read()).value, { type: "dtmf", digit: "9" });
  reader.releaseLock();
  await transport.interrupt();
  await flushed;
  assert.deepEqual(commands, ["FLUSH_MEDIA"]);
  await transport.close();
  await server.shutdown();
});

Deno.test("`AsteriskSerializer` sends an utterance's last partial frame before the bot's mark, padded; the transport's own marks leave it for the next audio", () => {
  // Asterisk's WebSocket channel docs: STOP_MEDIA_BUFFERING pads what is left with silence, and
  // MEDIA_BUFFERING_COMPLETED comes once the bulk transfer's last frame has gone to the core.
  for (const marks of ["buffering", "mark-media"] as const) {
    const asterisk = new AsteriskSerializer({ marks });
    asterisk.setup(SETUP);
    asterisk.deserialize(mediaStart());
    const audio = (ms: number): AudioFrame => ({
      type: "audio",
      audio: new Uint8Array(ms * 16).fill(0x11), // 8 kHz PCM16 (the transport's rate here)
      sampleRate: 8000,
      channels: 1,
    });
    // 250 ms: twelve whole 20 ms frames and 10 ms held.
    const media = list(asterisk.serialize(audio(250))).filter((m) => typeof m !== "string");
    assert.equal(media.reduce((n, m) => n + (m as Uint8Array).length, 0), 1920);
    // A playout mark of the transport's: no padding mid-speech.
    const own = list(asterisk.serialize({ type: "mark", name: "__wst:1" }));
    assert.ok(own.every((m) => typeof m === "string"), `${marks}: only commands`);
    // The bot's mark at the utterance's end: the held 10 ms, padded to a frame, go first.
    const mine = list(asterisk.serialize({ type: "mark", name: "utt1-done" }));
    const tail = mine.find((m) => typeof m !== "string") as Uint8Array;
    assert.equal(tail?.length, 160, `${marks}: the partial frame, padded`);
    assert.ok(tail.subarray(0, 80).every((b) => b !== 0xff), "its first half is the speech");
    assert.ok(tail.subarray(80).every((b) => b === 0xff), "the rest μ-law silence");
    const last = mine.at(-1) as string;
    assert.match(last, marks === "buffering" ? /^STOP_MEDIA_BUFFERING / : /^MARK_MEDIA /);
    // The next utterance starts with its own audio, none of the last one's.
    const next = list(asterisk.serialize(audio(20))).filter((m) => typeof m !== "string");
    assert.equal((next[0] as Uint8Array).length, 160);
  }
});

Deno.test("`AsteriskSerializer` counts the partial frame a MEDIA_START in a new format leaves behind", () => {
  // A new frame size, and a new encoding in frames of the same size (A-law's 160 bytes, as
  // μ-law's): either way the μ-law bytes held cannot go in the new format.
  for (
    const channel of [{ format: "slin16", frameBytes: 640 }, { format: "alaw", frameBytes: 160 }]
  ) {
    const asterisk = new AsteriskSerializer(); // μ-law 8 kHz, 160-byte frames, until MEDIA_START
    const { context, counted } = recordingContext();
    asterisk.bind(context);
    asterisk.setup({ ...SETUP, outputSampleRate: 8000 });
    // 10 ms of the bot's 8 kHz audio: 80 μ-law bytes, half a frame, held for the rest.
    const pcm = new Uint8Array(160).fill(0x40);
    asterisk.serialize({ type: "audio", audio: pcm, sampleRate: 8000, channels: 1 });
    asterisk.deserialize(mediaStart(channel));
    assert.deepEqual(
      counted,
      { audioBytesRefused: 160 },
      `${channel.format}: the 80 μ-law bytes, as the PCM16 written`,
    );
    // The next audio starts a frame of its own in the new format, none of the old bytes in it.
    const next = list(
      asterisk.serialize({ type: "audio", audio: pcm, sampleRate: 8000, channels: 1 }),
    )
      .filter((m) => typeof m !== "string");
    assert.deepEqual(next, [], `${channel.format}: 10 ms is half a frame, held`);
  }
});

Deno.test("`AsteriskSerializer` hands on the caller's last samples the resampler held back when the socket closes", () => {
  // docs.asterisk.org, Channel Drivers → WebSocket: Asterisk streams the caller's media in BINARY
  // messages and sends no goodbye (HANGUP closes the websocket): the close ends the stream.
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP); // μ-law 8 kHz in, 16 kHz out
  asterisk.deserialize(mediaStart());
  const frames = [
    ...list(asterisk.deserialize(new Uint8Array(160).fill(0x55))),
    ...list(asterisk.finish()),
  ] as AudioFrame[];
  const samples = frames.reduce((sum, frame) => sum + frame.audio.length / 2, 0);
  assert.equal(samples, 320, "20 ms at 8 kHz is 20 ms at 16 kHz, every sample of it");
  assert.equal(asterisk.finish(), null, "nothing more held");
});

Deno.test("`AsteriskSerializer` carries the partial frame over a MEDIA_START that changes only the frame size", () => {
  // docs.asterisk.org, Channel Drivers → WebSocket: `optimal_frame_size` is "the amount of data
  // Asterisk needs to create a good 20ms frame" in the channel's format, and what fills no frame is
  // dropped: μ-law bytes held for 20 ms frames are still μ-law, and begin the first 30 ms frame.
  const asterisk = new AsteriskSerializer(); // μ-law 8 kHz, 160-byte frames, until MEDIA_START
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.setup({ ...SETUP, outputSampleRate: 8000 });
  const say = (ms: number, level: number) =>
    list(asterisk.serialize({
      type: "audio",
      audio: new Uint8Array(ms * 16).fill(level),
      sampleRate: 8000,
      channels: 1,
    })).filter((m): m is Uint8Array => typeof m !== "string");
  assert.deepEqual(say(10, 0x40), [], "10 ms is half a frame, held");
  asterisk.deserialize(mediaStart({ frameBytes: 240, ptime: 30 }));
  assert.deepEqual(calls.counted, {}, "nothing dropped");
  const [frame, ...rest] = say(20, 0x08);
  assert.deepEqual(rest, []);
  // The 10 ms held (samples 0x4040), then the 20 ms after them (0x0808): one 30 ms frame.
  const code = (sample: number) => mulawEncode(new Int16Array([sample]))[0];
  assert.deepEqual(
    frame,
    new Uint8Array(240).fill(code(0x4040)!, 0, 80).fill(code(0x0808)!, 80),
  );
});

Deno.test("`AsteriskSerializer` counts the partial frame a MEDIA_START at a new rate refuses, not the resampler's filter state", () => {
  // The bot speaks at 16 kHz to a μ-law 8 kHz channel: the filter down to 8 kHz holds back the
  // last 2 samples (TelephonyAudio), and its stream began with as many samples of silence. What
  // left is as long as what the bot wrote, less the partial frame: only that never left. The
  // rule of `FrameSerializer.audioEnds` and of an interruption: filter state dropped is not
  // queued audio lost.
  const asterisk = new AsteriskSerializer();
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.setup({ ...SETUP, outputSampleRate: 16000 });
  // 30 ms: one 160-byte frame leaves (its first 2 samples the filter's delay, as silence), 80
  // μ-law bytes are held, 2 samples wait in the filter.
  const sent = list(asterisk.serialize({
    type: "audio",
    audio: new Uint8Array(960).fill(0x40),
    sampleRate: 16000,
    channels: 1,
  })).filter((m): m is Uint8Array => typeof m !== "string");
  assert.deepEqual(sent.map((m) => m.length), [160]);
  asterisk.deserialize(mediaStart({ format: "slin16", frameBytes: 640 }));
  // The 80 μ-law bytes held, as the bot's 16 kHz PCM16: 80 × 2 × 2 bytes. With the 20 ms frame
  // that left (640 of the bot's bytes), every one of its 960 bytes is accounted for.
  assert.deepEqual(calls.counted, { audioBytesRefused: 320 });
});

Deno.test("`AsteriskSerializer` hands on the caller's last samples the resampler held back before a MEDIA_START at a new rate", () => {
  // docs.asterisk.org, Channel Drivers → WebSocket: MEDIA_START names the channel's format, and
  // the BINARY media after it is in that format. chan_websocket sends one per connection; a
  // second at a new rate would start the inbound resampler afresh, the old one's last samples
  // (the caller's) with it.
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP); // μ-law 8 kHz in, 16 kHz out
  asterisk.deserialize(mediaStart());
  const frames: Frame[] = [];
  for (let i = 0; i < 5; i++) {
    frames.push(...list(asterisk.deserialize(new Uint8Array(160).fill(0x55))));
  }
  const started = list(asterisk.deserialize(mediaStart({ format: "slin16", frameBytes: 640 })));
  assert.equal(started.at(-1)?.type, "start", "the start last, after the audio before it");
  frames.push(...started.slice(0, -1), ...list(asterisk.finish()));
  const samples = (frames as AudioFrame[]).reduce((sum, frame) => sum + frame.audio.length / 2, 0);
  assert.equal(samples, 1600, "100 ms at 8 kHz is 100 ms at 16 kHz, every sample of it");
});

Deno.test("`AsteriskSerializer` keeps the last 64 marks Asterisk never answers, forgetting the oldest, counted", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP);
  // docs.asterisk.org, Channel Drivers → WebSocket, "Control Messages": each
  // STOP_MEDIA_BUFFERING is answered by MEDIA_BUFFERING_COMPLETED once its media has gone out.
  // This far end never answers: a bot's mark given up never comes back, so it must be counted.
  const calls = recordingContext();
  asterisk.bind(calls.context);
  const n = 5000;
  for (let i = 0; i < n; i++) {
    asterisk.serialize({ type: "mark", name: `m${i}` });
    // The transport's own marks given up are its tracker's business: not counted here.
    asterisk.serialize({ type: "mark", name: `${PLAYOUT_MARK_PREFIX}${i}` });
  }
  // Every bot's mark given up is counted (it never comes back), the first reported, once.
  assert.equal(calls.counted.encodeErrors, n - 32);
  assert.deepEqual(calls.reported.map((e) => [e.code, /"m0".*encodeErrors/.test(e.message)]), [
    ["protocol", true],
  ]);
  // Forgotten: its late answer is one we are not waiting for, as any other correlation id.
  for (const id of ["m0", `m${n - 33}`]) {
    assert.deepEqual(asterisk.deserialize(`MEDIA_BUFFERING_COMPLETED ${id}`), {
      type: "message",
      message: { correlation_id: id, event: "MEDIA_BUFFERING_COMPLETED" },
    });
  }
  for (const id of [`m${n - 32}`, `m${n - 1}`]) {
    assert.deepEqual(asterisk.deserialize(`MEDIA_BUFFERING_COMPLETED ${id}`), {
      type: "mark",
      name: id,
    });
  }
});

Deno.test("`AsteriskSerializer` takes an answer already on its way when a flush left as its mark, once", () => {
  // docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Control Messages":
  // MEDIA_BUFFERING_COMPLETED / MEDIA_MARK_PROCESSED come once the media before them has gone to
  // the core; FLUSH_MEDIA discards only what is "queued but not sent". chan_websocket.c writes an
  // answer as it reaches the head of its queue (`dequeue_frame`): one written just before our
  // FLUSH_MEDIA arrived reaches us after we sent it, for a mark that played.
  const starts = { "plain-text": mediaStart(), json: mediaStart({ json: true }) };
  for (const [control, start] of Object.entries(starts)) {
    const answer = (id: string) =>
      control === "json"
        ? `{"event":"MEDIA_MARK_PROCESSED","channel_id":"1.1","correlation_id":"${id}"}`
        : `MEDIA_BUFFERING_COMPLETED ${id}`;
    const asterisk = new AsteriskSerializer();
    asterisk.setup(SETUP);
    asterisk.deserialize(start);
    asterisk.serialize({ type: "mark", name: "played" });
    asterisk.serialize({ type: "mark", name: "discarded" });
    asterisk.serialize({ type: "interruption" }); // FLUSH_MEDIA, then the mark #f1 confirming it
    assert.deepEqual(
      asterisk.deserialize(answer("played")),
      { type: "mark", name: "played" },
      `${control}: the answer in flight is the bot's mark, not an event nobody asked for`,
    );
    assert.deepEqual(
      asterisk.deserialize(answer("#f1")),
      [{ type: "mark", name: "discarded" }],
      `${control}: the flush gives back the mark it discarded, not the played one again`,
    );
  }
});

Deno.test("`AsteriskSerializer` keeps the last 16 flushes Asterisk never confirms, forgetting the oldest, counted", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP);
  const calls = recordingContext();
  asterisk.bind(calls.context);
  const n = 5000;
  for (let i = 0; i < n; i++) {
    asterisk.serialize({ type: "mark", name: `m${i}` });
    asterisk.serialize({ type: "mark", name: `${PLAYOUT_MARK_PREFIX}${i}` });
    // Each flush goes with its confirming mark, #f1, #f2, …
    assert.deepEqual(asterisk.serialize({ type: "interruption" }), [
      "FLUSH_MEDIA",
      "START_MEDIA_BUFFERING",
      `STOP_MEDIA_BUFFERING #f${i + 1}`,
    ]);
  }
  // The bot's mark in each forgotten flush never comes back: counted, the first reported, once.
  assert.equal(calls.counted.encodeErrors, n - 16);
  assert.deepEqual(calls.reported.map((e) => [e.code, /FLUSH_MEDIA.*"m0"/.test(e.message)]), [
    ["protocol", true],
  ]);
  // A forgotten flush's confirmation: its marks forgotten, and its id (ours) nothing for the bot.
  for (const flush of [1, n - 16]) {
    assert.deepEqual(asterisk.deserialize(`MEDIA_BUFFERING_COMPLETED #f${flush}`), []);
  }
  for (const flush of [n - 15, n]) {
    assert.deepEqual(asterisk.deserialize(`MEDIA_BUFFERING_COMPLETED #f${flush}`), [
      { type: "mark", name: `m${flush - 1}` },
      { type: "mark", name: `${PLAYOUT_MARK_PREFIX}${flush - 1}` },
    ]);
  }
});

Deno.test("`AsteriskSerializer`: a late answer to a forgotten mark of the transport stays a mark it hides; to one renamed, nothing", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP);
  asterisk.serialize({ type: "mark", name: "a bot's mark with spaces" }); // travels as #m1
  for (let i = 0; i < 48; i++) {
    asterisk.serialize({ type: "mark", name: `${PLAYOUT_MARK_PREFIX}${i}` });
  }
  for (let i = 0; i < 20; i++) asterisk.serialize({ type: "mark", name: `bot${i}` });
  assert.deepEqual(asterisk.deserialize(`MEDIA_BUFFERING_COMPLETED ${PLAYOUT_MARK_PREFIX}0`), {
    type: "mark",
    name: `${PLAYOUT_MARK_PREFIX}0`,
  });
  assert.deepEqual(asterisk.deserialize("MEDIA_BUFFERING_COMPLETED #m1"), []);
  // An id we never sent is still an event we did not ask for.
  assert.deepEqual(asterisk.deserialize("MEDIA_BUFFERING_COMPLETED other"), {
    type: "message",
    message: { correlation_id: "other", event: "MEDIA_BUFFERING_COMPLETED" },
  });
});

Deno.test("`AsteriskSerializer` on a passthrough channel counts a bot's mark once, as its refused command, not again as given up", () => {
  // docs.asterisk.org, Channel Drivers → WebSocket: a channel dialled with the "p" (passthrough)
  // option takes no media buffering or mark commands (chan_websocket.c `handle_command` answers
  // each with ERROR "… not supported in passthrough mode"), so no mark is ever answered. Each
  // refusal after the first (reported) is counted already: the same mark given up past the
  // 64 kept is not counted, nor reported, a second time.
  const asterisk = new AsteriskSerializer({ marks: "mark-media" });
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.setup(SETUP);
  const n = 100;
  for (let i = 0; i < n; i++) {
    asterisk.serialize({ type: "mark", name: `m${i}` });
    asterisk.deserialize(
      "ERROR channel_id:1.1 error_text:MARK_MEDIA not supported in passthrough mode",
    );
  }
  assert.equal(calls.counted.encodeErrors, n - 1, "each refusal but the first, reported");
  assert.deepEqual(calls.reported.map((e) => /passthrough/.test(e.message)), [true]);
});
