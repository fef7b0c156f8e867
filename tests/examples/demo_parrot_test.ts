// The demo's parrot lines against simulated callers, over real sockets on 127.0.0.1, on one
// FakeClock (tests/_lockstep.ts: fake time moves only when nothing is in flight), so
// the timings are exact truths: the caller's speech segments, the parrot's silence rule, what
// the far end played.
//
// The phone line's caller is the simulator's Twilio, written from Twilio's Media Streams
// documentation; the wideband line's is a far end written here from the demo's own protocol
// (binary PCM16 16 kHz both ways, `{"type":"clear"}` empties the player). The page's view is
// read from `/view` as the page reads it, and each message is checked against the documented
// shape (examples/demo/view_events.ts, the README's "The demo").
import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { runParrot } from "../../examples/demo/parrot_bot.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import type { FarEnd, FarEndContext, FarEndFactory } from "../../src/simulator/far_end.ts";
import { type CallReport, simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { Lockstep } from "../_lockstep.ts";
import { within } from "../_ws_client.ts";
import { type TransportStats, WebSocketTransport } from "../../mod.ts";

const MIN_SPEECH_MS = 150;
const MIN_SILENCE_MS = 600;
const MARGIN_MS = 100;
const CHUNK_MS = 20;
const MARK_INTERVAL_MS = 250;

// deno-lint-ignore no-explicit-any
type ViewMessage = Record<string, any>;

/** Reads `/view?session=…` as the page's EventSource does: one JSON message per `data:` line. */
function readView(url: string) {
  const messages: ViewMessage[] = [];
  const response = fetch(url);
  const done = (async () => {
    const body = (await response).body!.pipeThrough(new TextDecoderStream());
    let text = "";
    for await (const part of body) {
      text += part;
      for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        for (const line of block.split("\n")) {
          if (line.startsWith("data: ")) messages.push(JSON.parse(line.slice(6)));
        }
      }
    }
    return messages;
  })();
  return { response, messages, done };
}

/** The demo's wideband line as its page speaks it (the far end of `/wideband`). */
const widebandFarEnd: FarEndFactory = (): FarEnd => {
  let context: FarEndContext;
  return {
    protocol: "demo-wideband",
    caller: { sampleRate: 16000, frameMs: 20 },
    playbackRate: 16000,
    open(c) {
      context = c;
      c.ready();
    },
    receive(data) {
      if (typeof data === "string") {
        if (JSON.parse(data).type === "clear") return context.clear();
        return context.violation("wideband.text", `unexpected text ${data}`);
      }
      if (data.length % 2 !== 0) return context.violation("wideband.odd", `${data.length} bytes`);
      context.play(new Int16Array(data.slice().buffer));
    },
    sendAudio(samples) {
      context.send(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength).slice());
    },
    sendDtmf: () => false,
    hangUp: () => Promise.resolve(),
  };
};

interface ParrotCall {
  report: CallReport;
  view: ViewMessage[];
  /** The server's log line for the session. */
  logged: string;
  /** The session's `transport.stats` as the log line was written. */
  stats: TransportStats;
}

/**
 * One call to a parrot line, with its view: the caller says 1.5 s, pauses 2.5 s, says 1 s (or
 * says `utterancesMs`, 2.5 s apart); with `bargeIn`, it also talks over the first reply `afterMs`
 * into it for 900 ms; with `hangUpAtMs`, it hangs up then.
 */
async function parrotCall(
  line: "phone" | "wideband",
  options: { bargeInAfterMs?: number; hangUpAtMs?: number; utterancesMs?: number[] } = {},
): Promise<ParrotCall> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const logged = Promise.withResolvers<{ text: string; stats: TransportStats }>();
  let transport: WebSocketTransport | undefined;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler({
      clock,
      onSession: (session) => lockstep.register(transport = session),
      log: (text) => logged.resolve({ text, stats: transport!.stats }),
    }),
  );
  const base = `127.0.0.1:${server.addr.port}`;
  const session = `${line}-session-${crypto.randomUUID()}`;
  try {
    const view = readView(`http://${base}/view?session=${session}`);
    assert.equal((await view.response).status, 200);
    const report = await lockstep.run(simulateCall(
      line === "phone" ? `ws://${base}/phone` : `ws://${base}/wideband?session=${session}`,
      {
        protocol: line === "phone" ? "twilio" : widebandFarEnd,
        platform: { customParameters: { session } },
        clock,
        connect: lockstep.connectCaller,
        audio: syntheticCaller({
          utterancesMs: options.utterancesMs ?? [1500, 1000],
          pauseMs: 2500,
        }),
        ...(options.bargeInAfterMs === undefined
          ? {}
          : { bargeIn: { afterMs: options.bargeInAfterMs, durationMs: 900, count: 1 } }),
        lingerMs: 3000,
        ...(options.hangUpAtMs === undefined ? {} : { hangUpAtMs: options.hangUpAtMs }),
        record: true,
      },
    ));
    // The view ends with the session: "ended", then the stream closes.
    const messages = await within(view.done, 10000, "the view's end");
    const { text, stats } = await within(logged.promise, 10000, "the session's log line");
    return { report, view: messages, logged: text, stats };
  } finally {
    await server.shutdown();
  }
}

