// simulateCall against a bot built from this package's transport and Twilio serializer, both on
// one FakeClock over real sockets (see _lockstep.ts), so the report's figures are checked
// against exact truths: the bot's own delays and the audio's known speech segments.
import assert from "node:assert/strict";
import { BackgroundAudio } from "../../src/mixing/background_audio.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { type CallReport, simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { type BotOptions, callBot } from "./_bot.ts";
import { dropDenoSocket } from "../../src/_terminate.ts";

/** One frame of the Twilio far end. */
const FRAME_MS = 20;

function call(
  bot: Partial<BotOptions>,
  options: Partial<Parameters<typeof simulateCall>[1]> = {},
) {
  return callBot({ serializer: () => new TwilioSerializer(), ...bot }, {
    protocol: "twilio",
    audio: syntheticCaller({ utterancesMs: [1000, 800], pauseMs: 2000 }),
    lingerMs: 1500,
    ...options,
  });
}

Deno.test("simulateCall reports a bot that answers 500 ms after each utterance as 500 ms ± one frame", async () => {
  const { report, session } = await call({ answerDelayMs: 500, answerMs: 600 });
  assert.equal(report.ended.by, "caller");
  assert.deepEqual(report.violations, []);
  assert.equal(report.utterances.length, 2);
  // The caller spoke at 2.0–3.0 s and 5.0–5.8 s of the call (Twilio streams from the start).
  assert.deepEqual(report.utterances.map((u) => [u.startMs, u.endMs]), [[2000, 3000], [
    5000,
    5800,
  ]]);
  for (const utterance of report.utterances) {
    assert.ok(
      Math.abs(utterance.latencyMs! - 500) <= FRAME_MS,
      `latency ${utterance.latencyMs} ms for the utterance ending at ${utterance.endMs}`,
    );
  }
  assert.equal(session.answers.length, 2);
  assert.ok(
    Math.abs(report.firstAudibleMs! - 3500) <= FRAME_MS,
    `first audio at ${report.firstAudibleMs}`,
  );
  // Heard no earlier than it arrived, whatever the detector's blocks round to.
  assert.ok(report.firstAudibleMs! >= report.firstAudioMs!, `${report.firstAudioMs}`);
  // A paced bot never lets the far end run dry, nor floods it.
  assert.equal(report.audio.underruns, 0);
  assert.equal(report.audio.earlyChunks, 0);
  assert.ok(report.audio.leadMs!.max <= 40, `lead up to ${report.audio.leadMs!.max} ms`);
});

Deno.test("simulateCall gives the bot lingerMs after the caller's audio ends, however long the call has been quiet", async () => {
  // The audio ends 200 ms after its only utterance (at 1.4 s of the call) and the bot answers 500
  // ms after the utterance, past the audio's end: 1.7 s into a call whose linger is 1.5 s. The
  // bot has been quiet since the call began, but the caller waits for an answer from the moment
  // it stopped talking.
  const { report, session } = await call({ answerDelayMs: 500, answerMs: 600 }, {
    audio: syntheticCaller({ utterancesMs: [1000], pauseMs: 200 }),
  });
  assert.equal(session.answers.length, 1);
  assert.equal(report.utterances.length, 1);
  const latency = report.utterances[0]!.latencyMs;
  assert.ok(latency !== null && Math.abs(latency - 500) <= FRAME_MS, `latency ${latency} ms`);
  assert.equal(report.ended.by, "caller");
  // Then it hangs up once the answer (played from 1.7 to 2.3 s) has been followed by 1.5 s of
  // quiet: counted from the answer's last sound, not from when the simulator's detector let go of
  // it (its 250 ms hangover later).
  const quietFor = report.ended.atMs - 2300;
  assert.ok(Math.abs(quietFor - 1500) <= 2 * FRAME_MS, `hung up after ${quietFor} ms of quiet`);
});

