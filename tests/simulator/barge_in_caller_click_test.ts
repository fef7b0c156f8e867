// A click in the caller's own audio (one 10 ms block of sound: no utterance in the report,
// tests/simulator/talk_spurts_dc_test.ts) held back the caller's barge-in as if the caller were
// speaking: where the caller's speech is detected (no segments known), the barge-in waits while
// the caller's detector is under way, and a click kept it so for its hangover (500 ms), so that
// the barge-in came that much later than `afterMs` into the bot's talk.
// The bot is a Twilio Media Streams peer (Twilio Docs, "Media Streams - WebSocket Messages", "Send
// messages back to Twilio": `media` with `streamSid` and `media.payload`, base64 μ-law 8 kHz)
// that never stops for the caller: 100 ms after Twilio's `start` it sends 1.5 s of talk; bot and
// simulator on one FakeClock over real sockets (./_silent_bot_call.ts): exact times.
import assert from "node:assert/strict";
import { callLockstepBot } from "./_silent_bot_call.ts";
import { tonePayload } from "./_twilio_talking_bot.ts";

/** 3 s of the caller's silence, 16-bit PCM at 8 kHz, with a click (10 ms, loud) at `clickMs`. */
function callerWithClick(clickMs: number): { pcm: Uint8Array; sampleRate: number } {
  const s = new Int16Array(8000 * 3);
  for (let i = 0; i < 80; i++) s[clickMs * 8 + i] = i % 2 ? 10_000 : -10_000;
  return { pcm: new Uint8Array(s.buffer), sampleRate: 8000 };
}

Deno.test("a click in the caller's audio does not hold back its barge-in: it comes afterMs into the talk", async () => {
  const report = await callLockstepBot(
    {
      protocol: "twilio",
      audio: callerWithClick(200),
      hangUpAtMs: 3000,
      bargeIn: { afterMs: 300, count: 1, durationMs: 400 },
    },
    (socket, clock) => {
      socket.addEventListener("message", (e: MessageEvent) => {
        const m = JSON.parse(e.data);
        if (m.event !== "start") return;
        clock.sleep(100).then(() =>
          socket.send(
            JSON.stringify({
              event: "media",
              streamSid: m.streamSid,
              media: { payload: tonePayload(1500) },
            }),
          )
        );
      });
    },
  );
  assert.deepEqual(
    report.utterances.filter((u) => u.source !== "barge-in"),
    [],
    "the click is no utterance",
  );
  assert.deepEqual(report.bargeIns.map((b) => [b.source, b.atMs]), [["injected", 400]]);
});
