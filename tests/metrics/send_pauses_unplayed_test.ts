// Two figures of `transport.stats` `SessionMetrics` did not carry, on Asterisk's chan_websocket
// (docs.asterisk.org, Configuration → Channel Drivers → WebSocket): the far end's flow control
// ("Flow Control": `MEDIA_XOFF` asks the application to stop sending media, `MEDIA_XON` to go on),
// `stats.sendPauses` and `stats.sendPausedMs`; and the audio the bot's own `PAUSE_MEDIA` ("Commands":
// silence played, "the data you've already sent" kept in the queue) held unplayed as the session
// ended, `stats.audioMsUnplayedAtEnd` (asterisk/asterisk channels/chan_websocket.c, f0c1c1a7: the
// channel hangs up with its socket, the queue unplayed). The snapshot, the summary line and the
// instruments carry them now, as they carry the other counters of the transport.
import assert from "node:assert/strict";
import { SessionMetrics, type SessionSummaryEvent } from "../../mod.ts";
import type { MemorySocketPair } from "../../src/testing/mod.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { asterisk16kTransport } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "../serializers/fixtures/filled_pcm_16k.ts";
import { pausingAsterisk } from "../serializers/fixtures/pausing_asterisk.ts";

/** A call on the chan_websocket far end (JSON control, slin16), measured, the bot replying. */
async function meteredAsterisk(sendAheadMs = 1000) {
  const { clock, pair, transport } = asterisk16kTransport({ sendAheadMs, maxQueuedMs: 20_000 });
  const errors: string[] = [];
  transport.addEventListener("error", (event) => void errors.push(event.error.message));
  const metrics = SessionMetrics.attach(transport, { speech: false });
  const summaries: SessionSummaryEvent[] = [];
  metrics.addEventListener("summary", (event) => void summaries.push(event));
  const far = pausingAsterisk(clock, pair);
  transport.receive(() => {});
  await clock.tick(10);
  void transport.send({ ...filledPcm16k(12_000 * 32, 0x11), responseId: "r1" });
  return { clock, pair, transport, metrics, summaries, far, errors };
}

/** The channel's flow-control event, as it sends it with JSON control (`f(json)`). */
const flowControl = (pair: MemorySocketPair, name: "MEDIA_XOFF" | "MEDIA_XON") =>
  pair.client.send(JSON.stringify({ event: name, channel_id: "1.1" }));

const instrumentFor = (path: string) =>
  SessionMetrics.instruments.find((instrument) => instrument.snapshot === path);

/** Ticks until the session is over (at most a minute). */
async function untilClosed(clock: { tick(ms: number): Promise<void> }, t: WebSocketTransport) {
  let closed = false;
  void t.closed.then(() => closed = true);
  for (let i = 0; i < 120 && !closed; i++) await clock.tick(500);
  assert.ok(closed, "the session ended");
}

Deno.test("`SessionMetrics` carries the far end's send pauses (MEDIA_XOFF … MEDIA_XON): count and time", async () => {
  const call = await meteredAsterisk();
  const { clock, pair, transport, metrics } = call;
  await clock.tick(490);
  flowControl(pair, "MEDIA_XOFF");
  await clock.tick(300);
  flowControl(pair, "MEDIA_XON");
  await clock.tick(700);
  flowControl(pair, "MEDIA_XOFF");
  await clock.tick(200);
  flowControl(pair, "MEDIA_XON");
  await clock.tick(100);
  assert.deepEqual([transport.stats.sendPauses, transport.stats.sendPausedMs], [2, 500]);
  const live = metrics.snapshot().outbound;
  assert.deepEqual([live.sendPauses, live.sendPausedMs], [2, 500], "while the session goes on");
  assert.match(metrics.summary(), / underrun_ms=\d+ send_pauses=2 send_paused_ms=500 /);
  pair.client.close(1000);
  await untilClosed(clock, transport);
  const { snapshot, line } = call.summaries[0]!;
  assert.deepEqual([snapshot.outbound.sendPauses, snapshot.outbound.sendPausedMs], [2, 500]);
  assert.match(line, / send_pauses=2 send_paused_ms=500 /);
  assert.deepEqual(call.errors, []);
  const pauses = instrumentFor("outbound.sendPauses");
  assert.deepEqual([pauses?.name, pauses?.kind, pauses?.unit], [
    "voice.outbound.send_pauses",
    "counter",
    "{pause}",
  ]);
  const paused = instrumentFor("outbound.sendPausedMs");
  assert.deepEqual([paused?.name, paused?.kind, paused?.unit], [
    "voice.outbound.send_paused_duration",
    "counter",
    "ms",
  ]);
});

