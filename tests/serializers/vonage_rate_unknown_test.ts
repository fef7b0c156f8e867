// developer.vonage.com, Voice API, "WebSockets": the NCCO endpoint's `content-type`
// (`audio/l16;rate=8000` or 16000) is the rate of the whole connection, both ways; the first
// message, sent as the handshake completes, is `websocket:connected` with that content-type, and
// the binary messages are 20 ms of 16-bit linear PCM at that rate (320 bytes at 8 kHz). Vonage
// plays every byte at that rate: audio encoded at another plays at the wrong speed.
import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../src/playback.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** The far end: plays binary messages back to back at 8 kHz (16 bytes a ms); a clear cuts them. */
function vonageAt8k(pair: MemorySocketPair, clock: FakeClock) {
  const log = { beforeConnected: 0, frameSizes: new Set<number>(), playedTo: [] as number[] };
  let playsUntil = 0;
  let connected = false;
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") {
      const message = JSON.parse(data);
      if (message.action === "clear") playsUntil = Math.min(playsUntil, clock.now());
      if (message.action === "notify") {
        // Answered once what was sent before it has played.
        void clock.sleep(Math.max(0, playsUntil - clock.now())).then(() =>
          pair.client.send(JSON.stringify({ event: "websocket:notify", payload: message.payload }))
        );
      }
      return;
    }
    const bytes = (data as ArrayBuffer).byteLength;
    if (!connected) log.beforeConnected += bytes;
    log.frameSizes.add(bytes);
    playsUntil = Math.max(clock.now(), playsUntil) + bytes / 16;
    log.playedTo.push(playsUntil);
  });
  return {
    log,
    connect() {
      connected = true;
      pair.client.send(
        JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=8000" }),
      );
    },
    /** Milliseconds of audio played by `at`, from the first byte's start. */
    playedBy: (at: number, start: number) => Math.min(at, playsUntil) - start,
  };
}

Deno.test("`VonageSerializer` without a sampleRate sends nothing before websocket:connected names the rate", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer(), // no rate given: 16 kHz would be a guess
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000 },
    clock,
  });
  const vonage = vonageAt8k(pair, clock);
  const stops: SpeakingEvent[] = [];
  transport.addEventListener("speakingstop", (e) => stops.push(e));
  transport.receive(() => {});
  // A greeting written as the socket opens, the connected message one round trip later.
  transport.send({
    type: "audio",
    audio: new Uint8Array(64000), // 2 s at 16 kHz
    sampleRate: 16000,
    channels: 1,
  });
  await clock.tick(40);
  // Before: 80 ms of 16 kHz frames had left, played by Vonage at 8 kHz as 160 ms, and the
  // transport's heardMs stayed 80 ms behind what played for the rest of the call.
  assert.equal(vonage.log.beforeConnected, 0, "nothing left at a guessed rate");
  vonage.connect();
  const start = clock.now();
  await clock.tick(1000);
  transport.interrupt();
  await clock.tick(100);
  assert.deepEqual([...vonage.log.frameSizes], [320], "20 ms frames at 8 kHz");
  assert.equal(stops.length, 1);
  const played = vonage.playedBy(start + 1000, start);
  assert.ok(
    Math.abs(stops[0]!.heardMs - played) < 1,
    `heard ${stops[0]!.heardMs} ms, played ${played} ms`,
  );
  await transport.close();
});

Deno.test("`VonageSerializer` with a sampleRate sends from the socket's opening", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 8000 }),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000 },
    clock,
  });
  const vonage = vonageAt8k(pair, clock);
  transport.send({ type: "audio", audio: new Uint8Array(64000), sampleRate: 16000, channels: 1 });
  await clock.tick(40);
  assert.ok(vonage.log.beforeConnected > 0, "the greeting is under way");
  assert.deepEqual([...vonage.log.frameSizes], [320]);
  await transport.close();
});
