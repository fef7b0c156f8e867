/**
 * Loads every entry point of the module under Node and exercises the parts that lean on newer
 * globals (base64, streams, crypto, events), printing `ok <n>` or throwing. Bundled and run by
 * `../node_test.ts`, so the module is checked as the JavaScript npm users get.
 *
 * @module
 */

// Node 20 as served by JSR's npm layer: no Deno globals, no `Array.fromAsync`, no
// `Uint8Array.prototype.toBase64`, no `CloseEvent`/`ErrorEvent`, no global `WebSocket`.
import assert from "node:assert/strict";
import * as core from "../../../mod.ts";
import * as audio from "../../../src/audio/mod.ts";
import * as testing from "../../../src/testing/mod.ts";
import * as twilio from "../../../src/serializers/twilio.ts";
import * as telnyx from "../../../src/serializers/telnyx.ts";
import * as plivo from "../../../src/serializers/plivo.ts";
import * as exotel from "../../../src/serializers/exotel.ts";
import * as vonage from "../../../src/serializers/vonage.ts";
import * as genesys from "../../../src/serializers/genesys.ts";
import * as protobuf from "../../../src/serializers/protobuf.ts";
import * as node from "../../../src/adapters/node.ts";
import * as hono from "../../../src/adapters/hono.ts";
import * as bun from "../../../src/adapters/bun.ts";
import { AudioChunkerStream } from "../../../src/streams/audio_chunker_stream.ts";
import { PacketizerStream } from "../../../src/streams/packetizer_stream.ts";
import { WavEncoderStream } from "../../../src/streams/wav_encoder_stream.ts";
import { followShutdown } from "../../../src/adapters/_shutdown.ts";

let checks = 0;
const check = async (name: string, run: () => unknown) => {
  try {
    await run();
    checks++;
  } catch (error) {
    console.error(`FAILED ${name}: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  }
};
declare const process: { exitCode: number };

for (const m of [core, audio, testing, twilio, telnyx, plivo, exotel, vonage, genesys, protobuf]) {
  assert.ok(Object.keys(m).length > 0);
}
assert.equal(typeof node.upgradeHandler, "function");
assert.equal(typeof hono.transport, "function");
assert.equal(typeof bun.upgrade, "function");

const pcm = new Uint8Array(640).map((_, i) => i);
const frame = { type: "audio", audio: pcm, sampleRate: 16000, channels: 1 } as const;

await check("JsonSerializer base64 round trip", () => {
  const json = new core.JsonSerializer();
  const back = json.deserialize(json.serialize(frame));
  assert.deepEqual(back, frame);
});
await check("TwilioSerializer audio out", () => {
  const t = new twilio.TwilioSerializer();
  t.setup({ inputSampleRate: 8000, inputChannels: 1, outputSampleRate: 8000, outputChannels: 1 });
  t.deserialize(
    JSON.stringify({
      event: "start",
      streamSid: "MZ1",
      start: { streamSid: "MZ1", callSid: "CA1" },
    }),
  );
  const out = t.serialize({ ...frame, sampleRate: 8000 });
  assert.match(String(out), /"media"/);
});
await check("verifyTwilioSignature (WebCrypto)", async () => {
  assert.equal(
    await twilio.verifyTwilioSignature(new Request("https://example.com/m"), "tok"),
    false,
  );
});
await check("ProtobufSerializer round trip", () => {
  const p = new protobuf.ProtobufSerializer();
  const bytes = p.serialize(frame) as Uint8Array;
  assert.ok(bytes instanceof Uint8Array && bytes.length > 640);
});
await check("stream wrappers", async () => {
  const out = [];
  const stream = ReadableStream.from([frame]).pipeThrough(new AudioChunkerStream({ chunkMs: 10 }))
    .pipeThrough(new WavEncoderStream()).pipeThrough(new PacketizerStream({ packetSize: 100 }));
  for await (const f of stream) out.push(f);
  assert.ok(out.length > 2);
});
await check("G.711", () => {
  const samples = new Int16Array([0, 1000, -1000, 32767]);
  assert.equal(audio.mulawDecode(audio.mulawEncode(samples)).length, 4);
  assert.equal(audio.alawDecode(audio.alawEncode(samples)).length, 4);
});
await check("transport over an in-memory socket, with events", async () => {
  const { server, client } = new testing.MemorySocketPair();
  const transport = new core.WebSocketTransport(server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
  });
  const errors: unknown[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const echoed = transport.readable.pipeTo(transport.writable);
  const got: number[] = [];
  client.addEventListener(
    "message",
    (e) => got.push(((e as MessageEvent).data as ArrayBuffer).byteLength),
  );
  client.send(new Uint8Array(3)); // a decode error: TransportErrorEvent must construct here
  client.send(pcm);
  await client.waitFor(() => got.length === 1);
  client.close(1000);
  await echoed;
  assert.equal((await transport.closed).initiator, "remote");
  assert.equal(errors.length, 1);
});
await check(
  "a writer's ready while a write waits for room (no Promise.withResolvers on Node 20)",
  async () => {
    const { server, client } = new testing.MemorySocketPair();
    const clock = new testing.FakeClock();
    const transport = new core.WebSocketTransport(server, {
      clock,
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      maxQueuedMs: 100,
    });
    await clock.tick(0);
    const writer = transport.writable.getWriter();
    let writes = 0;
    while (writer.desiredSize! > 0 && writes < 100) {
      void writer.write({ ...frame, audio: new Uint8Array(6400) }); // 200 ms: past maxQueuedMs
      writes++;
    }
    assert.ok(writes < 100, "a write waits for room");
    let ready = false;
    const waited = writer.ready.then(() => void (ready = true));
    for (let i = 0; i < 50 && !ready; i++) await clock.tick(20);
    await waited;
    client.close(1000);
    await clock.runAll();
    await transport.closed;
  },
);
await check(
  "sessionsEnded waits for a live session (no Promise.withResolvers on Node 20)",
  async () => {
    const { server, client } = new testing.MemorySocketPair();
    const shutdown = new AbortController();
    const transport = new core.WebSocketTransport(server);
    followShutdown(transport, { shutdownSignal: shutdown.signal });
    let ended = false;
    const all = node.sessionsEnded(shutdown.signal).then(() => void (ended = true));
    await Promise.resolve();
    assert.equal(ended, false, "the session is live");
    client.close(1000);
    await transport.closed;
    await all;
  },
);
console.log(`ok ${checks}`);