/** How the session ends while the bot's PAUSE_MEDIA holds the channel's queue. */
const ENDINGS: Record<string, (t: WebSocketTransport, pair: MemorySocketPair) => void> = {
  "the far end's close": (_, pair) => pair.client.close(1000),
  "transport.close()": (transport) => void transport.close(),
  "a cancel frame": (transport) => void transport.send({ type: "cancel" }),
};

for (const [name, ending] of Object.entries(ENDINGS)) {
  Deno.test(`\`SessionMetrics\`' final figures carry the audio a PAUSE_MEDIA held unplayed as ${name} ended the call`, async () => {
    const call = await meteredAsterisk();
    const { clock, pair, transport, metrics, far } = call;
    await clock.tick(990);
    void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
    await clock.tick(2000);
    assert.equal(metrics.snapshot().outbound.audioMsUnplayedAtEnd, 0, "none until the end");
    assert.doesNotMatch(metrics.summary(), /unplayed_ms/);
    const heldMs = far.queuedFrames * 20;
    assert.ok(heldMs >= 800, `Asterisk holds ${heldMs} ms`);
    ending(transport, pair);
    await untilClosed(clock, transport);
    const counted = transport.stats.audioMsUnplayedAtEnd;
    assert.ok(Math.abs(counted - heldMs) <= 60, `${counted} ms counted, ${heldMs} ms held`);
    assert.equal(call.summaries.length, 1);
    const { snapshot, line } = call.summaries[0]!;
    assert.equal(snapshot.outbound.audioMsUnplayedAtEnd, counted, "in the summary's snapshot");
    assert.equal(metrics.snapshot().outbound.audioMsUnplayedAtEnd, counted);
    assert.match(line, new RegExp(` close_dropped_bytes=\\d+ unplayed_ms=${counted} `));
    const instrument = instrumentFor("outbound.audioMsUnplayedAtEnd");
    assert.deepEqual([instrument?.name, instrument?.kind, instrument?.unit], [
      "voice.outbound.unplayed_at_end",
      "counter",
      "ms",
    ]);
    await clock.tick(60_000);
  });
}

Deno.test("`SessionMetrics`' summary line leaves out send pauses and unplayed audio while there are none", async () => {
  const call = await meteredAsterisk();
  const { clock, pair, transport } = call;
  await clock.tick(1000);
  pair.client.close(1000);
  await untilClosed(clock, transport);
  const { snapshot, line } = call.summaries[0]!;
  assert.deepEqual(
    [snapshot.outbound.sendPauses, snapshot.outbound.sendPausedMs],
    [0, 0],
  );
  assert.equal(snapshot.outbound.audioMsUnplayedAtEnd, 0);
  assert.doesNotMatch(line, /send_pause|unplayed/);
});

Deno.test("a send pause the far end still holds as the session ends counts until the end", async () => {
  const call = await meteredAsterisk();
  const { clock, pair, transport } = call;
  await clock.tick(490);
  flowControl(pair, "MEDIA_XOFF");
  await clock.tick(1000);
  pair.client.close(1000); // the far end closes, never having sent MEDIA_XON
  await untilClosed(clock, transport);
  assert.equal(transport.stats.sendPauses, 1);
  assert.equal(transport.stats.sendPausedMs, 1000, "the pause's time to the close");
  const { snapshot, line } = call.summaries[0]!;
  assert.equal(snapshot.outbound.sendPausedMs, 1000, "the final figures have it");
  assert.match(line, / send_pauses=1 send_paused_ms=1000 /);
});

Deno.test("a far end's XOFF once the bot hung up (cancel) pauses nothing: no pause counted", async () => {
  const call = await meteredAsterisk();
  const { clock, pair, transport } = call;
  await clock.tick(490);
  void transport.send({ type: "cancel" }); // the session ends: nothing more of the bot's is sent
  flowControl(pair, "MEDIA_XOFF"); // still read: the far end has not closed yet
  await clock.tick(200);
  pair.client.close(1000);
  await untilClosed(clock, transport);
  assert.deepEqual([transport.stats.sendPauses, transport.stats.sendPausedMs], [0, 0]);
  assert.deepEqual(call.errors, []);
});