// The wideband caller just closes its socket (Twilio's says "stop" first: an `end` frame, which
// the parrot already heeded).
Deno.test("demo wideband line: a caller who hangs up mid-reply leaves the rest unsent, and the log line counts what was dropped as transport.stats does", async () => {
  // The first reply is audible from about 4.7 s for 1.7 s: the caller hangs up half a second in.
  const { report, view, logged, stats } = await parrotCall("wideband", { hangUpAtMs: 5200 });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(ofType(view, "response").map((r) => r.responseId), ["parrot-1"]);
  const dropped = Number(/ close_dropped_bytes=(\d+)/.exec(logged)?.[1]);
  assert.ok(dropped > 0, `what the transport held at the hang-up is dropped: ${logged}`);
  assert.equal(
    stats.audioBytesDroppedOnClose,
    dropped,
    `the parrot wrote nothing after the close: the log line says ${dropped}, stats ${stats.audioBytesDroppedOnClose}`,
  );
});

// `ParrotOptions.maxPhraseMs` (8000 by default, the handler's): "a longer phrase is said back up
// to this length". The parrot keeps a ring of the caller's last few seconds, shorter than a long
// phrase: the reply must come from what it still holds, not be cut down to nothing.
Deno.test("demo wideband line: a phrase longer than the longest reply is said back, as long as the longest reply", async () => {
  const { report, view } = await parrotCall("wideband", { utterancesMs: [20000] });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(report.utterances.map((u) => [u.startMs, u.endMs]), [[2500, 22500]]);
  assert.deepEqual(ofType(view, "response").map((r) => [r.responseId, r.durationMs]), [
    ["parrot-1", 8000],
  ]);
  const stops = ofType(view, "speakingstop");
  assert.deepEqual(stops.map((s) => [s.responseId, s.reason, s.heardMs]), [
    ["parrot-1", "played", 8000],
  ]);
  // It is the phrase's end and the margin after it, 20 ms by 20 ms (see the test above). It
  // became audible as the detector reported the end, MIN_SILENCE_MS after the voice fell quiet
  // (a little before the utterance's nominal end: its last syllable fades).
  const [u] = report.utterances;
  const replyFrom = u!.responseStartMs! - MIN_SILENCE_MS + MARGIN_MS - 8000;
  const said = envelope(report.recording!, 0, replyFrom, 8000);
  const heard = envelope(report.recording!, 1, u!.responseStartMs!, 8000);
  const r = correlation(said, heard);
  assert.ok(r > 0.95, `the reply follows the phrase's last 8 s: r = ${r.toFixed(3)}`);
});

/** Per 20 ms, the RMS of channel `channel` of a stereo 16-bit WAV from `fromMs` for `ms`. */
function envelope(wav: Uint8Array, channel: 0 | 1, fromMs: number, ms: number): number[] {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const rate = view.getUint32(24, true);
  const frame = (rate * CHUNK_MS) / 1000;
  const start = Math.round((fromMs * rate) / 1000);
  const out: number[] = [];
  for (let f = 0; f < Math.floor(ms / CHUNK_MS); f++) {
    let sum = 0;
    for (let i = 0; i < frame; i++) {
      const at = 44 + ((start + f * frame + i) * 2 + channel) * 2;
      const s = at + 2 <= wav.length ? view.getInt16(at, true) : 0;
      sum += s * s;
    }
    out.push(Math.sqrt(sum / frame));
  }
  return out;
}

