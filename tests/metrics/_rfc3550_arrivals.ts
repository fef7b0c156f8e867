// What the inbound jitter tests share: Twilio's caller packets as the docs write them ("Media
// Streams - WebSocket Messages": `start`, `media` with `chunk`, `timestamp` and `sequenceNumber`),
// when each reaches the transport, and RFC 3550's jitter worked out from its text to check the
// metrics against.
import assert from "node:assert/strict";
import { SessionMetrics, WebSocketTransport } from "../../mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { MULAW_SILENCE_20MS, twilioCall, twilioIds } from "../serializers/fixtures/twilio_call.ts";

/** One media packet of the caller's: its number (from 1) and when it reaches the transport. */
export interface Arrival {
  chunk: number;
  at: number;
  /** A `start` comes just before it: a new stream, whose `chunk` and timestamp count anew. */
  newStream?: boolean;
}

/** A packet as RFC 3550 sees it: arrival time R, media time S (ms), and its stream, if told. */
export interface Received {
  arrival: number;
  media: number;
  stream?: number;
}

/**
 * RFC 3550 §6.4.1 (the estimator of appendix A.8), written from its text: packets taken "in order
 * of arrival (not necessarily in sequence)", D(i,j) = (Rj − Ri) − (Sj − Si) and
 * J(i) = J(i−1) + (|D(i−1,i)| − J(i−1)) / 16, J starting at 0. Jitter is per source (A.8 keeps it
 * in each source's state): the first packet of a new stream has no D, and J goes on. Returns the
 * last J and the largest.
 */
export function rfc3550Jitter(received: readonly Received[]): { jitter: number; max: number } {
  return smoothed([...received].sort((a, b) => a.arrival - b.arrival));
}

/** §6.4.1's J over `packets` in the order given (a new stream's first packet: no D). */
export function smoothed(packets: readonly Received[]): { jitter: number; max: number } {
  let jitter = 0;
  let max = 0;
  for (let j = 1; j < packets.length; j++) {
    const [pi, pj] = [packets[j - 1]!, packets[j]!];
    if (pi.stream !== pj.stream) continue;
    const d = (pj.arrival - pi.arrival) - (pj.media - pi.media);
    jitter += (Math.abs(d) - jitter) / 16;
    max = Math.max(max, jitter);
  }
  return { jitter, max };
}

/** Twilio's `media` message for 20 ms packet `chunk` (media time 20 ms per chunk before it). */
export function media(chunk: number): string {
  return JSON.stringify({
    event: "media",
    sequenceNumber: String(chunk + 1),
    media: {
      track: "inbound",
      chunk: String(chunk),
      timestamp: String(20 * (chunk - 1)),
      payload: MULAW_SILENCE_20MS,
    },
    streamSid: twilioIds.stream,
  });
}

/** The fixture's `start` message (Twilio's, as documented). */
export function start(): string {
  for (const step of twilioCall) {
    if ("from" in step && (step.wire as { event?: string }).event === "start") {
      return JSON.stringify(step.wire);
    }
  }
  throw new Error("no start in the Twilio fixture");
}

/**
 * A Twilio call with metrics attached; the caller's packets reach the transport at `arrivals`'
 * times (in that order, whatever their numbers). Returns the metrics' figures, the transport's
 * counters and what arrived as RFC 3550 sees it (arrival times read off the clock).
 */
export async function twilioJitterCall(arrivals: readonly Arrival[]) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000 },
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  transport.receive(() => {});
  pair.client.send(start());
  await clock.tick(0);
  const received: Received[] = [];
  for (const { chunk, at, newStream } of [...arrivals].sort((a, b) => a.at - b.at)) {
    await clock.tick(at - clock.now());
    if (newStream) pair.client.send(start());
    received.push({ arrival: clock.now(), media: 20 * (chunk - 1) });
    pair.client.send(media(chunk));
    await clock.tick(0);
  }
  const { inbound } = metrics.snapshot();
  const stats = { ...transport.stats };
  pair.client.close(1000);
  await transport.closed;
  return { inbound, stats, received };
}

/** Packets 1..`count` sent every 20 ms from 1000 ms on, `delayMs(chunk)` late each. */
export function arrivals(count: number, delayMs: (chunk: number) => number): Arrival[] {
  const list: Arrival[] = [];
  for (let chunk = 1; chunk <= count; chunk++) {
    list.push({ chunk, at: 1000 + 20 * (chunk - 1) + delayMs(chunk) });
  }
  return list;
}

/** `inbound`'s figures are RFC 3550's over `received`, to the last bit of rounding. */
export function assertRfcFigures(
  inbound: { jitterMs: number | null; maxJitterMs: number | null },
  received: readonly Received[],
): void {
  const rfc = rfc3550Jitter(received);
  assert.ok(
    Math.abs(inbound.jitterMs! - rfc.jitter) < 1e-9,
    `${inbound.jitterMs} vs ${rfc.jitter}`,
  );
  assert.ok(
    Math.abs(inbound.maxJitterMs! - rfc.max) < 1e-9,
    `${inbound.maxJitterMs} vs ${rfc.max}`,
  );
}

/** `inbound` read no jitter (within 0.1 ms), now or at any time of the call. */
export function assertNoJitter(
  inbound: { jitterMs: number | null; maxJitterMs: number | null },
): void {
  assert.ok(Math.abs(inbound.maxJitterMs!) <= 0.1, `max jitter ${inbound.maxJitterMs} ms`);
  assert.ok(Math.abs(inbound.jitterMs!) <= 0.1, `jitter ${inbound.jitterMs} ms`);
}
