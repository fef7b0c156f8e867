// The Genesys far end reports its playback of the bot's audio as the Audio Connector does:
// `playback_started` when it begins to play after none, `playback_completed` once all it was sent
// has played (client messages with empty parameters in Genesys's Audio Connector reference server,
// GenesysCloudBlueprints/audioconnector-server-reference-implementation: src/protocol/
// voice-bots.ts, PlaybackStartedMessage / PlaybackCompletedMessage). And against our serializer,
// a bot's goodbye (its audio, then `end`) plays whole before Genesys hears `disconnect`.
import assert from "node:assert/strict";
import type { MarkOnClear } from "../../../src/simulator/far_end.ts";
import { farEndContext } from "./_context.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import type { Frame, WebSocketTransport } from "../../../mod.ts";
import { upgrade } from "../../../src/adapters/deno.ts";
import { GenesysSerializer } from "../../../src/serializers/genesys.ts";
import { simulateCall, syntheticCaller } from "../../../src/simulator/mod.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { Lockstep } from "../../_lockstep.ts";

const SESSION = "e160e428-53e2-487c-977d-96989bf5c99d";

Deno.test("the Genesys far end says playback_started and playback_completed for each stretch of the bot's audio", () => {
  const sent: { type: string; seq: number; parameters: unknown }[] = [];
  const waiting: { onClear: MarkOnClear; played: () => void }[] = [];
  const cleared: number[] = [];
  const context = farEndContext({
    sleep: () => new Promise(() => {}),
    send: (message) => sent.push(JSON.parse(message as string)),
    whenPlayed: (onClear, played) => waiting.push({ onClear, played }),
    clear: () => cleared.push(waiting.length),
  });
  const farEnd = FAR_ENDS["genesys"]!({ streamId: SESSION });
  farEnd.open(context);
  let seq = 0;
  const server = (type: string, parameters: Record<string, unknown> = {}) =>
    farEnd.receive(JSON.stringify({
      version: "2",
      type,
      seq: ++seq,
      clientseq: sent.length,
      id: SESSION,
      parameters,
    }));
  server("opened", {
    media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
  });
  const types = () => sent.slice(1).map((m) => m.type);
  const packet = new Uint8Array(1600).fill(0x7f);

  // Two packets: one stretch, started at the first, completed once the last has played.
  farEnd.receive(packet);
  farEnd.receive(packet);
  assert.deepEqual(types(), ["playback_started"]);
  assert.deepEqual(waiting.map((w) => w.onClear), ["drop", "drop"]);
  waiting[0]!.played(); // the first packet played, the second not yet: still playing
  assert.deepEqual(types(), ["playback_started"]);
  waiting[1]!.played();
  assert.deepEqual(types(), ["playback_started", "playback_completed"]);
  assert.deepEqual(sent.at(-1)!.parameters, {});

  // The next stretch starts again; a barge-in drops it, and what was dropped never "completes".
  farEnd.receive(packet);
  assert.deepEqual(types(), ["playback_started", "playback_completed", "playback_started"]);
  server("event", { entities: [{ type: "barge_in", data: {} }] });
  assert.equal(cleared.length, 1);
  waiting[2]!.played(); // (a "drop" mark never runs after a clear; even so, nothing is said)
  assert.deepEqual(types(), ["playback_started", "playback_completed", "playback_started"]);
  farEnd.receive(packet);
  assert.deepEqual(types(), [
    "playback_started",
    "playback_completed",
    "playback_started",
    "playback_started",
  ]);
});

Deno.test("simulateCall as genesys: a bot's goodbye plays whole before its disconnect, and the bot hears the playback messages", async () => {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const botSaw: string[] = [];
  let transport: WebSocketTransport | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const upgraded = await upgrade(request, {
      clock,
      serializer: new GenesysSerializer(),
      audioIn: { sampleRate: 8000 },
      audioOut: { sampleRate: 8000, chunkMs: 20 },
      fixedAudioPacketSize: 1600,
      padByte: 0xff,
    });
    if (!upgraded.transport) return upgraded.response;
    transport = upgraded.transport;
    lockstep.register(transport);
    const bot = transport;
    bot.receive((frame: Frame) => {
      if (frame.type === "message") botSaw.push((frame.message as { type: string }).type);
      else if (frame.type !== "audio") botSaw.push(frame.type);
      if (frame.type !== "start") return;
      const goodbye = new Int16Array(8000).map((_, i) => (i % 40) * 200 - 4000); // 1 s
      void bot.send({
        type: "audio",
        audio: new Uint8Array(goodbye.buffer),
        sampleRate: 8000,
        channels: 1,
      });
      void bot.send({ type: "end", reason: "goodbye" });
    });
    return upgraded.response;
  });
  try {
    const report = await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      protocol: "genesys",
      clock,
      connect: lockstep.connectCaller,
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 10_000 }),
      lingerMs: 1000,
    }));
    assert.equal(report.ended.by, "bot");
    assert.match(report.ended.detail, /^disconnect \(completed\)/);
    assert.equal(report.audio.receivedMs, 1000);
    assert.equal(report.audio.playedMs, 1000, "the caller heard all of the goodbye");
    assert.deepEqual(report.violations, []);
    // The far end plays each 200 ms packet as it comes and runs dry before the next: a stretch
    // each, the last one's playback_completed what the disconnect waited for.
    assert.deepEqual(botSaw, [
      "start",
      ...Array(5).fill(["playback_started", "playback_completed"]).flat(),
      "end",
    ]);
    assert.equal(report.ended.atMs, 1160);
    await transport!.closed;
  } finally {
    await server.shutdown();
  }
});
