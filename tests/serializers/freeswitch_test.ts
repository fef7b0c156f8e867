import assert from "node:assert/strict";
import fc from "fast-check";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import type { AudioFrame } from "../../src/frames.ts";
import {
  assertRateWarning,
  documentedOnly,
  freeswitchCall,
  playFork,
} from "./fixtures/audio_fork_calls.ts";
import { fuzzDeserializer } from "./fixtures/telephony_harness.ts";
import { binaryToneRoundTrip } from "./fixtures/binary_tone.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
};

Deno.test("`FreeSwitchSerializer` plays the documented mod_audio_fork session message by message both ways", async () => {
  const fs = new FreeSwitchSerializer();
  fs.setup(SETUP);
  const documented = documentedOnly(fs);
  await playFork(documented.serializer, freeswitchCall, 16000);
  // The bot's own marks get no silence (a mark may fall mid-speech). What the module's pre-buffer
  // holds below its first threshold (1280 samples) is made up with silence before killAudio,
  // which leaves the pre-buffer alone (959 samples here: two 160-sample chunks and the mark's
  // marker held); nothing is held at the hang-up.
  assert.deepEqual(documented.extra, [{ after: "interruption", bytes: 959 * 2 }]);
});

Deno.test("`FreeSwitchSerializer` takes any metadata text as the start, and names the call when it can", () => {
  const plain = new FreeSwitchSerializer();
  assert.deepEqual(plain.deserialize("agent=42 queue=sales"), {
    type: "start",
    params: { metadata: "agent=42 queue=sales" },
  });
  const nested = new FreeSwitchSerializer();
  assert.deepEqual(
    nested.deserialize('{"uuid":"u-1","vars":{"lang":"en"},"n":3,"gone":null}'),
    { type: "start", callId: "u-1", params: { uuid: "u-1", vars: '{"lang":"en"}', n: "3" } },
  );
  // Only the first text frame is the metadata: a later one is a message.
  assert.deepEqual(nested.deserialize('{"uuid":"u-2"}'), {
    type: "message",
    message: { uuid: "u-2" },
  });
});

Deno.test("`FreeSwitchSerializer` without metadata (it is optional) takes the module's first mark echo as that mark", () => {
  // mod_audio_fork's lws_glue.cpp sends the metadata only when it is not empty, and echoes a
  // mark as {"type": "mark", "data": {"name":"…", "event": "playout"}} (send_mark_event).
  const echo = '{"type": "mark", "data": {"name":"m1", "event": "playout"}}';
  const markFirst = new FreeSwitchSerializer();
  markFirst.setup(SETUP);
  markFirst.serialize({ type: "mark", name: "m1" });
  assert.deepEqual(markFirst.deserialize(echo), { type: "mark", name: "m1" });
  // Audio first: no metadata is coming, so a later text is never taken for it.
  const audioFirst = new FreeSwitchSerializer();
  audioFirst.setup(SETUP);
  audioFirst.deserialize(new Uint8Array(640));
  assert.deepEqual(audioFirst.deserialize("hello"), { type: "message", message: "hello" });
  // With metadata, it is still the start.
  const withMetadata = new FreeSwitchSerializer();
  assert.equal((withMetadata.deserialize('{"uuid":"u-1"}') as { type: string }).type, "start");
});

Deno.test("`FreeSwitchSerializer` keeps a 1 kHz tone's frequency and level, 8 and 16 kHz forks", async () => {
  for (const rate of [8000, 16000]) {
    const fs = new FreeSwitchSerializer({ sampleRate: rate });
    fs.setup(SETUP);
    fs.deserialize("{}");
    await binaryToneRoundTrip(fs);
  }
});

Deno.test("`FreeSwitchSerializer` streams back at bidirectionalAudio_stream_samplerate", () => {
  const fs = new FreeSwitchSerializer({ sampleRate: 8000, streamSampleRate: 16000 });
  fs.setup(SETUP);
  const out = fs.serialize({
    type: "audio",
    audio: new Uint8Array(640),
    sampleRate: 16000,
    channels: 1,
  });
  assert.equal((out as Uint8Array).length, 640);
  // 20 ms at 8 kHz in → 20 ms at 16 kHz, less the few samples the resampler's filter holds.
  const inbound = fs.deserialize(new Uint8Array(320)) as AudioFrame;
  assert.equal(inbound.sampleRate, 16000);
  assert.ok(inbound.audio.length <= 640 && inbound.audio.length >= 540, `${inbound.audio.length}`);
});

Deno.test("`FreeSwitchSerializer` refuses options the module cannot give it", () => {
  for (
    const options of [
      { sampleRate: 11025 },
      { sampleRate: 22050 },
      { streamSampleRate: 64000 },
      { mixType: "stereo" as "mono" },
    ]
  ) {
    assert.throws(() => new FreeSwitchSerializer(options), RangeError, JSON.stringify(options));
  }
});

Deno.test("`FreeSwitchSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const fs = new FreeSwitchSerializer();
  fs.setup(SETUP);
  fs.deserialize("{}");
  const { frames, errors } = await fuzzDeserializer(fs, {
    events: ["dtmf", "x"],
    fields: {
      dtmf: fc.constantFrom("2", "#", "z", 9, "12"),
      type: fc.constantFrom("mark", "json"),
      data: fc.oneof(
        fc.record({
          name: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()),
          event: fc.constantFrom("playout", "cleared", "other"),
        }, { requiredKeys: [] }),
        fc.string(),
      ),
    },
  });
  assert.ok(frames > 1000 && errors > 100, `${frames} frames, ${errors} errors`);
});

Deno.test("`FreeSwitchSerializer` reports once, at the first message, a return rate that is not the fork's: the module's resampling erases its marks", () => {
  // jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp (30f21899): fork_data_init makes a
  // resampler for the returned audio whenever bidirectional_audio_sample_rate is not the
  // channel's codec rate (:521-523), and processIncomingBinary runs the whole pre-buffer through
  // it, the mark samples (0xFFFF) it put there included (:98-101, :135-150); dub_speech_frame
  // looks for them after (:994). With the fork at the codec's rate, a return rate that differs
  // leaves no mark to find.
  const { context, reported } = recordingContext();
  const fs = new FreeSwitchSerializer({ sampleRate: 8000, streamSampleRate: 16000 });
  fs.bind(context);
  fs.setup(SETUP);
  assert.equal(reported.length, 0, "nothing before the fork speaks");
  fs.deserialize('{"callid":"c1"}');
  fs.deserialize(new Uint8Array(320));
  fs.deserialize('{"type":"json"}');
  assertRateWarning(reported);
  // Audio first (no metadata): reported all the same.
  const audioFirst = new FreeSwitchSerializer({ sampleRate: 16000, streamSampleRate: 8000 });
  const later = recordingContext();
  audioFirst.bind(later.context);
  audioFirst.setup(SETUP);
  audioFirst.deserialize(new Uint8Array(640));
  assert.equal(later.reported.length, 1);
  // Equal rates: nothing to say.
  for (
    const options of [{}, { sampleRate: 16000 }, { sampleRate: 16000, streamSampleRate: 16000 }]
  ) {
    const quiet = recordingContext();
    const same = new FreeSwitchSerializer(options);
    same.bind(quiet.context);
    same.setup(SETUP);
    same.deserialize("{}");
    same.deserialize(new Uint8Array(320));
    assert.deepEqual(quiet.reported, [], JSON.stringify(options));
  }
});
