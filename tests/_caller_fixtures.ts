// Audio for calls driven by hand: the caller's 20 ms frames and the bot's tagged answers (16 kHz).
import { type Frame, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

/** 20 ms of the caller at 16 kHz: a loud tone while talking, a little hiss otherwise. */
export function callerFrame(n: number, talking: boolean): Uint8Array {
  const samples = new Int16Array(320).map((_, i) =>
    talking ? 8000 * Math.sin((n * 320 + i) / 4) : ((n * 7 + i * 13) % 5) - 2
  );
  return new Uint8Array(samples.buffer);
}

/** `ms` of bot audio at 16 kHz for `responseId`, every byte 1. */
export const answer = (ms: number, responseId: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId,
});

/**
 * A call on the fake clock whose far end plays 40 ms behind (told as `playoutDelayMs`) and
 * answers the transport's marks: bot audio at 16 kHz in 20 ms chunks, no queue bound to speak of.
 */
export function callBehindFarEnd() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 40,
    maxQueuedMs: 60_000,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 40, bytesPerMs: 32 });
  let n = 0;
  /** The caller's 20 ms frames until `time`, talking while `talking(now)` says so. */
  const callerUntil = async (time: number, talking: (now: number) => boolean = () => false) => {
    while (clock.now() < time) {
      await clock.tick(20);
      pair.client.send(callerFrame(n++, talking(clock.now())));
    }
  };
  /** The caller hangs up; settles once the session has ended. */
  const close = async () => {
    pair.client.close(1000);
    await transport.closed;
  };
  return { clock, pair, transport, farEnd, callerUntil, close };
}