function correlation(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  const mean = (x: number[]) => x.slice(0, n).reduce((s, v) => s + v, 0) / n;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const ofType = (view: ViewMessage[], type: string) => view.filter((m) => m.type === type);

for (const line of ["phone", "wideband"] as const) {
  Deno.test(`demo ${line} line: the parrot says the caller's phrase back once the caller has been quiet ${MIN_SILENCE_MS} ms`, async () => {
    const { report, view, logged } = await parrotCall(line);
    assert.equal(report.ended.by, "caller", report.ended.detail);
    assert.deepEqual(report.violations, []);
    // The caller spoke at 2.5–4.0 s and 6.5–7.5 s; each is answered MIN_SILENCE_MS after it
    // ended (the detector's quiet), within a chunk and a detector window.
    assert.deepEqual(report.utterances.map((u) => [u.startMs, u.endMs]), [[2500, 4000], [
      6500,
      7500,
    ]]);
    // The reply starts with the MARGIN_MS kept before the phrase (quiet), so it becomes audible
    // that much later.
    for (const u of report.utterances) {
      assert.ok(
        u.latencyMs! >= MIN_SILENCE_MS + MARGIN_MS &&
          u.latencyMs! <= MIN_SILENCE_MS + MARGIN_MS + CHUNK_MS + 10,
        `answered ${u.latencyMs} ms after ${u.endMs}`,
      );
    }
    // Each reply is a new response, as long as the phrase and its margins, played in full.
    const responses = ofType(view, "response");
    assert.deepEqual(responses.map((r) => [r.responseId, r.durationMs]), [
      ["parrot-1", 1500 + 2 * MARGIN_MS],
      ["parrot-2", 1000 + 2 * MARGIN_MS],
    ]);
    const stops = ofType(view, "speakingstop");
    assert.deepEqual(stops.map((s) => [s.responseId, s.reason, s.heardMs]), [
      ["parrot-1", "played", 1700],
      ["parrot-2", "played", 1200],
    ]);
    assert.equal(report.audio.underruns, 0);
    assert.equal(report.bargeIns.length, 0);
    // What the caller heard is what the caller said: the reply's loudness follows the phrase's
    // syllables, 20 ms by 20 ms (the recording: left the caller, right what the caller heard;
    // the envelope of this voice decorrelates within 80 ms, so a misplaced reply fails).
    for (const [i, u] of report.utterances.entries()) {
      const said = envelope(report.recording!, 0, u.startMs - MARGIN_MS, responses[i]!.durationMs);
      const replyAt = u.responseStartMs! - MARGIN_MS; // the quiet margin, then the phrase
      const heard = envelope(report.recording!, 1, replyAt, responses[i]!.durationMs);
      const r = correlation(said, heard);
      assert.ok(r > 0.95, `reply ${i + 1} follows the phrase: r = ${r.toFixed(3)}`);
    }
    // The metrics saw the same turns.
    const turns = ofType(view, "metric").filter((m) => m.name === "voice.turn.latency");
    assert.equal(turns.length, 2);
    assert.match(
      logged,
      new RegExp(
        `^session 1 \\(${line}\\) ended \\(1000, remote\\): 2 phrases, 2 replies, 0 barge-ins; session_ms=`,
      ),
    );
  });

  Deno.test(`demo ${line} line: talking over the parrot interrupts it within one chunk of the detector, drops its stale audio, and says what was heard`, async () => {
    const { report, view } = await parrotCall(line, { bargeInAfterMs: 700 });
    assert.equal(report.ended.by, "caller", report.ended.detail);
    assert.deepEqual(report.violations, []);
    const [bargeIn] = report.bargeIns;
    assert.ok(bargeIn, "the simulator talked over the first reply");
    // The detector is sure after MIN_SPEECH_MS (to its 10 ms window); the clear leaves at once
    // and the far end stops within the chunk that was playing.
    assert.ok(
      bargeIn.stopLatencyMs! >= MIN_SPEECH_MS &&
        bargeIn.stopLatencyMs! <= MIN_SPEECH_MS + 10 + CHUNK_MS,
      `stopped ${bargeIn.stopLatencyMs} ms after the caller cut in`,
    );
    assert.equal(bargeIn.staleAudioMs, 0, "nothing of the reply played after the clear");

    // The server's view: "interrupted" with what the caller heard of parrot-1, against what the
    // far end really played of it (up to the barge-in, then the talked-over part).
    const [interrupted, ...more] = ofType(view, "interrupted");
    assert.equal(more.length, 0);
    assert.equal(interrupted!.responseId, "parrot-1");
    assert.equal(interrupted!.responseMs, 1700);
    // The simulator cuts in 700 ms after the reply became audible, past its quiet margin.
    const played = MARGIN_MS + 700 + bargeIn.talkedOverMs;
    if (line === "phone") {
      // Acknowledged: within one mark interval (and a chunk) of the truth.
      assert.equal(interrupted!.acknowledged, true);
      assert.ok(
        Math.abs(interrupted!.heardMs - played) <= MARK_INTERVAL_MS + CHUNK_MS,
        `heard ${interrupted!.heardMs} ms by the marks, ${played} ms played`,
      );
      // Every mark came back: played, or at once on the clear (which the transport, having
      // forgotten the cleared marks, does not count as acknowledged).
      assert.equal(report.marks.pending + report.marks.dropped, 0);
      assert.ok(report.marks.acked > 0);
      const progress = ofType(view, "progress").at(-1)!;
      assert.equal(progress.stats.marksSent, report.marks.requested);
      assert.equal(progress.stats.marksAcknowledged, report.marks.acked);
    } else {
      // Estimated: the simulated page plays audio as it arrives, as the estimate assumes.
      assert.equal(interrupted!.acknowledged, false);
      assert.ok(
        Math.abs(interrupted!.heardMs - played) <= CHUNK_MS,
        `heard ${interrupted!.heardMs} ms by the estimate, ${played} ms played`,
      );
      assert.equal(report.marks.requested, 0);
    }
    // The parrot went on writing the rest of parrot-1 (as a slow TTS would); all of it was
    // dropped as stale, and said so once.
    assert.deepEqual(ofType(view, "staleaudio").map((m) => m.responseId), ["parrot-1"]);
    // Every ms of the 1.7 s reply is accounted for: heard, dropped by the interruption (queued,
    // or sent and not yet played), or dropped later as stale.
    const { stats } = ofType(view, "progress").at(-1)!;
    assert.ok(
      Math.abs(stats.audioMsStale - (1700 - interrupted!.heardMs - interrupted!.droppedMs)) < 1,
      `${stats.audioMsStale} ms stale, ${interrupted!.heardMs} heard, ${
        interrupted!.droppedMs
      } dropped`,
    );
    assert.ok(stats.audioMsStale >= CHUNK_MS);
    const stop = ofType(view, "speakingstop").find((s) => s.responseId === "parrot-1")!;
    assert.equal(stop.reason, "interrupted");
    assert.equal(stop.heardMs, interrupted!.heardMs);
    // The barge-in speech ran into the caller's second phrase (300 ms apart, under
    // MIN_SILENCE_MS): one phrase, said back in full as parrot-2.
    const last = ofType(view, "speakingstop").at(-1)!;
    assert.deepEqual([last.responseId, last.reason], ["parrot-2", "played"]);
    const metric = ofType(view, "metric").find((m) => m.name === "voice.barge_in.stop_latency")!;
    assert.ok(Math.abs(metric.value - bargeIn.stopLatencyMs!) <= CHUNK_MS, JSON.stringify(metric));
    const ended = view.at(-1)!;
    assert.equal(ended.type, "ended");
    assert.equal(ended.snapshot.interruptions, 1);
    assert.equal(ended.snapshot.bargeInStopLatency.count, 1);
  });
}

// ---- The page's view: the documented shape --------------------------------------------------

/** Each message's fields besides `type` and `t`, with their JSON types, as documented. */
const SHAPES: Record<string, Record<string, string>> = {
  hello: {
    line: "string",
    chunkMs: "number",
    sendAheadMs: "number",
    playoutDelayMs: "number",
    acknowledged: "boolean",
    markIntervalMs: "number",
  },
  connected: {},
  start: { streamSid: "string|null", callSid: "string|null" },
  caller: { speaking: "boolean", at: "number", durationMs: "number|null" },
  response: { responseId: "string", durationMs: "number" },
  sent: {
    responseId: "string|null",
    fromMs: "number",
    toMs: "number",
    firstSentAt: "number",
    lastSentAt: "number",
  },
  speakingstart: {
    responseId: "string|null",
    heardMs: "number",
    sentMs: "number",
    acknowledged: "boolean",
  },
  speakingstop: {
    responseId: "string|null",
    heardMs: "number",
    sentMs: "number",
    acknowledged: "boolean",
    reason: "string|null",
  },
  interrupted: {
    responseId: "string|null",
    heardMs: "number",
    droppedMs: "number",
    acknowledged: "boolean",
    responseMs: "number|null",
  },
  staleaudio: { responseId: "string|null" },
  progress: { playback: "object", stats: "object", dropped: "number" },
  metric: { name: "string", value: "number", unit: "string" },
  metrics: { snapshot: "object" },
  error: { code: "string", message: "string" },
  ended: {
    code: "number",
    reason: "string",
    initiator: "string",
    summary: "string",
    snapshot: "object",
    dropped: "number",
  },
  expired: {},
};
const PLAYBACK: Record<string, string> = {
  speaking: "boolean",
  responseId: "string|null",
  heardMs: "number",
  sentMs: "number",
  queuedMs: "number",
  acknowledged: "boolean",
};
const STATS: Record<string, string> = {
  audioMsSent: "number",
  audioMsInterrupted: "number",
  audioMsStale: "number",
  interruptions: "number",
  marksSent: "number",
  marksAcknowledged: "number",
  decodeErrors: "number",
};

function jsonType(value: unknown): string {
  return value === null ? "null" : typeof value;
}

/** Asserts that `value` has exactly the fields of `shape` (plus `extra`), of their types. */
function assertShape(value: ViewMessage, shape: Record<string, string>, extra: string[] = []) {
  const what = JSON.stringify(value).slice(0, 200);
  assert.deepEqual(Object.keys(value).sort(), [...Object.keys(shape), ...extra].sort(), what);
  for (const [key, types] of Object.entries(shape)) {
    assert.ok(types.split("|").includes(jsonType(value[key])), `${key} of ${what}`);
  }
}

function assertDocumented(view: ViewMessage[], line: "phone" | "wideband") {
  for (const message of view) {
    const shape = SHAPES[message.type];
    assert.ok(shape, `an undocumented message: ${JSON.stringify(message)}`);
    assertShape(message, shape, ["type", "t"]);
    assert.equal(typeof message.t, "number");
    if (message.type === "progress") {
      assertShape(message.playback, PLAYBACK);
      assertShape(message.stats, STATS);
    }
    if (message.type === "metrics" || message.type === "ended") {
      for (const key of ["inbound", "outbound", "turnLatency", "bargeInStopLatency"]) {
        assert.equal(typeof message.snapshot[key], "object", key);
      }
    }
  }
  // In order: "hello" first, "ended" last and once, time never going back.
  assert.equal(view[0]!.type, "hello");
  assert.equal(view[0]!.line, line);
  assert.equal(view.at(-1)!.type, "ended");
  assert.equal(ofType(view, "ended").length, 1);
  assert.equal(view.at(-1)!.dropped, 0, "a page that reads its view misses none of it");
  for (let i = 1; i < view.length; i++) assert.ok(view[i]!.t >= view[i - 1]!.t, `t at ${i}`);
  assert.ok(
    view.findIndex((m) => m.type === "connected") < view.findIndex((m) => m.type === "sent"),
  );
  // "sent" runs grow in place, and the runs tile the outbound timeline from 0 without a gap:
  // where a response begins there is where the page finds it among the samples it received.
  const runs = new Map<number, ViewMessage>();
  for (const run of ofType(view, "sent")) {
    const known = runs.get(run.fromMs);
    if (known) {
      assert.equal(known.responseId, run.responseId);
      assert.ok(run.toMs > known.toMs && run.lastSentAt >= known.lastSentAt);
    }
    runs.set(run.fromMs, run);
  }
  let position = 0;
  for (const run of [...runs.values()].sort((a, b) => a.fromMs - b.fromMs)) {
    assert.equal(run.fromMs, position, `the run of ${run.responseId}`);
    position = run.toMs;
  }
  assert.equal(position, ofType(view, "progress").at(-1)!.stats.audioMsSent);
}

for (const line of ["phone", "wideband"] as const) {
  Deno.test(`demo ${line} line: every message of the page's view has the documented shape, in order`, async () => {
    const { view } = await parrotCall(line, { bargeInAfterMs: 700 });
    assertDocumented(view, line);
    const types = new Set(view.map((m) => m.type));
    for (
      const type of [
        "hello",
        "connected",
        "caller",
        "response",
        "sent",
        "speakingstart",
        "speakingstop",
        "interrupted",
        "staleaudio",
        "progress",
        "metric",
        "metrics",
        "ended",
      ]
    ) {
      assert.ok(types.has(type), `no ${type} message`);
    }
    assert.equal(types.has("start"), line === "phone");
    const [start] = ofType(view, "start");
    if (start) assert.match(start.streamSid, /^MZ[0-9a-f]{32}$/);
  });
}

// ---- A long session ---------------------------------------------------------------------------

/**
 * `ms` of 16 kHz PCM16 noise in 20 ms frames, each sample within ±`amplitude`: loud, speech to
 * the detector; faint, the line's noise (which its floor follows: it keeps its floor through
 * digital silence once the line has run a while).
 */
function noiseFrames(ms: number, amplitude: number): Uint8Array[] {
  let seed = 1;
  return Array.from({ length: ms / CHUNK_MS }, () => {
    const samples = new Int16Array(16 * CHUNK_MS);
    for (let i = 0; i < samples.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      samples[i] = (seed % (2 * amplitude + 1)) - amplitude;
    }
    return new Uint8Array(samples.buffer);
  });
}

/** Runs `fn` with `Promise.all` watched: the length of each list it was given. */
async function promiseAllLengths(fn: () => Promise<void>): Promise<number[]> {
  const all = Promise.all;
  const lengths: number[] = [];
  Promise.all = ((values: Iterable<unknown>) => {
    const list = [...values];
    lengths.push(list.length);
    return all.call(Promise, list);
  }) as typeof Promise.all;
  try {
    await fn();
  } finally {
    Promise.all = all;
  }
  return lengths;
}

Deno.test("demo parrot: a long session keeps no trace of the replies it has finished writing", async () => {
  // The parrot awaits the replies still being written when the session ends: a list of every
  // reply of the session would grow with it, a promise per reply, however long it runs.
  const REPLIES = 50;
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: CHUNK_MS },
    clock: new FakeClock(), // never ticks: no audio leaves, and a reply is written at once…
    maxQueuedMs: REPLIES * 1000, // …into a queue with room for all of them
  });
  let replied = Promise.withResolvers<void>();
  const parrot = runParrot(transport, {
    onEvent: (event) => void (event.type === "reply" && replied.resolve()),
  });
  const quiet = noiseFrames(700, 30);
  const phrase = [...noiseFrames(300, 8000), ...quiet];
  for (const frame of quiet) client.send(frame);
  for (let i = 1; i <= REPLIES; i++) {
    for (const frame of phrase) client.send(frame);
    await within(replied.promise, 5000, `reply ${i}`);
    replied = Promise.withResolvers<void>();
  }
  const lengths = await promiseAllLengths(async () => {
    client.close(1000);
    assert.equal((await parrot).replies, REPLIES);
  });
  // Every reply had been written: what the parrot awaited at the end is none of them.
  assert.ok(lengths.length > 0, "the parrot awaited what it was writing");
  assert.ok(Math.max(...lengths) <= 1, `Promise.all of lists of ${lengths.join(", ")}`);
});

