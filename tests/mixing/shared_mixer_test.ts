// An `OutboundMixer` of the application's own that keeps nothing per session (comfort noise: a
// constant chunk to fill, speech passed through) may serve every session: the one-session rule is
// `BackgroundAudio`'s (its attach declines), not the transport's. The transport applied it to
// every mixer: a second live session went without, told of an "application" error.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type MixerFormat,
  type OutboundMixer,
  type TransportError,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const NOISE = 37;

function comfortNoise(calls: string[]): OutboundMixer {
  let format: MixerFormat | undefined;
  let chunk: AudioFrame | undefined;
  return {
    attach(f) {
      calls.push("attach");
      format = f;
    },
    mix: (speech) => speech,
    fill() {
      const { sampleRate, channels, chunkMs } = format!;
      const samples = (sampleRate * chunkMs / 1000) * channels;
      const audio = new Uint8Array(new Int16Array(samples).fill(NOISE).buffer);
      return chunk ??= { type: "audio", audio, sampleRate, channels };
    },
    detach(attached) {
      calls.push(`detach ${attached}`);
    },
  };
}

function call(clock: FakeClock, background: OutboundMixer, connecting = false) {
  const pair = new MemorySocketPair({ connecting });
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background,
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const heard = { chunks: 0 };
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") return;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data as Uint8Array;
    if (new Int16Array(bytes.buffer, bytes.byteOffset, 1)[0] === NOISE) heard.chunks++;
  });
  return { pair, transport, errors, heard };
}

Deno.test("a stateless `OutboundMixer` of the application's own, shared by two live sessions, plays in both", async () => {
  const clock = new FakeClock();
  const calls: string[] = [];
  const noise = comfortNoise(calls);
  const a = call(clock, noise);
  const b = call(clock, noise);
  await clock.tick(1000);
  a.pair.client.close(1000);
  b.pair.client.close(1000);
  await Promise.all([a.transport.closed, b.transport.closed]);
  assert.ok(a.heard.chunks >= 49, `A hears it (${a.heard.chunks})`);
  assert.ok(b.heard.chunks >= 49, `B hears it too (${b.heard.chunks})`);
  assert.deepEqual([a.errors, b.errors], [[], []], "neither is told of an error");
  assert.deepEqual(calls, ["attach", "attach", "detach true", "detach true"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a shared `OutboundMixer`: a session that ends before its socket opens detaches it as never attached", async () => {
  const clock = new FakeClock();
  const calls: string[] = [];
  const a = call(clock, comfortNoise(calls), true);
  void a.transport.close(1000);
  await clock.tick(6000);
  await a.transport.closed;
  assert.deepEqual(calls, ["detach false"]);
  assert.equal(clock.pendingTimers, 0);
});
