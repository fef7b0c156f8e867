// The self-hosted platforms' far ends (Asterisk chan_websocket, jambonz listen, FreeSWITCH
// mod_audio_fork) against bots built from this package's serializers, on one FakeClock over real
// sockets through a real WebSocketTransport. The far ends were written from each platform's
// documentation and never import a serializer, so each run checks both sides: the call connects,
// carries audio and DTMF, answers in 500 ms ± one frame, breaks no rule, gets its marks
// acknowledged when played; a barge-in flushes the far end at once; the transport's idea of what
// the caller heard when it interrupted is within 250 ms (at most one mark interval) of what the
// far end played; and Asterisk's flow control pauses the transport without losing audio.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { FrameSerializer, SerializerContext } from "../../src/serializer.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import type { WebSocketLike } from "../../src/socket.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { type BotOptions, type BotSession, serveBot } from "./_bot.ts";
import { Lockstep } from "../_lockstep.ts";

interface Case {
  protocol: string;
  serializer: () => FrameSerializer;
  /** The far end's caller frame, the resolution of latency figures. */
  frameMs: number;
  /** Whether the opening message carries the custom parameters. */
  params: boolean;
  /** Whether the platform carries keypad presses. */
  dtmf: boolean;
  /**
   * How much audio the platform gathers before it plays any (mod_audio_fork's pre-buffer: 1280
   * samples of the channel's rate the first time, `lws_glue.cpp:108`, `:487`), which delays the
   * answer.
   */
  preBufferMs?: number;
  platform?: SimulateCallOptions["platform"];
  bot?: Partial<BotOptions>;
  transport?: TransportOptions;
}

const CASES: Case[] = [
  {
    protocol: "asterisk",
    serializer: () => new AsteriskSerializer(),
    frameMs: 20,
    // Plain-text MEDIA_START has no channel variables (the page's footnote 2).
    params: false,
    dtmf: true,
  },
  {
    protocol: "asterisk-json",
    serializer: () => new AsteriskSerializer(),
    frameMs: 20,
    params: true,
    dtmf: true,
  },
  {
    protocol: "asterisk",
    serializer: () => new AsteriskSerializer(),
    frameMs: 20,
    params: false,
    dtmf: true,
    // A wideband channel: Dial(WebSocket/…/c(slin16)).
    platform: { encoding: "slin16" },
  },
  {
    protocol: "jambonz",
    serializer: () => new JambonzSerializer(),
    frameMs: 20,
    params: true,
    dtmf: true,
    preBufferMs: 160,
  },
  {
    protocol: "jambonz",
    serializer: () => new JambonzSerializer(),
    frameMs: 20,
    params: true,
    dtmf: true,
    preBufferMs: 80,
    platform: { sampleRate: 16000 },
  },
  {
    protocol: "freeswitch",
    serializer: () => new FreeSwitchSerializer(),
    frameMs: 20,
    params: true,
    // mod_audio_fork has no DTMF message of its own.
    dtmf: false,
    preBufferMs: 160,
  },
  {
    protocol: "freeswitch",
    serializer: () => new FreeSwitchSerializer({ sampleRate: 16000 }),
    frameMs: 20,
    params: true,
    dtmf: false,
    preBufferMs: 80,
    platform: { sampleRate: 16000 },
  },
];

const name = (c: Case) =>
  `${c.protocol}${c.platform?.encoding ? ` (${c.platform.encoding})` : ""}${
    c.platform?.sampleRate ? ` (${c.platform.sampleRate} Hz)` : ""
  }`;

interface Run {
  report: CallReport;
  session: BotSession;
  transports: WebSocketTransport[];
  interrupted: SpeakingEvent[];
  /** Every "speakingstop", with when it came (the fake clock's ms). */
  stops: { event: SpeakingEvent; atMs: number }[];
}