Deno.test("simulateCall reports a bot whose connection drops mid-call (a crash) as the network, not as a hang-up", async () => {
  // The bot's process dying: its TCP connection goes without a close frame. Deno's client then
  // reports code 0 and no clean close, which is 1006 (RFC 6455 §7.1.5): the call must not pass.
  let received = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {
      if (++received === 10) dropDenoSocket(socket);
    };
    return response;
  });
  try {
    const report = await simulateCall(`ws://127.0.0.1:${server.addr.port}`, {
      protocol: "raw",
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 600 }),
      lingerMs: 600,
    });
    assert.equal(report.ended.by, "network");
    assert.equal(report.ended.code, 1006);
  } finally {
    await server.shutdown();
  }
});

Deno.test("simulateCall counts a barge-in as the caller talking: the bot gets lingerMs from its end to answer it", async () => {
  // The audio (one utterance, 0.3–0.9 s) ends at 1.2 s; the bot answers at 1.4 s and the caller
  // talks over it at 1.8 s for 1.2 s. The bot clears, and answers the barge-in 500 ms after it
  // ends (3.5 s): within the 1 s linger counted from the barge-in's end, not from the bot's
  // last sound before it (1.8 s), which would hang up the moment the barge-in ends.
  const { report, session } = await call(
    { answerDelayMs: 500, answerMs: 3000, onBargeIn: "interrupt" },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 300 }),
      bargeIn: { afterMs: 400, durationMs: 1200, count: 1 },
      lingerMs: 1000,
    },
  );
  assert.equal(session.answers.length, 2, "the barge-in was answered");
  assert.equal(report.ended.by, "caller");
  assert.ok(report.ended.atMs > 3500, `ended at ${report.ended.atMs} ms`);
});

Deno.test("simulateCall at speed max sends the silence after the caller's audio in real time", async () => {
  let messages = 0;
  const { report } = await call({ answerDelayMs: 500, answerMs: 600 }, {
    audio: syntheticCaller({ utterancesMs: [600], pauseMs: 300 }),
    speed: Infinity,
    lingerMs: 1000,
  });
  messages = report.messages.sent;
  // 1.2 s of audio is 60 frames whatever the speed; the silence after it, until the caller hangs
  // up about 1 s after the bot's answer, is some 100 more at 20 ms, not thousands.
  assert.ok(messages < 300, `${messages} messages for a ${report.ended.atMs} ms call`);
  assert.equal(report.ended.by, "caller");
});

