// A Ctrl-C (the call's signal) that comes after the caller hung up, while the Genesys far end waits
// for the bot's `closed`: the caller waits 1 s more, not Genesys's 10 s (AudioHook: the client
// ends with `close` and waits for `closed`; the reference client's close timeout,
// purecloudlabs/audiohook-reference-implementation clientsessionimpl.ts), so a bot that never
// answers is never reported (`genesys.close-timeout`). The call's verdict passed and the CLI
// exited 0 for a check it never finished. Now the ending says the handshake was cut short
// (`closingCutShort`) and the verdict is `interrupted` (the CLI's 130), its gates still judged:
// the call itself ran its course. A Ctrl-C that cuts nothing short changes nothing
// (cli_interrupt_after_end_test.ts).
import assert from "node:assert/strict";
import { judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { callAudioHookBot } from "./_audiohook_bot.ts";
import { runCliInterrupted } from "./_cli.ts";

/** A Genesys call the caller hangs up at 1,500 ms; its signal aborted as the bot reads `close`. */
function interruptedAtClose(answer: boolean) {
  const abort = new AbortController();
  return callAudioHookBot({
    onClose: (bot) => {
      abort.abort();
      // A bot that answers at once: the wait ended before the abort's 1 s could cut it.
      if (answer) bot.reply("closed");
    },
  }, {
    audio: syntheticCaller({ utterancesMs: [600], pauseMs: 400 }),
    hangUpAtMs: 1500,
    signal: abort.signal,
  });
}

Deno.test("simulateCall as genesys says a Ctrl-C cut its wait for closed short, and the verdict is interrupted", async () => {
  const { report, lingeredMs } = await interruptedAtClose(false);
  assert.equal(report.ended.by, "caller", "the call had ended before the signal");
  assert.equal(report.ended.closingCutShort, true);
  assert.deepEqual(report.violations, [], "no close timeout: the wait was cut at 1 s");
  assert.ok(lingeredMs < 10_000, `waited ${lingeredMs} ms: the signal cuts the wait`);
  assert.deepEqual(judgeCall(report), {
    passed: false,
    failures: [{
      reason: "interrupted",
      detail: "the signal cut short the wait for the platform's closing handshake after the " +
        "call ended: whether the bot completed it in time was never checked",
    }],
  });
});

Deno.test("simulateCall as genesys with a Ctrl-C after a closed that came at once stays a pass", async () => {
  const { report } = await interruptedAtClose(true);
  assert.equal(report.ended.by, "caller");
  assert.equal(report.ended.closingCutShort, undefined, "nothing was cut short");
  assert.deepEqual(judgeCall(report), { passed: true, failures: [] });
});

Deno.test("judgeCall still judges the gates of a call whose closing handshake was cut short", async () => {
  const { report } = await interruptedAtClose(false);
  // The caller's one utterance (0–600 ms) went unanswered (the bot is silent): the gate fails it.
  const verdict = judgeCall(report, { requireAnswer: true });
  assert.deepEqual(verdict.failures.map((f) => f.reason), ["interrupted", "unanswered"]);
});

/**
 * An AudioHook server (AudioHook protocol: `opened` answers `open`, `pong` each `ping`; server
 * messages `{version: "2", type, seq, clientseq, id, parameters}`) on the real clock that never
 * answers `close` with `closed`; `closeReceived` resolves when Genesys's `close` came.
 */
function serveSilentAtClose() {
  const closeReceived = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    let seq = 0;
    socket.onmessage = ({ data }) => {
      if (typeof data !== "string") return;
      const { type, seq: clientseq, id, parameters } = JSON.parse(data);
      const reply = (type: string, parameters: Record<string, unknown> = {}) =>
        socket.send(JSON.stringify({ version: "2", type, seq: ++seq, clientseq, id, parameters }));
      if (type === "open") reply("opened", { media: [parameters.media[0]] });
      else if (type === "ping") reply("pong");
      else if (type === "close") closeReceived.resolve();
    };
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}/`, closeReceived, server };
}

Deno.test("the simulate CLI interrupted while Genesys waits for closed exits 130, its verdict interrupted", async () => {
  const bot = serveSilentAtClose();
  try {
    const r = await runCliInterrupted(
      ["-q", "--json", "-p", "genesys", "--hang-up-at", "200", bot.url],
      bot.closeReceived.promise,
    );
    const report = JSON.parse(r.stdout);
    assert.equal(report.ended.by, "caller", "the call had ended before Ctrl-C");
    assert.equal(report.ended.closingCutShort, true);
    assert.deepEqual(report.verdict.failures.map((f: { reason: string }) => f.reason), [
      "interrupted",
    ]);
    assert.equal(r.code, 130, r.stderr);
  } finally {
    await bot.server.shutdown();
  }
});