async function run(
  c: Case,
  bot: Partial<BotOptions>,
  call: Partial<SimulateCallOptions>,
  /** Sees the caller's socket as it opens (to watch the wire). */
  tap?: (socket: WebSocketLike) => void,
): Promise<Run> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const interrupted: SpeakingEvent[] = [];
  const stops: Run["stops"] = [];
  const server = serveBot({
    clock,
    serializer: c.serializer,
    onSession: (t) => {
      lockstep.register(t);
      t.addEventListener("speakingstop", (e) => {
        stops.push({ event: e, atMs: clock.now() });
        if (e.reason === "interrupted") interrupted.push(e);
      });
    },
    answerDelayMs: 500,
    answerMs: 800,
    // The transport's playout marks on (the shared test bot turns them off to count only its
    // own): heardMs rests on the far end's acknowledgements here.
    transport: { markIntervalMs: 250, ...c.transport },
    ...c.bot,
    ...bot,
  });
  try {
    const report = await lockstep.run(simulateCall(server.url, {
      protocol: c.protocol,
      clock,
      connect: (url) => {
        const socket = lockstep.connectCaller(url);
        tap?.(socket);
        return socket;
      },
      platform: { customParameters: { customer: "c-42" }, ...c.platform },
      audio: syntheticCaller({ utterancesMs: [1000, 1200], pauseMs: 2000 }),
      dtmf: [{ atMs: 1000, digit: "7" }],
      lingerMs: 1500,
      ...call,
    }));
    return {
      report,
      session: server.sessions[0]!,
      transports: lockstep.transports,
      interrupted,
      stops,
    };
  } finally {
    await server.close();
  }
}

for (const c of CASES) {
  Deno.test(`simulateCall as ${name(c)} talks to our serializer: 500 ms answers, marks played, no violations`, async () => {
    const { report, session } = await run(c, {}, {});
    assert.equal(report.protocol, c.protocol);
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.equal(report.ended.by, "caller", report.ended.detail);
    assert.equal(report.utterances.length, 2);
    for (const u of report.utterances) {
      // Never early; late by at most the platform's pre-buffer (and one frame).
      const late = u.latencyMs! - 500;
      assert.ok(
        late >= -c.frameMs && late <= (c.preBufferMs ?? 0) + c.frameMs,
        `latency ${u.latencyMs} ms`,
      );
    }
    assert.equal(report.audio.underruns, 0);
    if (c.params) {
      const start = session.starts[0] as { params?: Record<string, string> } | undefined;
      assert.equal(start?.params?.customer, "c-42", JSON.stringify(session.starts));
    }
    // The bot's own marks plus the transport's playout marks, every one acknowledged.
    assert.ok(report.marks.requested >= 2);
    assert.equal(report.marks.acked, report.marks.requested);
    assert.deepEqual(session.marks.map((m) => m.name), ["answer-1", "answer-2"]);
    for (const [i, mark] of session.marks.entries()) {
      // Played out: the answer's length after it was sent (less what a resampler holds back, and
      // the partial frame that waits for more audio; plus the platform's pre-buffer), never before.
      const played = mark.atMs - session.answers[i]!.atMs;
      assert.ok(
        played >= 770 && played <= 800 + (c.preBufferMs ?? 0),
        `${mark.name} acked ${played} ms after sending`,
      );
    }
    if (c.dtmf) {
      assert.deepEqual(session.dtmf.map((d) => d.digit), ["7"]);
      assert.equal(report.dtmf.sent, 1);
    } else {
      assert.equal(report.dtmf.unsupported, 1);
    }
  });

  Deno.test(`simulateCall as ${name(c)}: a barge-in flushes the far end at once, nothing stale plays, and heardMs matches what it played`, async () => {
    const { report, session, interrupted } = await run(
      c,
      { answerDelayMs: 300, answerMs: 3000, onBargeIn: "interrupt" },
      {
        audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
        bargeIn: { afterMs: 700, durationMs: 800, count: 1 },
        hangUpAtMs: 6000,
      },
    );
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    const [barge] = report.bargeIns;
    assert.ok(barge?.clearAtMs !== null && barge?.clearAtMs !== undefined, "the bot cleared");
    assert.ok(barge.stopLatencyMs! <= 2 * c.frameMs + 10, `stopped after ${barge.stopLatencyMs}`);
    assert.equal(barge.staleAudioMs, 0);
    assert.equal(session.interrupts.length, 1);
    // What the far end played of the answer before the clear reached it, against what the
    // transport said the caller heard when it interrupted.
    const played = barge.clearAtMs - report.utterances[0]!.responseStartMs!;
    assert.equal(interrupted.length, 1);
    const heard = interrupted[0]!.heardMs;
    assert.ok(
      Math.abs(heard - played) <= 250,
      `heard ${heard} ms, the far end played ${played} ms`,
    );
    assert.ok(interrupted[0]!.acknowledged, "acknowledged by the far end's marks");
  });
}

