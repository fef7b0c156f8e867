/**
 * A session with `SessionMetrics` attached (its own speech detector off), at 16 kHz with 20 ms
 * chunks and no playout delay, against a far end that plays what it gets at once: a chunk that
 * comes after the one before has played leaves a gap there.
 *
 * @module
 */
import { SessionMetrics, type SessionSummaryEvent, WebSocketTransport } from "../../mod.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { type FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

/** The session on `clock`, with `options` over the defaults (a `MarkingSerializer`). */
export function meteredCall<C extends FakeClock>(clock: C, options: TransportOptions = {}) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    playoutDelayMs: 0,
    clock,
    ...options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32 });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  const summaries: SessionSummaryEvent[] = [];
  metrics.addEventListener("summary", (event) => summaries.push(event));
  return { clock, pair, transport, farEnd, metrics, summaries };
}

/** `ms` of 16 kHz PCM16 in 20 ms chunks of response `responseId`, written to `transport` now. */
export function sayReply(transport: WebSocketTransport, responseId: string, ms: number): void {
  for (let i = 0; i < ms / 20; i++) {
    void transport.send({
      type: "audio",
      audio: new Uint8Array(640).fill(1),
      sampleRate: 16000,
      channels: 1,
      responseId,
    });
  }
}

/**
 * On `call`'s far end, writes the greeting (heard 1000–1100 ms), r1 (2500–4500 ms) and r2
 * (5000–6000 ms), and returns at 5000 ms; from r2 on the far end answers no mark (Twilio's "mark"
 * answers lost: Twilio's Media Streams docs send one back once the audio before it has played).
 * r2's is the first answer missing, which the transport cannot tell from one late yet: with
 * `playoutTimeoutMs` 1000, r2 stays audible by its events until 7000 ms (its end mark's answer
 * awaited for it). (Had the greeting's gone missing already, r2 would stop as it plays out.)
 */
export async function r2Unanswered(call: ReturnType<typeof meteredCall>): Promise<void> {
  await call.clock.tick(1000 - call.clock.now());
  sayReply(call.transport, "greeting", 100);
  await call.clock.tick(1500);
  sayReply(call.transport, "r1", 2000);
  await call.clock.tick(2500);
  call.farEnd.stopAcking();
  sayReply(call.transport, "r2", 1000);
}
