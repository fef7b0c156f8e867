// Genesys counts the server's binary messages, whatever their size: 5 a second on average, 25 at
// once (developer.genesys.cloud's limits page, AudioHook section, `global.inbound.binary.*`), and
// answers more with error 429 and the end of the session (the client `error` message's codes:
// purecloudlabs/audiohook-reference-implementation, protocol/message.ts, `ErrorCode`; its
// `retryAfter` is "used by client rate limiter (429)" in GenesysCloudBlueprints/
// audioconnector-server-reference-implementation, src/protocol/message.ts). The transport's
// defaults send a binary message each 40 ms chunk: 25 a second, the burst spent in the bot's
// first second of speech. Exotel and Telnyx report a chunkMs their far end cannot take; an Audio
// Connector session (its `open` carries `inputVariables`) opened on settings that break Genesys's
// limit was not told, and the call ended at the bot's first long reply.
//
// The far ends are the fixtures' Audio Connector client (audio_connector_client.ts) and AudioHook
// Monitor client (audiohook_client.ts), each on a memory socket with a real transport, errors
// collected as they come (not through the fixtures' sessions, which leave this report out).
import assert from "node:assert/strict";
import { type TransportError, type TransportOptions, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { AudioConnectorClient, speech } from "./fixtures/audio_connector_client.ts";
import { AudioHookClient } from "./fixtures/audiohook_client.ts";
import { SESSION } from "./fixtures/genesys_session.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/** A transport with the Genesys serializer and `options`, on a memory socket and a fake clock. */
function genesysTransport(options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new GenesysSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000 },
    clock,
    ...options,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  return { clock, pair, transport, errors };
}

/**
 * An Audio Connector session on `options`: opened, then the bot speaks `speechMs` in real time;
 * the errors reported and the binary messages the client got.
 */
async function audioConnectorSpeaks(options: TransportOptions, speechMs: number) {
  const { clock, pair, transport, errors } = genesysTransport(options);
  const client = new AudioConnectorClient(pair.client, { clock });
  client.open();
  await clock.tick(10);
  const chunkMs = 20;
  for (let t = 0; t < speechMs; t += chunkMs) {
    void transport.send(speech(chunkMs));
    await clock.tick(chunkMs);
  }
  await clock.tick(500);
  const binary = client.seen.filter((m) => "binary" in m).length;
  await transport.close();
  return { errors, binary };
}

const rateReports = (errors: TransportError[]) =>
  errors.filter((e) => e.code === "encode" && /binary messages a second/.test(e.message));

Deno.test("GenesysSerializer: an Audio Connector session on the transport's defaults reports that its binary messages break Genesys's rate limit", async () => {
  const { errors, binary } = await audioConnectorSpeaks({}, 2000);
  // What the report is about: 2 s of speech in 40 ms messages, 25 a second.
  assert.ok(binary >= 45, `${binary} binary messages for 2 s of speech`);
  const reports = rateReports(errors);
  assert.equal(reports.length, 1, errors.map((e) => e.message).join("\n"));
  assert.match(reports[0]!.message, /audioOut\.chunkMs 40 without fixedAudioPacketSize/);
  assert.match(reports[0]!.message, /25 binary messages a second/);
  assert.match(reports[0]!.message, /fixedAudioPacketSize: 1600/);
});

Deno.test("GenesysSerializer: packets of 100 ms are reported too, packets of 200 ms keep to the limit unreported", async () => {
  const short = await audioConnectorSpeaks({ fixedAudioPacketSize: 800, padByte: 0xff }, 2000);
  const reports = rateReports(short.errors);
  assert.equal(reports.length, 1);
  assert.match(reports[0]!.message, /fixedAudioPacketSize 800 \(100 ms of PCMU\)/);
  assert.match(reports[0]!.message, /10 binary messages a second/);

  const kept = await audioConnectorSpeaks({ fixedAudioPacketSize: 1600, padByte: 0xff }, 2000);
  assert.deepEqual(kept.errors.map((e) => e.message), []);
  // 2 s of speech in 200 ms packets: 10, and the padded last one.
  assert.ok(kept.binary <= 11, `${kept.binary} binary messages for 2 s of speech`);
});

Deno.test("GenesysSerializer: a monitor session, which takes none of the bot's audio, is not told of the rate", async () => {
  const { clock, pair, transport, errors } = genesysTransport();
  // An AudioHook Monitor's open: no inputVariables.
  const client = new AudioHookClient(pair.client, { sessionId: SESSION });
  client.open();
  await clock.tick(10);
  assert.equal(client.state, "open");
  await transport.close();
  assert.deepEqual(rateReports(errors), []);
});

Deno.test("GenesysSerializer: a connection probe, with no call to speak to, is not told of the rate", () => {
  const { context, reported } = recordingContext();
  const genesys = new GenesysSerializer({ sendAudio: "always" });
  genesys.bind(context);
  genesys.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
    outputChunkMs: 40,
  });
  // The reference client's `--connection-probe` open: nil conversation and participant ids.
  const nil = "00000000-0000-0000-0000-000000000000";
  const start = genesys.deserialize(JSON.stringify({
    version: "2",
    type: "open",
    seq: 1,
    serverseq: 0,
    id: SESSION,
    position: "PT0S",
    parameters: {
      organizationId: "d7934305-0972-4844-938e-9060eef73d05",
      conversationId: nil,
      participant: { id: nil, ani: "", aniName: "", dnis: "" },
      media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
    },
  }));
  assert.equal((start as { probe?: boolean }).probe, true);
  assert.equal(genesys.carriesAudio, true);
  assert.deepEqual(reported, []);
});