/** A bot 19 s ahead of real time: Asterisk's queue (1,000 frames, XOFF at 900) fills up. */
function floodingBot(serializer: () => FrameSerializer): Case {
  return { ...CASES[0]!, serializer };
}
const FLOOD: Partial<BotOptions> = {
  answerDelayMs: 300,
  answerMs: 30_000,
  transport: { sendAheadMs: 19_000, maxQueuedMs: 60_000 },
  sampleRate: 8000,
};
const FLOOD_CALL: Partial<SimulateCallOptions> = {
  audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
  hangUpAtMs: 34_000,
};

Deno.test("simulateCall as asterisk: MEDIA_XOFF pauses a bot that sends 19 s ahead, MEDIA_XON resumes it, nothing is lost", async () => {
  const { report, transports } = await run(
    floodingBot(() => new AsteriskSerializer()),
    FLOOD,
    FLOOD_CALL,
  );
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  const stats = transports[0]!.stats;
  assert.ok(stats.sendPauses >= 2, `${stats.sendPauses} pauses`);
  assert.ok(stats.sendPausedMs >= 2000, `paused ${stats.sendPausedMs} ms`);
  assert.equal(stats.audioBytesDroppedOnClose, 0);
  // Every millisecond of the 30 s answer played at the far end, without a gap.
  assert.equal(report.audio.underruns, 0);
  assert.equal(report.audio.clearedMs, 0);
  assert.ok(
    Math.abs(report.audio.playedMs - 30_000) <= 20,
    `${report.audio.playedMs} ms played`,
  );
});

Deno.test("simulateCall as asterisk catches a bot that sends on after MEDIA_XOFF", async () => {
  // The same serializer, but its transport never hears of the far end's flow control.
  class Deaf extends AsteriskSerializer {
    override bind(context: SerializerContext): void {
      const { send, count, report } = context;
      super.bind({ send, count, report });
    }
  }
  const { report, transports } = await run(floodingBot(() => new Deaf()), FLOOD, FLOOD_CALL);
  assert.equal(transports[0]!.stats.sendPauses, 0);
  const rules = report.violations.map((v) => v.rule);
  assert.ok(rules.includes("asterisk.media-after-xoff"), JSON.stringify(report.violations));
});

/** A 1.5 s answer sent 1 s ahead, barged in on: killAudio clears marks in the playout buffer. */
const BARGED_ANSWER_MS = 1500;
const BARGED_BOT: Partial<BotOptions> = {
  answerDelayMs: 300,
  answerMs: BARGED_ANSWER_MS,
  onBargeIn: "interrupt",
  // Sent 1 s ahead, the answer's audio waits in the far end's playout buffer with the
  // transport's marks in it when the barge-in clears it.
  transport: { markIntervalMs: 250, sendAheadMs: 1000 },
};
const BARGED_CALL: Partial<SimulateCallOptions> = {
  audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
  bargeIn: { afterMs: 700, durationMs: 800, count: 1 },
  hangUpAtMs: 8000,
};

// mod_audio_fork's real playout (jambonz/freeswitch-modules lws_glue.cpp at 30f21899, modelled by
// the far end): a pre-buffer that plays only whole thresholds, marks answered from lists that
// killAudio leaves names on. 8 kHz, the bot's 20 ms chunks: 160 samples each.
const FORKS = CASES.filter((c) =>
  (c.protocol === "jambonz" || c.protocol === "freeswitch") && !c.platform?.sampleRate
);