Deno.test("simulateCall says why the handshake failed: the server's status, not only that it did", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("delay_ms must be a whole number\n", { status: 400 }),
  );
  try {
    const report = await simulateCall(`ws://127.0.0.1:${server.addr.port}/ws?delay_ms=abc`, {
      protocol: "raw",
    });
    assert.equal(report.ended.by, "error");
    assert.match(report.ended.detail, /could not connect to .*: .*400/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("simulateCall acknowledges a mark only when the audio before it has played", async () => {
  // The bot speaks 8 kHz, Twilio's rate: no resampler holds any of its audio back.
  const { report, session } = await call({ answerDelayMs: 500, answerMs: 600, sampleRate: 8000 });
  assert.equal(report.marks.requested, 2);
  assert.equal(report.marks.acked, 2);
  assert.deepEqual(session.marks.map((m) => m.name), ["answer-1", "answer-2"]);
  // Each answer is 600 ms long and starts playing the moment it arrives: the mark comes back
  // exactly when its last sample has played, not when it was sent (well before, as the
  // transport sends a chunk ahead).
  for (const [i, mark] of session.marks.entries()) {
    assert.equal(mark.atMs, session.answers[i]!.atMs + 600, `mark ${mark.name}`);
  }
  assert.ok(report.marks.ackDelayMs!.min > 0);
});

Deno.test("simulateCall times a one-chunk answer as it does a long one: no chunk of lag at the far end", async () => {
  // Twilio's Media Streams docs (twilio.com/docs/voice/media-streams/websocket-messages, "Mark
  // message"): a mark sent after media is sent back once the media before it has played. An
  // answer of one 20 ms chunk has played 20 ms after it arrived, as a long one has played its
  // length after: neither the far end's buffer nor the report adds a chunk to the short one.
  const short = await call({ answerDelayMs: 500, answerMs: 20, sampleRate: 8000 });
  const long = await call({ answerDelayMs: 500, answerMs: 600, sampleRate: 8000 });
  for (const [i, mark] of short.session.marks.entries()) {
    assert.equal(mark.atMs, short.session.answers[i]!.atMs + 20, `mark ${mark.name}`);
  }
  assert.equal(short.session.marks.length, 2);
  assert.deepEqual(
    short.report.utterances.map((u) => u.latencyMs),
    long.report.utterances.map((u) => u.latencyMs),
  );
  assert.deepEqual(short.report.utterances.map((u) => u.latencyMs), [500, 500]);
});

Deno.test("simulateCall measures how fast a bot that clears on barge-in stops, and finds no stale audio", async () => {
  const { report, session } = await call(
    { answerDelayMs: 300, answerMs: 3000, onBargeIn: "interrupt" },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
      bargeIn: { afterMs: 400, durationMs: 800 },
      hangUpAtMs: 6000,
    },
  );
  assert.deepEqual(report.violations, []);
  assert.ok(report.bargeIns.length >= 1);
  const [first] = report.bargeIns;
  // The caller cut in 400 ms into the answer; the bot heard it one 20 ms frame later and cleared.
  assert.equal(first!.atMs, report.utterances[0]!.responseStartMs! + 400);
  assert.ok(first!.clearAtMs !== null);
  assert.ok(first!.stopLatencyMs! <= 2 * FRAME_MS + 10, `stopped after ${first!.stopLatencyMs} ms`);
  assert.equal(first!.staleAudioMs, 0);
  assert.equal(session.interrupts.length, report.bargeIns.length);
  // The pending mark of the cleared answer came back at once, as Twilio does.
  assert.equal(report.marks.ackedOnClear, 0); // the bot marks only answers it finished
});

Deno.test("simulateCall catches a bot that talks on over a barge-in", async () => {
  const { report } = await call(
    { answerDelayMs: 300, answerMs: 3000, onBargeIn: "ignore" },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
      bargeIn: { afterMs: 400, durationMs: 800 },
      hangUpAtMs: 6000,
    },
  );
  const [first] = report.bargeIns;
  assert.equal(first!.clearAtMs, null);
  assert.ok(first!.talkedOverMs >= 780, `talked over the caller for ${first!.talkedOverMs} ms`);
  // It talked on to the end of its answer, and then answered the barge-in on top: it did not
  // stop within 2 s, if at all before the caller hung up.
  assert.ok(
    first!.stopLatencyMs === null || first!.stopLatencyMs >= 2000,
    `stopped after ${first!.stopLatencyMs} ms`,
  );
});

Deno.test("simulateCall catches stale audio a bot sends after its own clear", async () => {
  const { report } = await call(
    { answerDelayMs: 300, answerMs: 3000, onBargeIn: "stale" },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
      bargeIn: { afterMs: 400, durationMs: 800 },
      hangUpAtMs: 6000,
    },
  );
  const [first] = report.bargeIns;
  assert.ok(first!.clearAtMs !== null);
  assert.ok(first!.staleAudioMs! >= 700, `stale audio ${first!.staleAudioMs} ms`);
});

