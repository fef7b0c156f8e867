// A whole call on the simulator's ConversationRelay far end (src/simulator/far_ends/
// conversation_relay.ts, written from Twilio's "Getting and sending WebSocket messages": `text`
// tokens are spoken as they come, queued behind the speech before them; `end` ends the session,
// and what was still queued then goes unheard). The bot answers the caller with a goodbye and
// ends the call at once, as Twilio's own samples do: the serializer holds the `end` until the
// goodbye has had its time to be spoken, so the call passes `judgeCall`'s unheard-goodbye gate,
// the goodbye written whole or streamed token by token as an LLM writes it.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { MS_PER_CHARACTER } from "../../src/simulator/far_ends/conversation_relay.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { startCall } from "../playback/_provider_call.ts";

const GOODBYE = ["Thank ", "you ", "for ", "calling, ", "and ", "goodbye!"];

/** Says the goodbye at the caller's first words, then ends the call. */
function goodbyeBot(streamText: boolean) {
  let said = false;
  return (frame: Frame, transport: WebSocketTransport) => {
    if (frame.type !== "transcription" || said) return;
    said = true;
    if (!streamText) {
      transport.send({ type: "text", text: GOODBYE.join("") });
      return void transport.send({ type: "end" });
    }
    void (async () => {
      for (const token of GOODBYE) {
        transport.send({ type: "text", text: token });
        await transport.clock.sleep(40); // an LLM's tokens, faster than speech
      }
      transport.send({ type: "text", text: "" });
      transport.send({ type: "end" });
    })();
  };
}

for (const streamText of [false, true]) {
  Deno.test(`ConversationRelay: a bot that says goodbye and ends at once is heard to the end (streamText ${streamText})`, async () => {
    const call = startCall(
      {
        protocol: "conversationrelay",
        serializer: () => new ConversationRelaySerializer({ streamText }),
        rate: 8000,
        chunkMs: 20,
      },
      { jitterMs: 40, returnMs: 40 },
      {
        audio: syntheticCaller({ utterancesMs: [800], pauseMs: 1000 }),
        waitForBotHangUp: true,
      },
      goodbyeBot(streamText),
    );
    await call.clock.tick(30_000);
    const report = await call.report;
    assert.equal(report.ended.by, "bot", report.ended.detail);
    const spokenMs = GOODBYE.join("").length * MS_PER_CHARACTER;
    assert.equal(report.audio.receivedMs, spokenMs, "the whole goodbye reached the far end");
    assert.equal(report.audio.playedMs, spokenMs, "and was played before the end");
    assert.deepEqual(judgeCall(report).failures, []);
    assert.deepEqual(call.errors, []);
  });
}
