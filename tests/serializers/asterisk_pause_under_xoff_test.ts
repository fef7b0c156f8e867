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
// XON, stayed held after an interruption until its `sendTimeoutMs` ran out. And a CONTINUE_MEDIA
// the bot wrote in order (not urgent) waited behind the audio that sending held, for an XON only
// it could bring, until `sendTimeoutMs`: it overtakes that audio now (`overtakesQueue`).
import assert from "node:assert/strict";
import { mulawDecode } from "../../src/audio/g711.ts";
import type { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import type { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { level, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const FRAME_BYTES = 160;

/**
 * chan_websocket's flow control on a plain-text μ-law channel; what it sent and played, and what
 * it was sent (`received`: commands as they came, media as `media <level>`, the level of its first
 * sample to the nearest 1000, each run of one level once).
 */
function flowControlledChannel(clock: FakeClock, pair: MemorySocketPair) {
  const log = {
    events: [] as string[],
    received: [] as string[],
    played: 0,
    dropped: 0,
    paused: false,
  };
  let queued = 0;
  let full = false;
  const send = (text: string) => {
    log.events.push(text);
    pair.client.send(text);
  };
  pair.client.binaryType = "arraybuffer";
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data === "string") {
      log.received.push(data);
      if (data === "PAUSE_MEDIA") log.paused = true;
      else if (data === "CONTINUE_MEDIA") log.paused = false;
      else if (data === "FLUSH_MEDIA") queued = 0; // queue_paused untouched
      return;
    }
    const level = Math.round(mulawDecode(new Uint8Array(data, 0, 1))[0]! / 1000) * 1000;
    if (log.received.at(-1) !== `media ${level}`) log.received.push(`media ${level}`);
    if (queued >= 1000) return void log.dropped++;
    queued += Math.floor((data as ArrayBuffer).byteLength / FRAME_BYTES);
    if (!full && queued >= 900) {
      full = true;
      send("MEDIA_XOFF");
    }
  });
  const tick = () => {
    if (!log.paused) {
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
 * The media and the pause commands among what the channel was sent (`log.received`), each run of
 * media of one level once (the transport's marks between them left out).
 */
function mediaAndPauses(received: string[]): string[] {
  const kept = received.filter((m) => m.startsWith("media") || m.endsWith("_MEDIA"));
  return kept.filter((m, i) => i === 0 || m !== kept[i - 1] || !m.startsWith("media"));
}

/** `ms` of the bot's audio at 8 kHz, every sample `value`. */
const audio = (ms: number, value: number): Frame => ({
  type: "audio",
  audio: level(ms, value),
  sampleRate: 8000,
  channels: 1,
});

/**
 * A call whose bot sends a reply `replyMs` (20 s) long at level 1000, 19 s ahead, into the flow-controlled
 * channel: the queue reaches 900 frames and Asterisk sends `MEDIA_XOFF` (about 0.2 s in). The
 * transport's errors are kept. `writes`: the bot writes the reply with a writer of the writable,
 * whose write then waits for room (`maxQueuedMs` 500: the second not sent stays queued).
 */
async function replyUnderXoff(writes = false, replyMs = 20_000) {
  const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer(), {
    sendAheadMs: 19_000,
    maxQueuedMs: writes ? 500 : 60_000,
  });
  const log = flowControlledChannel(clock, pair);
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.receive(() => {});
  await clock.tick(10);
  const writer = transport.writable.getWriter();
  if (writes) void writer.write(audio(replyMs, 1000));
  else transport.send(audio(replyMs, 1000));
  await clock.tick(200);
  assert.ok(log.events.includes("MEDIA_XOFF"));
  return { clock, transport, log, errors, writer };
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

Deno.test("`AsteriskSerializer` bounds sending for the bot's pause while it holds an XOFF, and reports nothing: its CONTINUE_MEDIA overtakes the audio held", () => {
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
    assert.deepEqual(reported, [], order);
    assert.ok(asterisk.overtakesQueue({ type: "message", message: "CONTINUE_MEDIA" }), order);
    // Sending stays paused (the queue is full), bounded for the bot's pause from its start.
    assert.deepEqual(paused, [true, "bot"], order);
    // CONTINUE_MEDIA: the XON is the far end's again, bounded afresh; it comes once the queue has
    // drained under 800, and a later spell is bounded for the bot again.
    asterisk.serialize({ type: "message", message: "CONTINUE_MEDIA" });
    assert.ok(!asterisk.overtakesQueue({ type: "message", message: "CONTINUE_MEDIA" }), order);
    asterisk.deserialize("MEDIA_XON");
    assert.deepEqual(paused, [true, "bot", "far end", false], order);
    asterisk.deserialize("MEDIA_XOFF");
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    assert.deepEqual(paused, [true, "bot", "far end", false, true, "bot"], order);
    assert.deepEqual(reported, [], order);
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
  assert.deepEqual(errors.filter((e) => e.code === "protocol"), [], "nothing said before");
  await transport.close();
});

Deno.test("`AsteriskSerializer`'s PAUSE_MEDIA that holds MEDIA_XOFF and the pacing both, never continued, is one timeout error, the XON wait's, and sending goes on", async () => {
  // A reply of 30 s: past what the bot's pause lets leave (`sendAheadMs` past what played as it
  // began, about 20 s), so its hold on the pacing (`SerializerContext.farEndHeld`) keeps audio
  // back too once the XON wait gives up. Both wait on the bot's CONTINUE_MEDIA, and both bounds
  // had passed: two timeout errors came, in the same turn, both naming PAUSE_MEDIA.
  const { clock, transport, log, errors } = await replyUnderXoff(false, 30_000);
  await clock.tick(1000);
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  const droppedBefore = log.dropped;
  await clock.tick(5000 + 100);
  const timeouts = errors.filter((e) => e.code === "timeout").map((e) => e.message);
  assert.equal(timeouts.length, 1, timeouts.join("\n"));
  // The one kept says what holds the XON, and that Asterisk drops what overflows its queue.
  assert.match(timeouts[0]!, /PAUSE_MEDIA held Asterisk's queue under MEDIA_XOFF/);
  assert.match(timeouts[0]!, /no CONTINUE_MEDIA left within 5000 ms: sending on$/);
  // Given up both: sent on as though Asterisk played, not kept at the hold's cap (about 20 s
  // sent: 1,000 frames queued at most, a few dropped), so Asterisk drops what overflows.
  await clock.tick(2000);
  assert.ok(log.dropped - droppedBefore > 100, `${log.dropped - droppedBefore} frames dropped`);
  assert.deepEqual(errors.filter((e) => e.code === "timeout").length, 1, "nothing said since");
  assert.equal(transport.stats.sendPauses, 1);
  await transport.close();
});

Deno.test("`AsteriskSerializer` has the bot's CONTINUE_MEDIA, written behind a write waiting for room, overtake the audio MEDIA_XOFF holds under its PAUSE_MEDIA", async () => {
  // The bot writes its reply with a writer (the write waits for room), pauses the playout while
  // the caller talks, writes more of the reply, then lets it go on with a CONTINUE_MEDIA written
  // in order. It used to wait behind the held audio for the XON only it could bring: nothing
  // moved until sendTimeoutMs (5 s), then sending went on into a full queue.
  const { clock, transport, log, errors, writer } = await replyUnderXoff(true);
  void writer.write({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  await clock.tick(1000);
  void writer.write(audio(500, 2000));
  void writer.write({ type: "message", message: "CONTINUE_MEDIA" });
  await clock.tick(20);
  assert.equal(log.received.at(-1), "CONTINUE_MEDIA", log.received.join(", "));
  assert.ok(!log.paused);
  // Asterisk plays its queue down under 800 frames (2 s and more), says XON, and the audio held
  // follows in the order written: the rest of the reply, then what was written after the pause.
  await clock.tick(4000);
  assert.ok(log.events.includes("MEDIA_XON"), log.events.slice(1).join(", "));
  await clock.tick(3000);
  assert.deepEqual(mediaAndPauses(log.received), [
    "media 1000",
    "PAUSE_MEDIA",
    "CONTINUE_MEDIA",
    "media 1000", // it overtook the rest of the reply
    "media 2000",
  ]);
  assert.deepEqual(errors, []);
  assert.equal(log.dropped, 0, "nothing sent into a full queue");
  assert.equal(transport.stats.sendPauses, 1);
  await transport.close();
});

Deno.test("`AsteriskSerializer` has the bot's CONTINUE_MEDIA, sent in order, overtake the audio MEDIA_XOFF holds under its PAUSE_MEDIA", async () => {
  const { clock, transport, log, errors } = await replyUnderXoff();
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  await clock.tick(1000);
  transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" } });
  await clock.tick(0);
  assert.equal(log.received.at(-1), "CONTINUE_MEDIA");
  await clock.tick(6000);
  assert.ok(log.events.includes("MEDIA_XON"));
  assert.deepEqual(errors, []);
  assert.equal(log.dropped, 0);
  await transport.close();
});

Deno.test("`AsteriskSerializer` keeps a CONTINUE_MEDIA in its place where no MEDIA_XOFF came: the audio before it is sent during the bot's pause", async () => {
  // A short reply: Asterisk queues it while paused (no XOFF), and plays it after CONTINUE_MEDIA.
  // Overtaking it would only have cut the bot's pause short by the reply's sending time.
  const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer());
  const log = flowControlledChannel(clock, pair);
  transport.receive(() => {});
  await clock.tick(10);
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  void transport.send(audio(1000, 1000));
  transport.send({ type: "message", message: "CONTINUE_MEDIA" });
  await clock.tick(500);
  assert.ok(log.paused, "still paused: the CONTINUE_MEDIA waits behind the reply");
  await clock.tick(1000);
  assert.ok(!log.paused);
  assert.deepEqual(mediaAndPauses(log.received), ["PAUSE_MEDIA", "media 1000", "CONTINUE_MEDIA"]);
  assert.deepEqual(log.events.filter((e) => e.startsWith("MEDIA_X")), []);
  await transport.close();
});

Deno.test("`AsteriskSerializer`'s CONTINUE_MEDIA does not overtake a PAUSE_MEDIA queued before it: Asterisk would be left paused", async () => {
  const { clock, transport, log } = await replyUnderXoff();
  transport.send({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  // The bot also queued a pause after this reply, then asks for the playout to go on.
  transport.send({ type: "message", message: "PAUSE_MEDIA" });
  transport.send({ type: "message", message: "CONTINUE_MEDIA" });
  await clock.tick(1000);
  assert.ok(!log.received.includes("CONTINUE_MEDIA"), "it waits behind the queued pause");
  // Sending goes on at the bot's bound (sendTimeoutMs), the commands in the order written.
  await clock.tick(5000);
  assert.deepEqual(mediaAndPauses(log.received), [
    "media 1000",
    "PAUSE_MEDIA",
    "media 1000",
    "PAUSE_MEDIA",
    "CONTINUE_MEDIA",
  ]);
  assert.ok(!log.paused, "Asterisk's queue goes on");
  await transport.close();
});

Deno.test("`AsteriskSerializer` has the bot's CONTINUE_MEDIA, sent while a message waits in a writer for room, overtake the audio MEDIA_XOFF holds under its PAUSE_MEDIA", async () => {
  // The bot writes its reply and a GET_STATUS with a writer (the GET_STATUS waits behind the write
  // waiting for room), pauses the playout, then sends CONTINUE_MEDIA with `transport.send`. The
  // GET_STATUS reaches the transport only at its turn, after the CONTINUE_MEDIA whether that
  // overtakes or queues: it is not ahead of it. Counted as ahead, it kept the CONTINUE_MEDIA
  // behind the audio the XOFF holds, for an XON only that CONTINUE_MEDIA could bring: nothing
  // moved until sendTimeoutMs (5 s), then a timeout error and sending on into a full queue.
  const { clock, transport, log, errors, writer } = await replyUnderXoff(true);
  void writer.write({ type: "message", message: "PAUSE_MEDIA", urgent: true });
  void writer.write({ type: "message", message: "GET_STATUS" });
  await clock.tick(1000);
  transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" } });
  await clock.tick(20);
  // was: still "PAUSE_MEDIA", Asterisk paused
  assert.equal(log.received.at(-1), "CONTINUE_MEDIA", log.received.join(", "));
  assert.ok(!log.paused);
  await clock.tick(7000);
  assert.ok(log.events.includes("MEDIA_XON"), log.events.slice(1).join(", "));
  assert.deepEqual(errors.filter((e) => e.code === "timeout").map((e) => e.message), []);
  assert.equal(log.dropped, 0, "nothing sent into a full queue");
  assert.ok(log.received.includes("GET_STATUS"), "the GET_STATUS went at its turn");
  await transport.close();
});
