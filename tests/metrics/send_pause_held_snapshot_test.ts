// A send pause still held shows its time so far, in a live `SessionMetrics` snapshot (and a
// `detach()` then) and in `transport.stats`, as its count does from its start: both read 1 pause
// and 0 ms all through a long `MEDIA_XOFF`, the time appearing only at `MEDIA_XON`. On Asterisk's
// chan_websocket (docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Flow Control":
// `MEDIA_XOFF` asks the application to stop sending media, `MEDIA_XON` to go on; with JSON control,
// `{"event": "MEDIA_XOFF", "channel_id"}`, "Control Commands and Events"). The far end's queue is
// tests/serializers/fixtures/pausing_asterisk.ts's; the flow-control events are played by hand, as
// that far end does not model them.
import assert from "node:assert/strict";
import { SessionMetrics, type SessionSummaryEvent } from "../../mod.ts";
import type { MemorySocketPair } from "../../src/testing/mod.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { asterisk16kTransport } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "../serializers/fixtures/filled_pcm_16k.ts";
import { pausingAsterisk } from "../serializers/fixtures/pausing_asterisk.ts";

/** A call on the chan_websocket far end (JSON control, slin16), measured, the bot replying. */
async function meteredAsterisk() {
  const { clock, pair, transport } = asterisk16kTransport({ maxQueuedMs: 20_000 });
  const errors: string[] = [];
  transport.addEventListener("error", (event) => void errors.push(event.error.message));
  const metrics = SessionMetrics.attach(transport, { speech: false });
  const summaries: SessionSummaryEvent[] = [];
  metrics.addEventListener("summary", (event) => void summaries.push(event));
  pausingAsterisk(clock, pair);
  transport.receive(() => {});
  await clock.tick(10);
  void transport.send({ ...filledPcm16k(12_000 * 32, 0x11), responseId: "r1" });
  return { clock, pair, transport, metrics, summaries, errors };
}

/** The channel's flow-control event, as it sends it with JSON control (`f(json)`). */
const flowControl = (pair: MemorySocketPair, name: "MEDIA_XOFF" | "MEDIA_XON") =>
  pair.client.send(JSON.stringify({ event: name, channel_id: "1.1" }));

/** `[sendPauses, sendPausedMs]` as the transport's counters and a live snapshot read them now. */
function pausesNow(transport: WebSocketTransport, metrics: SessionMetrics) {
  const { sendPauses, sendPausedMs } = transport.stats;
  const live = metrics.snapshot().outbound;
  assert.deepEqual([live.sendPauses, live.sendPausedMs], [sendPauses, sendPausedMs], "agree");
  return [sendPauses, sendPausedMs];
}

/** Ticks until the session is over (at most a minute). */
async function untilClosed(clock: { tick(ms: number): Promise<void> }, t: WebSocketTransport) {
  let closed = false;
  void t.closed.then(() => closed = true);
  for (let i = 0; i < 120 && !closed; i++) await clock.tick(500);
  assert.ok(closed, "the session ended");
}

Deno.test("a send pause still held counts its time so far, in `transport.stats` and a live snapshot, and once only after it", async () => {
  const call = await meteredAsterisk();
  const { clock, pair, transport, metrics } = call;
  await clock.tick(490);
  flowControl(pair, "MEDIA_XOFF");
  await clock.tick(0);
  assert.deepEqual(pausesNow(transport, metrics), [1, 0], "begun: counted, no time yet");
  await clock.tick(300);
  assert.deepEqual(pausesNow(transport, metrics), [1, 300], "held: its time so far");
  assert.match(metrics.summary(), / send_pauses=1 send_paused_ms=300 /);
  await clock.tick(400);
  assert.deepEqual(pausesNow(transport, metrics), [1, 700]);
  flowControl(pair, "MEDIA_XON");
  await clock.tick(0);
  assert.deepEqual(pausesNow(transport, metrics), [1, 700], "ended: its whole time, once");
  await clock.tick(500);
  assert.deepEqual(pausesNow(transport, metrics), [1, 700], "and no more after it");
  // A second pause, held as the far end hangs up: to the end, and the final figures stay.
  flowControl(pair, "MEDIA_XOFF");
  await clock.tick(200);
  assert.deepEqual(pausesNow(transport, metrics), [2, 900]);
  pair.client.close(1000);
  await untilClosed(clock, transport);
  const { sendPauses, sendPausedMs } = transport.stats;
  // The far end's close ends the session at once (no time passes): the pause's time to it.
  assert.deepEqual([sendPauses, sendPausedMs], [2, 900]);
  const final = call.summaries[0]!.snapshot.outbound;
  assert.deepEqual([final.sendPauses, final.sendPausedMs], [2, 900], "the final figures");
  await clock.tick(5000);
  assert.deepEqual(pausesNow(transport, metrics), [2, 900], "over: no longer counting");
  assert.deepEqual(call.errors, []);
});

Deno.test("`SessionMetrics.detach()` during a send pause keeps the pause's time to the detach", async () => {
  const call = await meteredAsterisk();
  const { clock, pair, transport, metrics } = call;
  await clock.tick(490);
  flowControl(pair, "MEDIA_XOFF");
  await clock.tick(250);
  metrics.detach();
  const frozen = metrics.snapshot().outbound;
  assert.deepEqual([frozen.sendPauses, frozen.sendPausedMs], [1, 250]);
  await clock.tick(250);
  flowControl(pair, "MEDIA_XON");
  await clock.tick(0);
  const still = metrics.snapshot().outbound;
  assert.deepEqual([still.sendPauses, still.sendPausedMs], [1, 250], "frozen at the detach");
  assert.deepEqual([transport.stats.sendPauses, transport.stats.sendPausedMs], [1, 500]);
  pair.client.close(1000);
  await untilClosed(clock, transport);
  assert.deepEqual(call.errors, []);
});
