// A bot that stops for a barge-in by clearing its audio, and answers a short "yes?" quickly, was
// judged a bot that never stopped: the talk it had under way when the caller began went on, for
// the report, across any pause under 500 ms (`TURN_GAP_MS`, _call_report.ts), so its answer 250 ms
// after the caller's end, 450 ms after its stop, was read as its old talk going on: unanswered
// (`--require-answer` failed the call), and the barge-in "stopped" only where the answer ended.
// A bot whose end-of-turn wait is under 500 ms is common (pipecat's Silero VAD with a smart-turn
// model stops at 200 ms; OpenAI Realtime's server VAD is often given 200–300 ms of silence). The
// clear is the bot's own word that it stopped for the caller: what it says once the caller has
// finished is a turn of its own, however soon. A bot that talks on through the caller sends none.
// The bot is Twilio's Media Streams peer (Twilio Docs, "Media Streams - WebSocket Messages",
// "Send messages back to Twilio": `media` with base64 μ-law 8 kHz, and `clear`, which "empties
// the audio buffer"), on one FakeClock with the simulator over real sockets: exact times.
import assert from "node:assert/strict";
import { judgeCall } from "../../src/simulator/mod.ts";
import { turnStarts } from "../../src/simulator/_call_report.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";
import { tonePayload } from "./_twilio_talking_bot.ts";

Deno.test("a bot that clears for a barge-in and answers 250 ms after it is answered, stopped at its clear", async () => {
  let script: Promise<void> = Promise.resolve();
  const report = await callLockstepBot({
    protocol: "twilio",
    audio: { pcm: new Uint8Array(16 * 2 * 3000), sampleRate: 16000 },
    hangUpAtMs: 3000,
    // "yes?": 300 ms, 200 ms into the bot's talk (from 300 ms to 600 ms), once.
    bargeIn: { afterMs: 200, durationMs: 300, count: 1 },
  }, (socket, clock) => {
    socket.addEventListener("message", (e: MessageEvent) => {
      const m = JSON.parse(e.data);
      if (m.event !== "start") return;
      const media = (ms: number) =>
        socket.send(JSON.stringify({
          event: "media",
          streamSid: m.streamSid,
          media: { payload: tonePayload(ms) },
        }));
      // Its talk from 100 ms; cleared 100 ms into the caller's "yes?" (at 400 ms); its answer
      // 250 ms after the caller's end (at 850 ms), 500 ms long.
      script = clock.sleep(100).then(async () => {
        media(2000);
        await clock.sleep(300);
        socket.send(JSON.stringify({ event: "clear", streamSid: m.streamSid }));
        await clock.sleep(450);
        media(500);
      });
    });
  });
  await script;
  const [utterance, ...more] = report.utterances;
  assert.equal(more.length, 0);
  assert.deepEqual([utterance!.source, utterance!.startMs, utterance!.endMs], [
    "barge-in",
    300,
    600,
  ]);
  assert.deepEqual([utterance!.responseStartMs, utterance!.latencyMs], [850, 250]);
  const [bargeIn] = report.bargeIns;
  assert.deepEqual([bargeIn!.clearAtMs, bargeIn!.stoppedAtMs, bargeIn!.stopLatencyMs], [
    400,
    400,
    100,
  ]);
  assert.deepEqual(judgeCall(report, { requireAnswer: true }).failures, []);
});

// Only a clear that silenced the bot is its stop: one in the middle of talk it went on with
// (a bot that clears its queue and talks on at once) is no stop, nor one from before the caller.
Deno.test("turnStarts takes a clear for the bot's stop only where the bot fell silent at it", () => {
  const said = (startMs: number, endMs: number) => ({ startMs, endMs });
  const utterances = [said(1000, 2000)];
  const spurts = [said(0, 1950), said(2400, 3000)];
  const starts = (clears: number[]) => turnStarts(utterances, spurts, clears).map((s) => s.startMs);
  assert.deepEqual(starts([]), [0], "a pause under 500 ms: its talk going on");
  assert.deepEqual(starts([1200]), [0], "cleared, and talked on at once");
  assert.deepEqual(starts([900]), [0], "cleared before the caller began");
  assert.deepEqual(starts([1945]), [0, 2400], "its talk ended at its clear");
  assert.deepEqual(starts([2100]), [0, 2400], "cleared in its silence");
});
