// A simulated platform that hangs up on the bot by its own rules (Asterisk on a message over
// 65,500 bytes; ConversationRelay, Twilio's and Telnyx's, after ten invalid messages in a row)
// ended the call as "caller", and what the caller's audio still held was counted nowhere: neither `notReached`
// (the bot's ending) nor `leftUnsaid` (the caller's schedule). A bot that broke a rule before the
// caller's second question read "0/1 answered": one question fewer than the audio held, as if
// the caller had meant to stop there. The bot made the platform hang up, so those utterances are
// the bot's `notReached`, the ending names the rule (`brokenRule`), and the text report, the
// JSON, the aggregate and `requireAnswer` (`--require-answer`) all say so alike.
//
// The bots are tiny servers on 127.0.0.1 port 0, bot and simulator on one FakeClock over real
// sockets (tests/_lockstep.ts), so the times are exact. What the platforms do is as their docs say:
// - Asterisk (docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Max Message Size
//   and Flow Control"): "a message over 65,500 bytes closes the socket and hangs the call up";
//   the caller's audio comes as binary μ-law, 20 ms (160 bytes) a frame ("Media Transfer").
// - Telnyx ConversationRelay (developers.telnyx.com/api-reference/websockets/
//   conversationrelay-websocket-channel): each invalid message is answered by `error`, and the
//   call closes after ten in a row; the platform sends `prompt` when the caller has said something.
import assert from "node:assert/strict";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  judgeCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { judgeCallNaming } from "../../src/simulator/_judge_call.ts";
import type { CountingSocket } from "../_lockstep.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";

/** Asterisk's default μ-law at 8 kHz: bytes of the caller's audio per ms. */
const ULAW_BYTES_PER_MS = 8;
/** One byte over Asterisk's largest message. */
const OVERSIZED = new Uint8Array(65_501);

/**
 * Calls a bot on 127.0.0.1 port 0 over `protocol`; `onMessage` is the bot, given each message the
 * platform sends it and the bot's socket.
 */
function callBot(
  protocol: string,
  audio: ReturnType<typeof syntheticCaller>,
  onMessage: (data: unknown, socket: CountingSocket) => void,
): Promise<CallReport> {
  return callLockstepBot({ protocol, audio }, (socket) => {
    socket.addEventListener("message", (event: MessageEvent) => {
      if (socket.readyState === 1) onMessage(event.data, socket);
    });
  });
}

/**
 * An Asterisk bot that, once it has heard 800 ms of the caller (the first utterance said, the
 * second not begun), sends one message too large for Asterisk.
 */
function callOversizingBot(): Promise<CallReport> {
  let heardMs = 0;
  // Two utterances, 300–700 ms and 1000–1400 ms of 1.7 s of audio, their segments known.
  const audio = syntheticCaller({ utterancesMs: [400, 400], pauseMs: 300 });
  return callBot("asterisk", audio, (data, socket) => {
    if (!(data instanceof ArrayBuffer)) return;
    heardMs += data.byteLength / ULAW_BYTES_PER_MS;
    if (heardMs === 800) socket.send(OVERSIZED);
  });
}

const NOT_REACHED_BY_ASTERISK = "the platform hung up at 0.80 s on a rule the bot broke " +
  "(asterisk.message-too-large)";

Deno.test("the utterances Asterisk's hang-up on an oversized message left unsaid are the bot's notReached, naming the rule", async () => {
  const report = await callOversizingBot();
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.ended.atMs, 800);
  assert.equal(report.ended.brokenRule, "asterisk.message-too-large");
  assert.deepEqual(report.violations.map((v) => v.rule), ["asterisk.message-too-large"]);
  assert.deepEqual(report.utterances.map((u) => [u.startMs, u.endMs]), [[300, 700]]);
  assert.deepEqual(report.notReached, {
    audioMs: 800,
    utterances: [{ startMs: 1000, endMs: 1400 }],
  });
  assert.equal(report.leftUnsaid, null, "not the caller's schedule: the bot broke a rule");
  const json = JSON.parse(JSON.stringify(report));
  assert.equal(json.ended.brokenRule, "asterisk.message-too-large");
  assert.equal(json.notReached.utterances.length, 1);
  const text = formatReport(report).split("\n");
  assert.ok(
    text.includes(`  responses        0/2 answered, 1 not reached: ${NOT_REACHED_BY_ASTERISK} · —`),
    text.join("\n"),
  );
  assert.ok(text.includes("    #2 not reached: 1.00 s–1.40 s of the caller's audio"));
});

