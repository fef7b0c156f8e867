// TwilioSerializer on the platforms that speak Twilio's Media Streams protocol: SignalWire's
// `<Stream>` (wideband linear PCM, its own REST API) and Fonoster's `twilio` streams.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { RAMP_20MS, signalWireCall, signalWireIds } from "./fixtures/signalwire_call.ts";
import { fakeFetch, playScript, toneRoundTrip } from "./fixtures/telephony_harness.ts";

const startAt = (encoding: string, sampleRate: number) =>
  JSON.stringify({
    event: "start",
    sequenceNumber: "1",
    start: {
      streamSid: signalWireIds.stream,
      accountSid: signalWireIds.project,
      callSid: signalWireIds.call,
      tracks: ["inbound"],
      mediaFormat: { encoding, sampleRate, channels: 1 },
    },
  });

Deno.test("`TwilioSerializer` plays SignalWire's documented L16@24000h stream message by message", async () => {
  const signalWire = new TwilioSerializer();
  signalWire.setup({
    inputSampleRate: 24000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  await playScript(signalWire, signalWireCall);
});

Deno.test("`TwilioSerializer` keeps a 1 kHz tone's frequency and level over SignalWire's L16@16000h", async () => {
  const signalWire = new TwilioSerializer();
  signalWire.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  signalWire.deserialize(startAt("audio/x-L16", 16000));
  await toneRoundTrip(signalWire, (sent) => {
    const payload = (sent.media as { payload: string }).payload;
    // 20 ms at 16 kHz is 320 samples: the wire carries 16 kHz, not the bot's 24 kHz.
    assert.ok(atob(payload).length <= 640, `${atob(payload).length} bytes`);
    return JSON.stringify({ event: "media", media: { track: "inbound", payload } });
  }, { outRate: 24000, inRate: 16000 });
});

Deno.test("`TwilioSerializer` reads big-endian L16 when told, and wideband from its options before `start`", () => {
  const big = new TwilioSerializer({ l16ByteOrder: "big" });
  big.setup({
    inputSampleRate: 24000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  big.deserialize(startAt("audio/x-L16", 24000));
  const swapped = new Uint8Array(RAMP_20MS.length);
  for (let i = 0; i < swapped.length; i += 2) {
    swapped[i] = RAMP_20MS[i + 1]!;
    swapped[i + 1] = RAMP_20MS[i]!;
  }
  const payload = btoa(String.fromCharCode(...swapped));
  const frames = big.deserialize(JSON.stringify({ event: "media", media: { payload } }));
  const [frame] = Array.isArray(frames) ? frames : [frames];
  assert.deepEqual(frame?.type === "audio" && frame.audio, RAMP_20MS);

  // A start consumed elsewhere: the options give the wire format.
  const known = new TwilioSerializer({
    streamSid: "s1",
    encoding: "pcm16le",
    sampleRate: 24000,
  });
  known.setup({
    inputSampleRate: 24000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  const out = known.serialize({ type: "audio", audio: RAMP_20MS, sampleRate: 24000, channels: 1 });
  assert.equal(JSON.parse(out as string).media.payload, btoa(String.fromCharCode(...RAMP_20MS)));
  assert.throws(
    () => known.deserialize(startAt("audio/x-opus", 48000)),
    /unsupported start.mediaFormat.encoding "audio\/x-opus"/,
  );
  // Nor does either stream G.722 (Twilio's media is μ-law; SignalWire's `<Stream>` codecs are
  // PCMU, PCMA and L16): a start naming it is refused as any other, not decoded as if it did.
  for (const name of ["audio/g722", "G722"]) {
    assert.throws(
      () => known.deserialize(startAt(name, 8000)),
      new RegExp(`unsupported start.mediaFormat.encoding "${name.replace("/", "\\/")}"`),
    );
  }
  assert.throws(
    () => new TwilioSerializer({ encoding: "g722" }),
    (e) => e instanceof RangeError && /for Twilio, got g722/.test(e.message),
  );
});

Deno.test("`TwilioSerializer` refuses an `l16ByteOrder` that is neither little nor big", () => {
  // A misspelt byte order would read every L16 sample byte-swapped, as loud noise.
  for (const order of ["Little", "le", "BIG", ""]) {
    assert.throws(
      () => new TwilioSerializer({ l16ByteOrder: order as "little" }),
      (e) => e instanceof RangeError && e.message.includes(JSON.stringify(order)),
      order,
    );
  }
  for (const order of ["little", "big"] as const) {
    new TwilioSerializer({ l16ByteOrder: order });
  }
});

Deno.test("`TwilioSerializer` keeps the ids of a start in a format it cannot decode, and refuses the media after it", async () => {
  // SignalWire's `<Stream>` reference (WebSocket connection, Start message): `mediaFormat.encoding`
  // "varies by codec: audio/x-mulaw, audio/x-L16, etc."; one we do not decode is a decode error,
  // but the stream can still be addressed and the call hung up.
  const fake = fakeFetch(() => new Response("{}", { status: 200 }));
  const signalWire = new TwilioSerializer({ authToken: "PTtoken", fetch: fake.fetch });
  signalWire.setup({
    inputSampleRate: 24000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  assert.throws(() => signalWire.deserialize(startAt("audio/x-opus", 48000)), { code: "decode" });
  assert.equal(signalWire.streamSid, signalWireIds.stream);
  assert.equal(signalWire.callSid, signalWireIds.call);
  assert.equal(
    signalWire.serialize({ type: "interruption" }),
    `{"event":"clear","streamSid":"${signalWireIds.stream}"}`,
  );
  const media = JSON.stringify({
    event: "media",
    media: { track: "inbound", payload: btoa(String.fromCharCode(...RAMP_20MS)) },
  });
  assert.throws(() => signalWire.deserialize(media), { code: "decode", message: /audio\/x-opus/ });
  await signalWire.serialize({ type: "end" });
  assert.equal(fake.calls.length, 1);
  assert.match(fake.calls[0]!.url, new RegExp(`/Calls/${signalWireIds.call}\\.json$`));
  // A start in a format we decode lets the media through again.
  signalWire.deserialize(startAt("audio/x-L16", 24000));
  const frames = signalWire.deserialize(media);
  const [frame] = Array.isArray(frames) ? frames : [frames];
  assert.deepEqual(frame?.type === "audio" && frame.audio, RAMP_20MS);
});

Deno.test("`TwilioSerializer` hangs up through SignalWire's Twilio-compatible REST API", async () => {
  // SignalWire "Update a Call": POST {space}/api/laml/2010-04-01/Accounts/{ProjectID}/Calls/
  // {Sid}.json with Status=completed, Basic auth with the project id and API token.
  const fake = fakeFetch(() => new Response("{}", { status: 200 }));
  const signalWire = new TwilioSerializer({
    authToken: "PTtoken",
    apiBaseUrl: "https://example.signalwire.com/api/laml/",
    fetch: fake.fetch,
  });
  signalWire.deserialize(startAt("audio/x-mulaw", 8000));
  await signalWire.serialize({ type: "end" });
  assert.equal(fake.calls.length, 1);
  const { url, init } = fake.calls[0]!;
  assert.equal(
    url,
    `https://example.signalwire.com/api/laml/2010-04-01/Accounts/${signalWireIds.project}/Calls/${signalWireIds.call}.json`,
  );
  assert.equal(init.body, "Status=completed");
  assert.equal(
    new Headers(init.headers).get("authorization"),
    `Basic ${btoa(`${signalWireIds.project}:PTtoken`)}`,
  );
  assert.throws(() => new TwilioSerializer({ apiBaseUrl: "http://example.com" }), RangeError);
  assert.throws(() => new TwilioSerializer({ apiBaseUrl: "nonsense" }), RangeError);
  assert.throws(
    () => new TwilioSerializer({ apiBaseUrl: "https://example.com", region: "ie1" }),
    /apiBaseUrl replaces region and edge/,
  );
});

Deno.test("`TwilioSerializer` takes Fonoster's `twilio` stream as it is", () => {
  // Fonoster "Twilio compatibility": μ-law 8 kHz both ways, marks echoed when played or cleared,
  // `dtmf.track` "inbound_track"; it reads no `streamSid` from the bot and hangs up when the
  // socket closes (no REST call: no authToken is given).
  const fonoster = new TwilioSerializer();
  const start = fonoster.deserialize(JSON.stringify({
    event: "start",
    sequenceNumber: "1",
    streamSid: "st-1",
    start: {
      streamSid: "st-1",
      accountSid: "ws-1",
      callSid: "call-1",
      tracks: ["inbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      customParameters: {},
    },
  }));
  assert.deepEqual(start, { type: "start", streamId: "st-1", callId: "call-1", params: {} });
  assert.deepEqual(
    fonoster.deserialize(
      '{"event":"dtmf","sequenceNumber":"2","streamSid":"st-1","dtmf":{"track":"inbound_track","digit":"5"}}',
    ),
    { type: "dtmf", digit: "5" },
  );
  assert.equal(fonoster.serialize({ type: "end" }), null);
});