for (const c of FORKS) {
  Deno.test(`simulateCall as ${name(c)}: a reply's end the pre-buffer holds plays after the transport's end mark, which is answered once it has; the last reply plays whole`, async () => {
    // 860 ms is 43 chunks: the module plays 8, then 4 at a time, and would hold the last 3.
    const answerMs = 860;
    const { report, session, stops } = await run(c, { answerMs }, {});
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.equal(session.marks.length, 2);
    assert.deepEqual(stops.map((s) => s.event.reason), ["played", "played"]);
    for (const [i, stop] of stops.entries()) {
      // When the far end began to play the answer, after its pre-buffer gathered.
      const startDelay = report.utterances[i]!.latencyMs! - 500;
      // The tail waits in the pre-buffer until the end mark's silence pushes it out, the quiet
      // time after the last chunk left (`max(sendAheadMs, 2 × chunkMs)`: `sendAheadMs` defaults
      // to the serializer's `minSendAheadMs`, 100 ms at 8 kHz, where the transport reads it, else
      // to a chunk): it plays up to that late, and the acknowledgement comes when it has.
      const quietMs = Math.max(2 * 20, c.serializer().minSendAheadMs ?? 0);
      const heard = stop.atMs - session.answers[i]!.atMs - startDelay;
      assert.ok(
        heard >= answerMs - c.frameMs && heard <= answerMs + quietMs + c.frameMs,
        `speakingstop after ${heard} ms of its ${answerMs} ms had played`,
      );
      assert.ok(stop.event.acknowledged, "on the far end's word");
      assert.ok(Math.abs(stop.event.heardMs - answerMs) <= c.frameMs, `${stop.event.heardMs} ms`);
      // The bot's own mark at the reply's end gets no padding (a mark may fall mid-speech): the
      // module may answer it while the tail still waits, by the quiet time and the tail at most.
      const mark = session.marks[i]!;
      const markHeard = mark.atMs - session.answers[i]!.atMs - startDelay;
      assert.ok(markHeard >= answerMs - 2 * 20 - 80 - c.frameMs, `${mark.name}: ${markHeard} ms`);
    }
    // Nothing is left in the pre-buffer when the call ends (the silence that flushed it, at most
    // one 80 ms threshold a reply, played too).
    const played = report.audio.playedMs;
    assert.ok(
      played >= 2 * answerMs - c.frameMs && played <= 2 * (answerMs + 80),
      `${played} ms played of ${2 * answerMs}`,
    );
  });

  Deno.test(`simulateCall as ${name(c)}: after a barge-in the next reply's marks are answered on time, not under the names killAudio cleared`, async () => {
    const answerMs = BARGED_ANSWER_MS;
    const { report, session, transports } = await run(c, BARGED_BOT, BARGED_CALL);
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.equal(session.interrupts.length, 1);
    // The interrupted answer's mark (sent 1 s ahead) comes back "cleared" at the barge-in; the
    // second answer's once it has played.
    assert.deepEqual(session.marks.map((m) => m.name), ["answer-1", "answer-2"]);
    assert.ok(session.marks[0]!.atMs - session.interrupts[0]! <= 2 * c.frameMs);
    const startDelay = report.utterances[1]!.latencyMs! - 300;
    const heard = session.marks[1]!.atMs - session.answers[1]!.atMs - startDelay;
    // The bot's own mark, held until the stretch's end, goes with the silence that flushes the
    // module's pre-buffer, ahead of it: answered once the reply's last part has played, not on a
    // dry tick while that part still waits (here the transport's last mark stands at the reply's
    // end, so no end-of-speech mark comes to send that silence: the stretch's end does), and at
    // most the quiet time (sendAheadMs, 1000 ms) and a chunk late.
    assert.ok(
      heard >= answerMs - c.frameMs && heard <= answerMs + 1000 + 20 + c.frameMs,
      `answer-2 answered after ${heard} ms of its ${answerMs} ms had played`,
    );
    // The transport's own marks are answered again: all but those the barge-in cleared.
    const stats = transports[0]!.stats;
    assert.ok(stats.marksAcknowledged >= stats.marksSent - 4, JSON.stringify(stats));
  });
}

for (const c of FORKS) {
  Deno.test(`simulateCall as ${name(c)}: report.marks counts the marks the bot sent and the answers the module sent, as the wire carried them`, async () => {
    // The module answers from its own lists: from inventory while its playout buffer is empty,
    // "cleared" at killAudio, and a marker that takes a name killAudio cleared answers nothing.
    const wire = { asked: 0, played: 0, cleared: 0 };
    const { report } = await run(c, BARGED_BOT, BARGED_CALL, (socket) => {
      socket.addEventListener("message", (event: MessageEvent) => {
        if (typeof event.data === "string" && JSON.parse(event.data).type === "mark") wire.asked++;
      });
      const send = socket.send.bind(socket);
      socket.send = (data) => {
        if (typeof data === "string" && JSON.parse(data).type === "mark") {
          wire[JSON.parse(data).data.event === "cleared" ? "cleared" : "played"]++;
        }
        send(data);
      };
    });
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.ok(wire.cleared > 0, `the barge-in cleared marks: ${JSON.stringify(wire)}`);
    assert.equal(report.marks.requested, wire.asked, JSON.stringify({ ...report.marks, wire }));
    assert.equal(report.marks.acked, wire.played, JSON.stringify({ ...report.marks, wire }));
    assert.equal(
      report.marks.ackedOnClear,
      wire.cleared,
      JSON.stringify({ ...report.marks, wire }),
    );
    assert.equal(
      report.marks.pending,
      wire.asked - wire.played - wire.cleared - report.marks.dropped,
    );
  });
}