Deno.test("simulateCall records what the caller said and heard, with the cleared audio never heard", async () => {
  const { report } = await call(
    { answerDelayMs: 300, answerMs: 3000, onBargeIn: "interrupt", sampleRate: 8000 },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
      bargeIn: { afterMs: 400, durationMs: 800, count: 1 },
      hangUpAtMs: 4000,
      record: true,
    },
  );
  const wav = report.recording!;
  const view = new DataView(wav.buffer, wav.byteOffset);
  assert.equal(view.getUint16(22, true), 2);
  assert.equal(view.getUint32(24, true), 8000);
  const frames = (wav.length - 44) / 4;
  const level = (channel: 0 | 1, fromMs: number, toMs: number) => {
    let peak = 0;
    for (let i = Math.round(fromMs * 8); i < Math.min(frames, Math.round(toMs * 8)); i++) {
      peak = Math.max(peak, Math.abs(view.getInt16(44 + i * 4 + channel * 2, true)));
    }
    return peak;
  };
  const [barge] = report.bargeIns;
  const answer = report.utterances[0]!.responseStartMs!;
  // Left: the caller's utterance (1.0–1.6 s) and the barge-in; right: the answer until the clear,
  // then silence while the caller speaks.
  assert.ok(level(0, 1000, 1600) > 5000);
  assert.ok(level(0, barge!.atMs, barge!.endMs) > 5000);
  assert.ok(level(1, answer, barge!.atMs) > 5000);
  assert.equal(level(1, barge!.clearAtMs! + 1, barge!.endMs), 0);
  assert.equal(level(0, 1700, answer), 0);
});

Deno.test("simulateCall times a bot that plays background audio once speechThresholdDbfs is above the background", async () => {
  // A hum at about -33 dBFS under the bot's tone (-14 dBFS): above the default threshold (-45),
  // so the bot would sound all the time; with the threshold at -25 only its answers count.
  const hum = new Int16Array(1600).map((_, i) => Math.round(1000 * Math.sin(i / 5)));
  const { report, session } = await call({
    answerDelayMs: 500,
    answerMs: 600,
    transport: { background: new BackgroundAudio(hum, { sampleRate: 16000, volume: 1 }) },
  }, { speechThresholdDbfs: -25 });
  assert.equal(session.answers.length, 2);
  assert.equal(report.ended.by, "caller");
  for (const utterance of report.utterances) {
    assert.ok(
      Math.abs(utterance.latencyMs! - 500) <= FRAME_MS,
      `latency ${utterance.latencyMs} ms for the utterance ending at ${utterance.endMs}`,
    );
  }
});

Deno.test("simulateCall judges what the bot sends the moment the socket opens, before the far end has spoken", async () => {
  // A socket whose "open" and first messages come in one task, as a runtime may deliver them for
  // a bot that sends on open: the messages arrive before the far end is opened.
  class OpensSending extends EventTarget {
    readyState = 0;
    binaryType = "arraybuffer";
    readonly sent: (string | ArrayBuffer | ArrayBufferView)[] = [];
    constructor(messages: (string | Uint8Array)[]) {
      super();
      setTimeout(() => {
        this.readyState = 1;
        this.dispatchEvent(new Event("open"));
        for (const data of messages) {
          const copy = typeof data === "string" ? data : data.slice().buffer;
          this.dispatchEvent(new MessageEvent("message", { data: copy }));
        }
      }, 0);
    }
    send(data: string | ArrayBuffer | ArrayBufferView): void {
      this.sent.push(data);
    }
    close(code = 1000, reason = ""): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      setTimeout(
        () => this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean: true })),
        0,
      );
    }
  }
  // Asterisk's chan_websocket: the bot's binary media, 20 ms of µ-law each.
  const greeting = Array.from({ length: 10 }, (_, i) => new Uint8Array(160).fill(16 + i));
  const report = await simulateCall("ws://bot.invalid/", {
    protocol: "asterisk",
    audio: syntheticCaller({ utterancesMs: [200], pauseMs: 200 }),
    hangUpAtMs: 400,
    connect: () => new OpensSending(greeting),
  });
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.messages.received, 10);
});

Deno.test("simulateCall does not barge in on the bot's answer to a barge-in: a parrot's call ends", async () => {
  // A bot that answers every sound, the barge-in too (as the demo's parrot does): barging in on
  // each answer would go on until maxDurationMs. The caller listens to the answer to its
  // interruption, and hangs up after the linger as usual.
  const { report, session } = await call(
    { answerDelayMs: 500, answerMs: 3000, onBargeIn: "interrupt" },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 300 }),
      bargeIn: { afterMs: 400, durationMs: 1200 },
      lingerMs: 1000,
      maxDurationMs: 60_000,
    },
  );
  assert.equal(report.bargeIns.length, 1, "one barge-in: on the answer to the caller's words");
  assert.equal(session.answers.length, 2, "the barge-in was answered, and heard out");
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.ok(report.ended.atMs < 10_000, `ended at ${report.ended.atMs} ms`);
});

