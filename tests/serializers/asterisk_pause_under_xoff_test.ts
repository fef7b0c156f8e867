// A bot's PAUSE_MEDIA while Asterisk's queue is at MEDIA_XOFF. docs.asterisk.org, Configuration →
// Channel Drivers → WebSocket: `PAUSE_MEDIA` plays silence and keeps the queue; `FLUSH_MEDIA`
// "also resets the paused state so there's no need to send … CONTINUE_MEDIA"; MEDIA_XOFF at about
// 900 queued frames, MEDIA_XON below about 800. The far end below is asterisk/asterisk
// channels/chan_websocket.c (f0c1c1a7), the flow-control part: queue_frame_from_buffer sends
// MEDIA_XOFF when the queue reaches 900 frames; process_binary_message ignores a message while it
// holds 1,000; dequeue_frame, every 20 ms, returns at once while `queue_paused` (before its XON
// check), else sends MEDIA_XON once the queue is under 800 and plays one frame; handle_command's
// PAUSE_MEDIA and CONTINUE_MEDIA set and clear `queue_paused`, and its FLUSH_MEDIA empties the
// queue and leaves `queue_paused` as it was. So a pause under XOFF gets no XON until
// CONTINUE_MEDIA, and a flush does not end the pause there: the transport's sending, held for the
// XON, stayed held after an interruption until its `sendTimeoutMs` ran out.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import type { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { level, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const FRAME_BYTES = 160;

/** chan_websocket's flow control on a plain-text μ-law channel; what it sent and played. */
function flowControlledChannel(clock: FakeClock, pair: MemorySocketPair) {
  const log = { events: [] as string[], played: 0, dropped: 0 };
  let queued = 0;
  let full = false;
  let paused = false;
  const send = (text: string) => {
    log.events.push(text);
    pair.client.send(text);
  };
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data === "string") {
      if (data === "PAUSE_MEDIA") paused = true;
      else if (data === "CONTINUE_MEDIA") paused = false;
      else if (data === "FLUSH_MEDIA") queued = 0; // queue_paused untouched
      return;
    }
    if (queued >= 1000) return void log.dropped++;
    queued += Math.floor((data as ArrayBuffer).byteLength / FRAME_BYTES);
    if (!full && queued >= 900) {
      full = true;
      send("MEDIA_XOFF");
    }
  });
  const tick = () => {
    if (!paused) {
      if (full && queued < 800) {
        full = false;
        send("MEDIA_XON");
      }
      if (queued > 0) {
        queued--;
        log.played++;
      }
    }
    void clock.sleep(20).then(tick);
  };
  void clock.sleep(0).then(() => {
    send(mediaStart());
    tick();
  });
  return log;
}

/**
 * A call whose bot sends a reply 20 s long, 19 s ahead, into the flow-controlled channel: the
 * queue reaches 900 frames and Asterisk sends `MEDIA_XOFF` (about 0.2 s in). The transport's
 * errors are kept.
 */
async function replyUnderXoff() {
  const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer(), {
    sendAheadMs: 19_000,
    maxQueuedMs: 60_000,
  });
  const log = flowControlledChannel(clock, pair);
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.receive(() => {});
  await clock.tick(10);
  transport.send({ type: "audio", audio: level(20_000, 1000), sampleRate: 8000, channels: 1 });
  await clock.tick(200);
  assert.ok(log.events.includes("MEDIA_XOFF"));
  return { clock, transport, log, errors };
}

Deno.test("`AsteriskSerializer` ends the bot's PAUSE_MEDIA at an interruption: under MEDIA_XOFF the next reply goes at the XON, not after sendTimeoutMs", async () => {
  const { clock, transport, log, errors } = await replyUnderXoff();
  // The caller talks: the bot pauses the playout while it decides, then cuts the reply.
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  await clock.tick(1000);
  const playedBefore = log.played;
  await transport.interrupt();
  transport.send({ type: "audio", audio: level(1000, 2000), sampleRate: 8000, channels: 1 });
  await clock.tick(1500);
  assert.ok(
    log.events.includes("MEDIA_XON"),
    `no XON after the interruption: ${log.events.slice(1).join(", ")}`,
  );
  assert.ok(log.played - playedBefore >= 50, `${log.played - playedBefore} frames played since`);
  assert.deepEqual(errors.filter((e) => e.code === "timeout"), []);
  assert.equal(log.dropped, 0);
  await transport.close();
});

