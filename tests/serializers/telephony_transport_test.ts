// The telephony serializers inside a real WebSocketTransport: fuzzed garbage is reported as
// decode errors and the session stays up.
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Frame, TransportError, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../src/serializer.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";

const cases: [string, () => FrameSerializer, string][] = [
  ["Twilio", () => new TwilioSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
  ["Telnyx", () => new TelnyxSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
  ["Plivo", () => new PlivoSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
  ["Exotel", () => new ExotelSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
];

for (const [name, make, dtmf] of cases) {
  Deno.test(`\`${name}Serializer\` garbage leaves a WebSocketTransport session up`, async () => {
    const { server, client } = new MemorySocketPair();
    // Exotel's messages are 200 ms: at the default chunkMs its serializer would say so at set-up.
    const audioOut = name === "Exotel" ? { sampleRate: 8000, chunkMs: 200 } : {};
    const transport = new WebSocketTransport(server, { serializer: make(), audioOut });
    const errors: unknown[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    const garbage = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.constantFrom('{"event":"media","media":{"payload":5}}', '{"event":"start"}', "[1]"),
      ),
      { numRuns: 300, seed: 7 },
    );
    for (const message of garbage) client.send(message);
    client.send(dtmf);
    const reader = transport.readable.getReader();
    let frame: Frame | undefined;
    while (true) {
      const { value, done } = await reader.read();
      assert.equal(done, false, "the session ended");
      if (value?.type === "dtmf") {
        frame = value;
        break;
      }
    }
    reader.releaseLock();
    assert.deepEqual(frame, { type: "dtmf", digit: "7" });
    assert.ok(errors.length > 100, `${errors.length} errors`);
    for (const error of errors) {
      assert.ok(error instanceof TransportError && error.code === "decode", String(error));
    }
    await transport.close();
  });
}

const MULAW_SILENCE = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

/** Telnyx media as its docs show it (string numbers), 20 ms of μ-law silence. */
function telnyxMedia(sequenceNumber: string, chunk: string): string {
  return JSON.stringify({
    event: "media",
    sequence_number: sequenceNumber,
    media: {
      track: "inbound",
      chunk,
      timestamp: String((Number(chunk) - 1) * 20),
      payload: MULAW_SILENCE,
    },
  });
}

Deno.test("`TelnyxSerializer` one absurd number mutes nothing: every valid packet comes through, the bad one counted", async () => {
  for (const bogus of ["sequence_number", "chunk"] as const) {
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, {
      serializer: new TelnyxSerializer(),
      audioIn: { sampleRate: 8000 },
    });
    const frames: Frame[] = [];
    transport.receive((frame) => frames.push(frame));
    client.send(telnyxMedia("2", "1"));
    client.send(
      bogus === "sequence_number"
        ? telnyxMedia("9007199254740993", "2")
        : telnyxMedia("3", "9007199254740993"),
    );
    for (let i = 0; i < 100; i++) {
      client.send(telnyxMedia(String(i + 4), String(i + (bogus === "chunk" ? 2 : 3))));
    }
    client.send('{"event":"stop"}');
    await server.waitFor(() => frames.some((f) => f.type === "end"));
    const audio = frames.filter((f) => f.type === "audio");
    const stats = transport.stats;
    if (bogus === "sequence_number") {
      // Media is ordered by chunk: the message counter's value does not matter.
      assert.equal(audio.length, 102, "all 102 media messages");
    } else {
      assert.equal(audio.length, 101, "the 101 valid media messages");
      assert.equal(stats.decodeErrors, 1, "the absurd chunk is a decode error, reported");
    }
    assert.equal(stats.inboundMediaLate + stats.inboundMediaDuplicates, 0);
    await transport.close();
  }
});

/**
 * Each case's serializer given the stream id, where it has one to give: its far end then takes
 * messages from the open, with no start message awaited (`awaitsStart`), urgent ones at once.
 */
const knowingTheStream: Record<string, () => FrameSerializer> = {
  Twilio: () => new TwilioSerializer({ streamSid: "MZ1" }),
  Telnyx: () => new TelnyxSerializer(),
  Plivo: () => new PlivoSerializer({ streamId: "ST1" }),
  Exotel: () => new ExotelSerializer({ streamSid: "ES1" }),
};

for (const [name, make] of cases) {
  Deno.test(`\`${name}Serializer\` reports a message JSON cannot write (undefined, a function) and goes on`, async () => {
    const { server } = new MemorySocketPair();
    const audioOut = name === "Exotel" ? { sampleRate: 8000, chunkMs: 200 } : {};
    const serializer = knowingTheStream[name]!();
    assert.equal(serializer.awaitsStart ?? false, false);
    const transport = new WebSocketTransport(server, { serializer, audioOut });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    // Urgent: serialized at once, the far end taking messages from the open (with a start
    // message awaited, urgent ones wait for it too: see tests/urgent_held_until_sending_test.ts).
    transport.send({ type: "message", message: undefined, urgent: true });
    transport.send({ type: "message", message: () => 1, urgent: true });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["encode", false], ["encode", false]]);
    assert.equal(transport.stats.encodeErrors, 2);
    assert.throws(
      () => make().serialize({ type: "message", message: undefined }),
      (e) => e instanceof TransportError && e.code === "encode",
    );
    let ended = false;
    void transport.closed.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(ended, false, "the session goes on");
    await transport.close();
  });
}

/** Twilio media: chunk `chunk` of the stream, 20 ms of μ-law silence. */
function twilioMedia(chunk: number): string {
  return JSON.stringify({
    event: "media",
    media: { track: "inbound", chunk: String(chunk), payload: MULAW_SILENCE },
  });
}

function twilioStart(streamSid: string): string {
  return JSON.stringify({
    event: "start",
    start: {
      streamSid,
      callSid: "CA1",
      tracks: ["inbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    },
    streamSid,
  });
}

Deno.test("`TwilioSerializer` a second start while a hole is open: the held media comes out first, its gap filled as counted", async () => {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 8000 },
  });
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  client.send(twilioStart("MZ1"));
  client.send(twilioMedia(1));
  client.send(twilioMedia(3)); // held: chunk 2 is missing
  client.send(twilioStart("MZ2"));
  client.send(twilioMedia(1));
  client.send('{"event":"stop"}');
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  assert.deepEqual(
    frames.map((f) => f.type === "start" ? `start ${f.streamId}` : f.type),
    ["start MZ1", "audio", "audio", "audio", "start MZ2", "audio", "end"],
  );
  const audioMs = frames.reduce(
    (sum, f) => sum + (f.type === "audio" ? f.audio.length / 16 : 0),
    0,
  );
  const stats = transport.stats;
  assert.equal(audioMs, 80, "chunks 1 and 3, the 20 ms gap between, the new stream's chunk 1");
  assert.equal(stats.inboundMediaGapsFilled, 1);
  assert.equal(stats.inboundMediaGapMs, 20, "the silence counted is the silence delivered");
  assert.equal(stats.inboundMediaLate + stats.inboundMediaDuplicates, 0);
  await transport.close();
});