/** A call of two utterances whose every answer the caller barges in on `afterMs` into it. */
function bargingCall(pauseMs: number, afterMs: number) {
  return call(
    { answerDelayMs: 500, answerMs: 3000, onBargeIn: "interrupt" },
    {
      audio: syntheticCaller({ utterancesMs: [600, 600], pauseMs }),
      bargeIn: { afterMs, durationMs: 1200 },
      lingerMs: 1500,
      maxDurationMs: 60_000,
    },
  );
}

/** The caller's own utterances, after asserting that no barge-in was spoken over one. */
function callerWordsUncovered(report: CallReport): CallReport["utterances"] {
  const caller = report.utterances.filter((u) => u.source !== "barge-in");
  for (const b of report.utterances.filter((u) => u.source === "barge-in")) {
    for (const u of caller) {
      assert.ok(
        b.startMs >= u.endMs! || b.endMs! <= u.startMs,
        `barge-in ${b.startMs}–${b.endMs} over the caller's words ${u.startMs}–${u.endMs}`,
      );
    }
  }
  return caller;
}

Deno.test("simulateCall never barges in over the caller's own words, and barges in on the answer to them", async () => {
  // The caller's second utterance begins while the bot still answers the barge-in on its answer
  // to the first: no barge-in is mixed over the caller's words, and the answer to the second
  // utterance gets its barge-in. (The synthetic caller's known speech segments are the caller's.)
  const { report } = await bargingCall(3600, 400);
  const caller = callerWordsUncovered(report);
  const injected = report.bargeIns.filter((b) => b.source === "injected");
  assert.equal(injected.length, 2, JSON.stringify(report.bargeIns.map((b) => b.atMs)));
  assert.ok(injected[1]!.atMs > caller[1]!.endMs!, "the second on the answer to the second");
  // The caller's second utterance, begun over the bot's answer, is a barge-in of its own.
  assert.deepEqual(
    report.bargeIns.filter((b) => b.source === "utterance").map((b) => b.atMs),
    [caller[1]!.startMs],
  );
});

Deno.test("simulateCall does not start a barge-in that would run into the caller's next words", async () => {
  // With the caller's speech known, a barge-in due just before its next utterance would cover it.
  const { report } = await bargingCall(2000, 1100);
  callerWordsUncovered(report);
});

Deno.test("simulateCall reports the caller's own utterance over the bot as a barge-in: when, how long it talked over the bot, how fast the bot stopped", async () => {
  // The caller speaks at 2.0–3.0 s and 5.0–5.8 s; the 3 s answer to the first plays from 3.5 s,
  // and the bot cuts it when the caller speaks again. No barge-in is injected.
  const { report, session } = await call({
    answerDelayMs: 500,
    answerMs: 3000,
    onBargeIn: "interrupt",
  });
  assert.equal(session.interrupts.length, 1);
  assert.equal(report.bargeIns.length, 1, JSON.stringify(report.bargeIns));
  const [barge] = report.bargeIns;
  assert.equal(barge!.source, "utterance");
  assert.deepEqual([barge!.atMs, barge!.endMs], [5000, 5800]);
  assert.ok(barge!.clearAtMs !== null && barge!.clearAtMs >= 5000, `clear at ${barge!.clearAtMs}`);
  // The bot hears the caller a frame or two in, clears at once, and the far end stops then.
  assert.ok(
    barge!.stopLatencyMs !== null && barge!.stopLatencyMs <= 3 * FRAME_MS,
    `stopped after ${barge!.stopLatencyMs} ms`,
  );
  assert.ok(
    barge!.talkedOverMs > 0 && barge!.talkedOverMs <= barge!.stopLatencyMs!,
    `talked over ${barge!.talkedOverMs} ms`,
  );
  assert.equal(barge!.staleAudioMs, 0);
});