Deno.test("`AsteriskSerializer` follows FLUSH_MEDIA with CONTINUE_MEDIA only while the bot's PAUSE_MEDIA holds the queue", () => {
  for (const json of [false, true]) {
    const asterisk = new AsteriskSerializer();
    const { context, reported } = recordingContext();
    asterisk.bind(context);
    asterisk.deserialize(mediaStart({ json }));
    const names = (out: unknown) =>
      (Array.isArray(out) ? out : [out]).map((m) => json ? JSON.parse(m).command : m);
    assert.deepEqual(names(asterisk.serialize({ type: "interruption" })), ["FLUSH_MEDIA"]);
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    assert.deepEqual(names(asterisk.serialize({ type: "interruption" })), [
      "FLUSH_MEDIA",
      "CONTINUE_MEDIA",
    ]);
    // That ended the pause: the next flush is a flush alone.
    assert.deepEqual(names(asterisk.serialize({ type: "interruption" })), ["FLUSH_MEDIA"]);
    // The bot's own CONTINUE_MEDIA ends it too.
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    asterisk.serialize({ type: "message", message: { command: "CONTINUE_MEDIA" } });
    assert.deepEqual(names(asterisk.serialize({ type: "interruption" })), ["FLUSH_MEDIA"]);
    // A pause the channel refused (passthrough) never held it.
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    asterisk.deserialize(
      json
        ? JSON.stringify({
          event: "ERROR",
          channel_id: "1.1",
          error_text: "PAUSE_MEDIA not supported in passthrough mode",
        })
        : "ERROR channel_id:1.1 error_text:PAUSE_MEDIA not supported in passthrough mode",
    );
    assert.deepEqual(names(asterisk.serialize({ type: "interruption" })), ["FLUSH_MEDIA"]);
    assert.equal(reported.length, 1, "the passthrough refusal");
  }
});

Deno.test("`AsteriskSerializer` says once that MEDIA_XON waits on CONTINUE_MEDIA while the bot's pause holds an XOFF", () => {
  for (const order of ["xoff first", "pause first"]) {
    const asterisk = new AsteriskSerializer();
    // Each pause asked for, and whom its bound is then the bot's ("bot") or the far end's.
    const paused: Array<boolean | "bot" | "far end"> = [];
    const { context, reported } = recordingContext({
      pauseSending: (pause, options) =>
        void paused.push(
          options === undefined ? pause : options.reason === undefined ? "far end" : "bot",
        ),
    });
    asterisk.bind(context);
    asterisk.deserialize(mediaStart());
    if (order === "xoff first") asterisk.deserialize("MEDIA_XOFF");
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    if (order === "pause first") asterisk.deserialize("MEDIA_XOFF");
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    assert.equal(reported.length, 1, order);
    assert.equal(reported[0]!.code, "protocol");
    assert.match(reported[0]!.message, /MEDIA_XON only after CONTINUE_MEDIA/);
    assert.match(reported[0]!.message, /urgent/);
    // Sending stays paused (the queue is full), bounded for the bot's pause from its start.
    assert.deepEqual(paused, [true, "bot"], order);
    // CONTINUE_MEDIA: the XON is the far end's again, bounded afresh; it comes once the queue has
    // drained under 800, and a later spell is told again.
    asterisk.serialize({ type: "message", message: "CONTINUE_MEDIA" });
    asterisk.deserialize("MEDIA_XON");
    assert.deepEqual(paused, [true, "bot", "far end", false], order);
    asterisk.deserialize("MEDIA_XOFF");
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    assert.equal(reported.length, 2, order);
  }
});

Deno.test("`AsteriskSerializer` has the far end's MEDIA_XON bounded from the bot's CONTINUE_MEDIA: a pause under MEDIA_XOFF is not the far end being late", async () => {
  // sendTimeoutMs 5000 (the default). XOFF at about 0.2 s; the bot pauses at once and, 4 s later,
  // lets the reply go on; Asterisk then plays the queue down under 800 frames (2 s and more)
  // before its XON: 6 s after the XOFF, the far end prompt all along.
  const { clock, transport, log, errors } = await replyUnderXoff();
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  const playedAtPause = log.played;
  await clock.tick(4000);
  assert.ok(log.played - playedAtPause <= 1, "Asterisk plays nothing while paused");
  transport.send({ type: "message", message: "CONTINUE_MEDIA", urgent: true });
  await clock.tick(4800);
  assert.ok(log.events.includes("MEDIA_XON"), log.events.slice(1).join(", "));
  assert.deepEqual(errors.filter((e) => e.code === "timeout").map((e) => e.message), []);
  assert.equal(log.dropped, 0, "nothing sent into a full queue");
  assert.equal(transport.stats.sendPauses, 1, "one pause, bounded afresh twice");
  await transport.close();
});

Deno.test("`AsteriskSerializer` bounds a bot's PAUSE_MEDIA that holds MEDIA_XOFF by sendTimeoutMs from its start, the timeout naming it", async () => {
  const { clock, transport, log, errors } = await replyUnderXoff();
  // The queue plays on for a second (still over 800 frames: no XON), then the bot pauses it and
  // never sends CONTINUE_MEDIA.
  await clock.tick(1000);
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  const pausedAt = clock.now();
  assert.ok(!log.events.includes("MEDIA_XON"));
  await clock.tick(4800);
  const timeouts = () => errors.filter((e) => e.code === "timeout").map((e) => e.message);
  assert.deepEqual(timeouts(), [], "the bot's pause has had less than sendTimeoutMs");
  await clock.tick(5000 - (clock.now() - pausedAt) + 1);
  assert.equal(timeouts().length, 1);
  assert.match(timeouts()[0]!, /the bot's PAUSE_MEDIA held Asterisk's queue under MEDIA_XOFF/);
  assert.match(timeouts()[0]!, /no CONTINUE_MEDIA left within 5000 ms: sending on$/);
  assert.equal(errors.filter((e) => e.code === "protocol").length, 1, "said once before");
  await transport.close();
});
