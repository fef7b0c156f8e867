import assert from "node:assert/strict";
import {
  BargeInStream,
  type InterruptResult,
  SpeechDetectorStream,
  WebSocketTransport,
} from "../../mod.ts";
import { mulawEncode } from "../../src/audio/g711.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

/** 20 ms of 16 kHz mono: a loud tone, or near-silence (a little hiss). */
function callerFrame(n: number, talking: boolean): Uint8Array {
  const samples = new Int16Array(320).map((_, i) =>
    talking ? 8000 * Math.sin((n * 320 + i) / 4) : ((n * 7 + i * 13) % 5) - 2
  );
  return new Uint8Array(samples.buffer);
}

async function talkOver(
  botSpeaksFirst: boolean,
  onBargeIn?: (result: InterruptResult) => void,
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: 32 });
  const bargeIns: InterruptResult[] = [];
  const piped = transport.readable
    .pipeThrough(
      new BargeInStream(transport, { onBargeIn: onBargeIn ?? ((r) => bargeIns.push(r)) }),
    )
    .pipeTo(new WritableStream());
  await clock.tick(0);
  if (botSpeaksFirst) {
    transport.send({
      type: "audio",
      audio: new Uint8Array(5000 * 32).fill(1),
      sampleRate: 16000,
      channels: 1,
      responseId: "answer",
    });
  }
  // The caller is quiet for a second, then talks (from 1000 ms of its audio on).
  for (let n = 0; n < 100; n++) {
    pair.client.send(callerFrame(n, n >= 50));
    await clock.tick(20);
  }
  pair.client.close(1000);
  await piped;
  return { farEnd, bargeIns, transport };
}

Deno.test("`BargeInStream` interrupts the bot when the caller talks over it, telling what was heard", async () => {
  const { farEnd, bargeIns } = await talkOver(true);
  assert.equal(bargeIns.length, 1);
  assert.equal(bargeIns[0]!.responseId, "answer");
  const heard = farEnd.playedMs(1);
  // The caller began at 1000 ms; the detector needs 200 ms of speech; then one chunk.
  assert.ok(heard >= 1000 && heard <= 1000 + 200 + 60 + 20, `the bot played ${heard} ms`);
  assert.ok(Math.abs(bargeIns[0]!.heardMs - heard) <= 250, `reported ${bargeIns[0]!.heardMs}`);
});

Deno.test("`BargeInStream` leaves a silent bot alone", async () => {
  const { bargeIns, transport } = await talkOver(false);
  assert.equal(bargeIns.length, 0);
  assert.equal(transport.stats.interruptions, 0);
});

/** Twilio (8 kHz μ-law, heard at 16 kHz): 6 s of a caller saying nothing in café noise. */
async function quietCallerOnNoisyLine(options: { lost: (packet: number) => boolean }) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, { serializer: new TwilioSerializer(), clock });
  const bargeIns: InterruptResult[] = [];
  const piped = transport.readable
    .pipeThrough(new BargeInStream(transport, { onBargeIn: (r) => bargeIns.push(r) }))
    .pipeTo(new WritableStream());
  const start = { streamSid: "MZ1", callSid: "CA1", accountSid: "AC1", tracks: ["inbound"] };
  client.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
  client.send(JSON.stringify({
    event: "start",
    sequenceNumber: "1",
    streamSid: "MZ1",
    start: {
      ...start,
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      customParameters: {},
    },
  }));
  await clock.tick(20);
  const voice = new Int16Array(24000 * 8).map((_, i) => Math.round(6000 * Math.sin(i / 5)));
  void transport.send({
    type: "audio",
    audio: new Uint8Array(voice.buffer),
    sampleRate: 24000,
    channels: 1,
    responseId: "answer",
  });
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  // About -40 dBFS.
  const cafe = new Int16Array(8000 * 6).map(() => Math.round((random() - 0.5) * 2 * 328 * 1.732));
  for (let n = 0; n < 300; n++) {
    if (!options.lost(n)) {
      const packet = cafe.subarray(n * 160, n * 160 + 160);
      const payload = btoa(String.fromCharCode(...mulawEncode(packet)));
      client.send(JSON.stringify({
        event: "media",
        sequenceNumber: String(n + 2),
        streamSid: "MZ1",
        media: { track: "inbound", chunk: String(n + 1), timestamp: String(n * 20), payload },
      }));
    }
    await clock.tick(20);
  }
  const stats = { ...transport.stats };
  const speaking = transport.playback.speaking;
  client.close(1000);
  await piped;
  return { bargeIns, stats, speaking };
}

