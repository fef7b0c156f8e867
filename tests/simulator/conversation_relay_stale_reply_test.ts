// A whole call on the simulator's ConversationRelay far end (written from Twilio's "Getting and
// sending WebSocket messages": the platform speaks each `text` token as it comes, a talk cycle
// ends at `last: true`; the "Interrupt message" says the caller talked over the speech, which
// the platform stopped). The bot streams its first reply from an LLM that never notices the
// barge-in: its tokens go on coming after the `interrupt`, and the platform would speak them as a
// new talk cycle, the old answer going on over the caller. Tagged with the reply's `responseId`,
// they are dropped as stale audio is (counted in `textFramesStale`, reported once as
// `staleaudio`); the bot's second reply, begun meanwhile, is spoken whole.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import type { StaleAudioEvent } from "../../src/playback.ts";
import { MS_PER_CHARACTER } from "../../src/simulator/far_ends/conversation_relay.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { startCall } from "../playback/_provider_call.ts";
import { WatchedRelay } from "./_watched_relay.ts";

/** The first reply: 24 tokens, one every 100 ms, well past the barge-in. */
const FIRST = Array.from({ length: 24 }, (_, i) => `old${i} `);
const SECOND = ["Yes, ", "go on."];
const TOKEN_GAP_MS = 100;

/** Answers each prompt with a reply of its own id; the first streams on, deaf to the barge-in. */
function deafBot() {
  return (frame: Frame, transport: WebSocketTransport) => {
    if (frame.type !== "transcription") return;
    if (frame.text === "utterance 1") {
      void (async () => {
        for (const text of FIRST) {
          transport.send({ type: "text", text, responseId: "reply-1" });
          await transport.clock.sleep(TOKEN_GAP_MS);
        }
        transport.send({ type: "text", text: "", responseId: "reply-1" });
      })();
      return;
    }
    for (const text of [...SECOND, ""]) {
      transport.send({ type: "text", text, responseId: "reply-2" });
    }
  };
}

Deno.test("ConversationRelay: tokens of a reply the caller cut short are not spoken after the interrupt, and the next reply is heard whole", async () => {
  const relay = new WatchedRelay({ streamText: true });
  const call = startCall(
    { protocol: "conversationrelay", serializer: () => relay, rate: 8000, chunkMs: 20 },
    { jitterMs: 0, returnMs: 0 },
    {
      audio: syntheticCaller({ utterancesMs: [800], pauseMs: 8000 }),
      bargeIn: { afterMs: 600, durationMs: 700, count: 1 },
      lingerMs: 4000,
    },
    deafBot(),
  );
  const stale: StaleAudioEvent[] = [];
  call.transport.addEventListener("staleaudio", (e) => stale.push(e));
  await call.clock.tick(30_000);
  const report = await call.report;
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.bargeIns.length, 1);

  const interrupt = call.arrivals.find((a) => JSON.parse(a.text).type === "interrupt");
  assert.ok(interrupt, "the platform sent interrupt");
  const heardBefore = Number(JSON.parse(interrupt.text).durationUntilInterruptMs);
  const tokens = relay.sent.map((m) => JSON.parse(m)).filter((m) => m.type === "text");
  const closeAt = tokens.findIndex((t) => t.token === "" && t.last === true);
  assert.ok(closeAt > 0, "the cut reply's talk cycle was closed");
  const after = tokens.slice(closeAt + 1);
  assert.ok(FIRST.length > closeAt + 2, "the first reply's stream went on well past the barge-in");
  assert.deepEqual(after, [
    { type: "text", token: SECOND[0], last: false },
    { type: "text", token: SECOND[1], last: false },
    { type: "text", token: "", last: true },
  ], "after the interrupt, only the second reply went to the platform");
  // What the caller heard: the first reply up to the interrupt, then the second whole.
  const secondMs = SECOND.join("").length * MS_PER_CHARACTER;
  assert.ok(
    Math.abs(report.audio.playedMs - (heardBefore + secondMs)) <= 40,
    `played ${report.audio.playedMs} ms; heard ${heardBefore} ms before the interrupt, ${secondMs} ms of the second reply`,
  );
  const stats = call.transport.stats;
  assert.equal(
    stats.textFramesStale,
    FIRST.length - closeAt + 1,
    "every later token, and its end, counted",
  );
  assert.deepEqual(stale.map((e) => e.responseId), ["reply-1"], "reported once");
  assert.deepEqual(call.errors, []);
});