Deno.test("requireAnswer (--require-answer) holds the utterances a platform's hang-up left unsaid against the bot", async () => {
  const report = await callOversizingBot();
  const unanswered = (names?: typeof FLAG_NAMES) =>
    (names === undefined
      ? judgeCall(report, { requireAnswer: true })
      : judgeCallNaming(report, { requireAnswer: true }, names)).failures
      .find((f) => f.reason === "unanswered")?.detail;
  assert.equal(
    unanswered(),
    `the bot answered 0 of the caller's 2 utterances (#1 unanswered; #2 not reached: ` +
      `${NOT_REACHED_BY_ASTERISK}), and requireAnswer wants every one answered`,
  );
  assert.equal(
    unanswered(FLAG_NAMES),
    `the bot answered 0 of the caller's 2 utterances (#1 unanswered; #2 not reached: ` +
      `${NOT_REACHED_BY_ASTERISK}), and --require-answer wants every one answered`,
  );
});

Deno.test("the aggregate counts the utterances a platform's hang-up left unsaid as not reached", async () => {
  const report = await callOversizingBot();
  const total = aggregateReports([report, report]);
  assert.equal(total.utterances, 4);
  assert.equal(total.unanswered, 4);
  assert.equal(total.notReached, 2);
  assert.equal(total.leftUnsaid, 0);
  assert.deepEqual(total.notReachedBy, { platform: 2 });
  assert.equal(total.endedOnBrokenRule, 2);
  // The platform's hang-up is not the bot's: said as it was (it said "the bot ended the call
  // first"), in the aggregate's first line too (it said "ended 2 by caller").
  const text = formatReport(total);
  assert.match(
    text,
    /\n {2}responses {8}0\/4 answered, 2 not reached: the platform hung up first, on a rule the bot broke · —\n/,
  );
  assert.match(
    text,
    /^2 calls \(asterisk\): 2 ended by caller \(the platform, on a rule the bot broke\)\n/,
  );
});

Deno.test("the aggregate says each cause apart when the bot, and the platform on its rule, ended calls first", async () => {
  const oversized = await callOversizingBot();
  const hungUp = await callBot(
    "asterisk",
    syntheticCaller({ utterancesMs: [400, 400], pauseMs: 300 }),
    (data, socket) => {
      if (data instanceof ArrayBuffer) socket.close(1000, "bye");
    },
  );
  assert.equal(hungUp.ended.by, "bot", hungUp.ended.detail);
  const unsaid = hungUp.notReached?.utterances?.length ?? 0;
  assert.ok(unsaid > 0, JSON.stringify(hungUp.notReached));
  const total = aggregateReports([oversized, hungUp, oversized]);
  assert.deepEqual(total.notReachedBy, { platform: 2, bot: unsaid });
  const text = formatReport(total);
  assert.ok(
    text.includes(
      `, ${2 + unsaid} not reached: the platform hung up first, on a rule the bot broke (2); ` +
        `the bot hung up first (${unsaid}) · `,
    ),
    text,
  );
  assert.match(
    text,
    /^3 calls \(asterisk\): 2 ended by caller \(the platform, on a rule the bot broke\), 1 ended by bot\n/,
  );
});

Deno.test("the per-call text's first line names the platform's hang-up, not the caller's", async () => {
  const report = await callOversizingBot();
  assert.match(
    formatReport(report).split("\n")[0]!,
    /: ended by caller \(the platform, on a rule the bot broke: asterisk\.message-too-large\) at 0\.80 s \(Asterisk hung up on an oversized message\)$/,
  );
});

Deno.test("the utterances Telnyx ConversationRelay's hang-up after ten invalid messages left unsaid are the bot's notReached", async () => {
  // Utterances at 600–1000 and 1600–2000 ms of 2.6 s: the recognizer's first prompt comes
  // 300 ms after the first, before the second begins; the bot answers it with ten messages
  // that are not JSON.
  const audio = syntheticCaller({ utterancesMs: [400, 400], pauseMs: 600 });
  const report = await callBot("telnyx-conversationrelay", audio, (data, socket) => {
    if (typeof data !== "string" || JSON.parse(data).type !== "prompt") return;
    for (let i = 0; i < 10; i++) socket.send("not json");
  });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.equal(report.ended.brokenRule, "conversationrelay.invalid-message");
  assert.ok(report.ended.atMs < 1600, `${report.ended.atMs}`);
  assert.deepEqual(report.notReached?.utterances, [{ startMs: 1600, endMs: 2000 }]);
  assert.equal(report.leftUnsaid, null);
  assert.match(
    formatReport(report),
    /, 1 not reached: the platform hung up at \d\.\d\d s on a rule the bot broke \(conversationrelay\.invalid-message\)/,
  );
});