Deno.test("`BargeInStream` leaves the bot alone when a packet of a noisy caller's line is lost", async () => {
  // The transport fills a lost packet with silence, which the resampler rings down through; that
  // used to pull the noise floor to -60 dBFS and the noise read as speech: a barge-in 220 ms on.
  const { bargeIns, stats, speaking } = await quietCallerOnNoisyLine({ lost: (n) => n === 150 });
  assert.deepEqual(bargeIns, [], "the caller never spoke");
  assert.equal(stats.interruptions, 0);
  assert.equal(stats.inboundMediaGapsFilled, 1, "the lost packet was filled");
  assert.equal(speaking, true, "the bot speaks on");
});

Deno.test("`BargeInStream` leaves the bot alone through bursts of loss on a noisy line", async () => {
  // Packets 150, 152 and 154 lost: each filled gap's ring a window or two, close together.
  const burst = await quietCallerOnNoisyLine({ lost: (n) => n === 150 || n === 152 || n === 154 });
  assert.deepEqual(burst.bargeIns, [], "the caller never spoke");
  assert.equal(burst.stats.inboundMediaGapsFilled, 3);
  // 10 % of the packets lost at random.
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const lost = new Set(Array.from({ length: 300 }, (_, n) => n).filter(() => random() < 0.1));
  const scattered = await quietCallerOnNoisyLine({ lost: (n) => n > 0 && lost.has(n) });
  assert.deepEqual(scattered.bargeIns, [], "the caller never spoke");
});

Deno.test("`BargeInStream`: an onBargeIn that throws errors the stream (and its pipe) instead of escaping as an unhandled rejection", async () => {
  // Deno fails a test on an unhandled rejection: the process would have ended here.
  const bug = () => {
    throw new Error("a bug in the bot's barge-in callback");
  };
  await assert.rejects(talkOver(true, bug), /a bug in the bot's barge-in callback/);
});

/** A transport whose bot is speaking, for tests that never get as far as a barge-in. */
const speakingTransport = {
  playback: { speaking: true, responseId: "r" },
  interrupt: () =>
    Promise.resolve({ responseId: "r", heardMs: 0, droppedMs: 0, acknowledged: false }),
};

Deno.test("`BargeInStream` refuses an onLevel that is not a function at construction, as `SpeechDetectorStream` does", () => {
  // Wrapped in a function of the stream's own, it passed construction and errored the stream at
  // the first window.
  const onLevel = "meter" as unknown as () => void;
  assert.throws(() => new SpeechDetectorStream({ onLevel }), TypeError);
  assert.throws(
    () => new BargeInStream(speakingTransport, { onLevel }),
    (error) =>
      error instanceof TypeError && /onLevel must be a function, got string/.test(error.message),
  );
});

Deno.test("`BargeInStream` and `SpeechDetectorStream` refuse a callback that is not a function at construction", () => {
  // Each passed construction: the first detection (onSpeech) or the caller's first barge-in, after
  // interrupting the bot (onBargeIn), errored the stream and its pipe mid-call, "… is not a function".
  const notAFunction = "log" as unknown as () => void;
  const refused = (name: string) => (error: unknown) =>
    error instanceof TypeError && new RegExp(`${name} must be a function, got string`).test(
      error.message,
    );
  assert.throws(
    () => new BargeInStream(speakingTransport, { onBargeIn: notAFunction }),
    refused("onBargeIn"),
  );
  assert.throws(
    () => new BargeInStream(speakingTransport, { onSpeech: notAFunction }),
    refused("onSpeech"),
  );
  assert.throws(() => new SpeechDetectorStream({ onSpeech: notAFunction }), refused("onSpeech"));
});