Deno.test("demo phone line: the transport marks every markIntervalMs of audio, as its hello says, all through a reply whose marks all agree", async () => {
  // The page's figures ("acknowledged: the page's player acked the marks") rest on a mark every
  // `markIntervalMs` of audio, the cadence "hello" names. A far end that plays exactly where the
  // estimate says (the simulator's Twilio) is the one the transport would widen the cadence for
  // (up to `maxMarkIntervalMs`): the demo pins it, so "hello" stays true for the whole call.
  const { report, view } = await parrotCall("phone", { utterancesMs: [3000] });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(report.violations, []);
  const [hello] = ofType(view, "hello");
  assert.equal(hello!.markIntervalMs, MARK_INTERVAL_MS);
  const replies = ofType(view, "response");
  assert.deepEqual(replies.map((r) => r.durationMs), [3200]);
  // A mark leaves with the first chunk that completes an interval of audio since the last one:
  // at most an interval and a chunk apart, so that many at least in the reply, all acknowledged.
  const atLeast = replies.reduce(
    (n, r) => n + Math.floor(r.durationMs / (MARK_INTERVAL_MS + CHUNK_MS)),
    0,
  );
  assert.ok(
    report.marks.requested >= atLeast,
    `${report.marks.requested} marks for a reply of 3.2 s: ${atLeast} or more`,
  );
  assert.equal(report.marks.acked, report.marks.requested);
});
