// A bot on this package's transport and AsteriskSerializer that pauses Asterisk's queue with
// PAUSE_MEDIA and sends a 25 s reply 18.5 s ahead, against the simulated chan_websocket, on one
// FakeClock over real sockets. docs.asterisk.org, Configuration → Channel Drivers → WebSocket:
// `PAUSE_MEDIA` plays silence and keeps the queue, media sent meanwhile "queued behind whatever was
// already in the queue"; "Max Message Size and Flow Control": `MEDIA_XOFF` at about 900 frames,
// media past about 1,000 dropped, `MEDIA_XON` below 800; chan_websocket.c `dequeue_frame`
// (f0c1c1a7) sends no XON while paused. So the XOFF waits on the bot's `CONTINUE_MEDIA`, which
// must overtake the audio the transport holds back (FrameSerializer.overtakesQueue); a bot that
// never sends it meets the queue's bound once its transport's wait runs out.
import assert from "node:assert/strict";
import { upgrade } from "../../src/adapters/deno.ts";
import type { TransportError } from "../../src/errors.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { type CallReport, simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { Lockstep } from "../_lockstep.ts";

const REPLY_MS = 25_000;
/** 20 ms at 8 kHz, loud enough to be heard. */
const CHUNK = new Uint8Array(new Int16Array(160).fill(6000).buffer);

interface PausingCall {
  report: CallReport;
  transport: WebSocketTransport;
  errors: TransportError[];
  /** The far end's flow control events, with when it sent them. */
  flow: Array<[number, string]>;
  /** When the bot's CONTINUE_MEDIA reached the far end. */
  continueArrivedAt: number | null;
}

/** The bot pauses, writes its reply at once, sends CONTINUE_MEDIA at `continueAtMs` (or never). */
async function pausingCall(continueAtMs: number | null, hangUpAtMs: number): Promise<PausingCall> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const errors: TransportError[] = [];
  const flow: Array<[number, string]> = [];
  let continueArrivedAt: number | null = null;
  let transport: WebSocketTransport | undefined;
  let bot: Promise<void> = Promise.resolve();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const upgraded = await upgrade(request, {
      clock,
      serializer: new AsteriskSerializer(),
      audioIn: { sampleRate: 8000, channels: 1 },
      audioOut: { sampleRate: 8000, channels: 1, chunkMs: 20 },
      markIntervalMs: 0,
      // 18.5 s ahead: 925 frames at once, past the XOFF level, within the 1,000. (The transport
      // holds its pacing while the bot's pause holds Asterisk's playout: nothing leaves more than
      // its lead past what played when the pause began, so the pause does not add to the queue.)
      sendAheadMs: 18_500,
      maxQueuedMs: 60_000,
    });
    if (!upgraded.transport) return upgraded.response;
    const t = upgraded.transport;
    transport = t;
    lockstep.register(t);
    t.addEventListener("error", (event) => errors.push(event.error));
    bot = speak(t, clock, continueAtMs).catch(() => {});
    return upgraded.response;
  });
  try {
    const report = await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      protocol: "asterisk",
      clock,
      connect: (url) => {
        const socket = lockstep.connectCaller(url);
        socket.addEventListener("message", (event: MessageEvent) => {
          if (event.data === "CONTINUE_MEDIA") continueArrivedAt ??= clock.now();
        });
        const send = socket.send.bind(socket);
        socket.send = (data) => {
          if (data === "MEDIA_XOFF" || data === "MEDIA_XON") flow.push([clock.now(), data]);
          send(data);
        };
        return socket;
      },
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
      hangUpAtMs,
    }));
    await bot;
    return { report, transport: transport!, errors, flow, continueArrivedAt };
  } finally {
    await server.shutdown();
  }
}

async function speak(t: WebSocketTransport, clock: FakeClock, continueAtMs: number | null) {
  const frames = t.readable.getReader();
  // Once MEDIA_START has come (the serializer sends nothing before it), the caller's audio read on.
  for (let read = await frames.read(); !read.done; read = await frames.read()) {
    if (read.value.type === "start") break;
  }
  const listening = (async () => {
    while (!(await frames.read()).done) { /* the caller's audio */ }
  })();
  const writer = t.writable.getWriter();
  await writer.write({ type: "message", message: "PAUSE_MEDIA" });
  for (let ms = 0; ms < REPLY_MS; ms += 20) {
    await writer.write({ type: "audio", audio: CHUNK, sampleRate: 8000, channels: 1 });
  }
  if (continueAtMs !== null) {
    await clock.sleep(continueAtMs - clock.now());
    await writer.write({ type: "message", message: "CONTINUE_MEDIA" });
  }
  await listening;
}

Deno.test("simulateCall as asterisk: a bot that pauses past MEDIA_XOFF and sends CONTINUE_MEDIA is heard from then, whole, nothing dropped", async () => {
  const { report, transport, errors, flow, continueArrivedAt } = await pausingCall(1000, 30_000);
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.deepEqual(errors, []);
  // The overtaking CONTINUE_MEDIA reached the far end when the bot sent it, not behind the audio
  // its transport held back under XOFF.
  assert.equal(continueArrivedAt, 1000);
  // Silence until then: nothing of the reply played while paused.
  assert.equal(report.firstAudioMs, 1000);
  // XOFF at the burst; the XON only once CONTINUE_MEDIA let the queue play under 800 frames.
  assert.equal(flow[0]?.[1], "MEDIA_XOFF");
  const xon = flow.find(([, event]) => event === "MEDIA_XON");
  assert.ok(xon !== undefined && xon[0] >= 1000 + 2000, JSON.stringify(flow));
  // Every millisecond of the reply played, without a gap.
  assert.ok(Math.abs(report.audio.playedMs - REPLY_MS) <= 20, `${report.audio.playedMs} ms played`);
  assert.equal(report.audio.underruns, 0);
  assert.equal(report.audio.clearedMs, 0);
  assert.equal(transport.stats.audioBytesDroppedOnClose, 0);
});

Deno.test("simulateCall as asterisk: a bot that pauses and never sends CONTINUE_MEDIA meets the queue's bound: silence, and the media past 1,000 frames dropped", async () => {
  const { report, errors, flow } = await pausingCall(null, 12_000);
  // The transport's wait on the bot's pause ran out (sendTimeoutMs, 5 s) and it sent on.
  assert.ok(
    errors.some((e) => e.code === "timeout" && /PAUSE_MEDIA/.test(e.message)),
    errors.map((e) => e.message).join("\n"),
  );
  const rules = report.violations.map((v) => v.rule);
  assert.ok(rules.includes("asterisk.queue-full"), JSON.stringify(report.violations));
  assert.ok(rules.includes("asterisk.media-after-xoff"), JSON.stringify(report.violations));
  assert.deepEqual(flow.map(([, event]) => event), ["MEDIA_XOFF"], "no XON while paused");
  assert.equal(report.audio.playedMs, 0, "the caller heard silence");
  assert.equal(report.firstAudioMs, null);
});
