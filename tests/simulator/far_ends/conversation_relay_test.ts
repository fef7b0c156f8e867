// The ConversationRelay far end (written from Twilio's and Telnyx's WebSocket message references)
// against a bot on our ConversationRelaySerializer, on one FakeClock: the two sides were written
// apart, so each run checks both.
import assert from "node:assert/strict";
import type { Frame } from "../../../src/frames.ts";
import { ConversationRelaySerializer } from "../../../src/serializers/conversation_relay.ts";
import type { WebSocketTransport } from "../../../src/transport.ts";
import { syntheticCaller } from "../../../src/simulator/mod.ts";
import {
  ENDPOINT_MS,
  MS_PER_CHARACTER,
} from "../../../src/simulator/far_ends/conversation_relay.ts";
import { type ProviderCase, startCall } from "../../playback/_provider_call.ts";

function relay(protocol: string, streamText = false): ProviderCase {
  return {
    protocol,
    serializer: () => new ConversationRelaySerializer({ streamText }),
    rate: 8000,
    chunkMs: 20,
  };
}

/** A bot that answers every final transcript with "You said …", as tokens when `stream`. */
function echoBot(seen: Frame[], stream = false) {
  return (frame: Frame, transport: WebSocketTransport) => {
    seen.push(frame);
    if (frame.type !== "transcription") return;
    if (!stream) return void transport.send({ type: "text", text: `You said ${frame.text}.` });
    for (const token of ["You said ", frame.text, "."]) {
      transport.send({ type: "text", text: token });
    }
    transport.send({ type: "text", text: "" });
  };
}

for (const protocol of ["conversationrelay", "telnyx-conversationrelay"]) {
  Deno.test(`simulateCall as ${protocol} talks to ConversationRelaySerializer: prompts, replies, dtmf`, async () => {
    const seen: Frame[] = [];
    const call = startCall(
      relay(protocol, protocol.startsWith("telnyx")),
      { jitterMs: 0, returnMs: 0 },
      {
        audio: syntheticCaller({ utterancesMs: [1000, 1200], pauseMs: 3000 }),
        platform: { customParameters: { customer: "c-42" } },
        dtmf: [{ atMs: 1500, digit: "7" }],
        lingerMs: 2000,
      },
      echoBot(seen, protocol.startsWith("telnyx")),
    );
    await call.clock.tick(20_000);
    const report = await call.report;
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    const start = seen.find((f) => f.type === "start");
    assert.equal(start?.type === "start" && start.params?.customer, "c-42");
    assert.deepEqual(
      seen.filter((f) => f.type === "transcription").map((f) =>
        f.type === "transcription" && f.text
      ),
      ["utterance 1", "utterance 2"],
    );
    assert.deepEqual(seen.filter((f) => f.type === "dtmf"), [{ type: "dtmf", digit: "7" }]);
    assert.equal(report.utterances.length, 2);
    for (const u of report.utterances) {
      // The recognizer's endpointing, to one detector block.
      assert.ok(Math.abs(u.latencyMs! - ENDPOINT_MS) <= 20, `latency ${u.latencyMs}`);
    }
    const replyMs = "You said utterance 1.".length * MS_PER_CHARACTER;
    assert.ok(report.audio.playedMs >= 2 * replyMs, `played ${report.audio.playedMs} ms`);
    assert.equal(call.transport.stats.audioBytesSent, 0, "no audio path");
    assert.equal(report.ended.by, "caller");
  });
}

Deno.test("ConversationRelay: the caller talks over the reply, the bot learns what was heard", async () => {
  const seen: Frame[] = [];
  const call = startCall(relay("conversationrelay"), { jitterMs: 0, returnMs: 0 }, {
    audio: syntheticCaller({ utterancesMs: [800], pauseMs: 4000 }),
    bargeIn: { afterMs: 600, durationMs: 700, count: 1 },
    lingerMs: 2000,
  }, echoBot(seen));
  await call.clock.tick(20_000);
  const report = await call.report;
  assert.deepEqual(report.violations, []);
  assert.equal(report.bargeIns.length, 1);
  const bargeIn = report.bargeIns[0]!;
  assert.ok(bargeIn.stopLatencyMs! <= 20, `stopped after ${bargeIn.stopLatencyMs} ms`);
  const at = seen.findIndex((f) => f.type === "interruption");
  assert.ok(at >= 0, "an interruption frame");
  const interrupt = seen[at + 1] as { type: string; message: Record<string, unknown> };
  assert.equal(interrupt.type, "message");
  const heard = interrupt.message.utteranceUntilInterrupt as string;
  const heardMs = interrupt.message.durationUntilInterruptMs as number;
  assert.ok(heardMs >= 600 && heardMs <= 640, `heard ${heardMs} ms`);
  assert.equal(heard, "You said utterance 1.".slice(0, Math.floor(heardMs / MS_PER_CHARACTER)));
  // The barge-in is itself an utterance: the bot answers it.
  assert.ok(seen.some((f) => f.type === "transcription" && f.text === "utterance 2"));
});

/** A call whose bot refuses audio, says one line and ends the session with `handoffData`. */
async function endedWith(handoffData: string) {
  const call = startCall(
    {
      ...relay("conversationrelay"),
      serializer: () => new ConversationRelaySerializer({ handoffData }),
    },
    { jitterMs: 0, returnMs: 0 },
    { audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }), waitForBotHangUp: true },
    (frame, transport) => {
      if (frame.type === "start") {
        transport.send({
          type: "audio",
          audio: new Uint8Array(1600),
          sampleRate: 8000,
          channels: 1,
        });
      }
      if (frame.type === "transcription") {
        transport.send({ type: "text", text: "Let me put you through." });
        transport.send({ type: "end" });
      }
    },
  );
  await call.clock.tick(20_000);
  return { call, report: await call.report };
}

Deno.test("ConversationRelay: `end` ends the session with the handoff data; audio never reaches the far end", async () => {
  const { call, report } = await endedWith('{"to":"agent"}');
  assert.equal(report.ended.by, "bot");
  // The bot's words, quoted as every ending quotes them (_ending_words.ts), and kept apart.
  assert.equal(report.ended.detail, 'the bot ended the session: "{\\"to\\":\\"agent\\"}"');
  assert.equal(report.ended.info, '{"to":"agent"}');
  assert.deepEqual(report.violations, [], "the far end never saw audio");
  assert.equal(call.transport.stats.audioBytesRefused, 1600);
  assert.deepEqual(call.errors.map((e) => e.code), ["encode"]);
});

Deno.test("ConversationRelay: an `end`'s handoff data is capped in the ending, its control characters escaped", async () => {
  // Twilio's handoffData is any string the bot chooses (a JSON document, often): a newline in it
  // split the text report's first line in two, an ESC reached the terminal, and 64 KiB of it
  // went whole into every report.
  const handoffData = "line one\nline two \u001b[2J\u009b" + "x".repeat(10_000);
  const { report } = await endedWith(handoffData);
  assert.equal(report.ended.by, "bot");
  assert.ok(report.ended.detail.length < 300, `detail of ${report.ended.detail.length} characters`);
  // deno-lint-ignore no-control-regex -- no control character may reach the detail
  assert.doesNotMatch(report.ended.detail, /[\u0000-\u001f\u007f-\u009f]/);
  assert.match(
    report.ended.detail,
    /^the bot ended the session: "line one\\nline two \\u001b\[2J\\u009bx+…"$/,
  );
  assert.equal(report.ended.info?.length, 200, "the bot's words kept apart, as capped");
});

Deno.test("ConversationRelay answers an invalid message with `error` and goes on; Telnyx gives up after ten (Twilio too: conversation_relay_malformed_limit_test.ts)", async () => {
  for (const protocol of ["conversationrelay", "telnyx-conversationrelay"]) {
    const call = startCall(
      relay(protocol),
      { jitterMs: 0, returnMs: 0 },
      { audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }), lingerMs: 3000 },
      (frame, transport) => {
        if (frame.type !== "start") return;
        const tries = protocol === "conversationrelay" ? 2 : 10;
        for (let i = 0; i < tries; i++) {
          transport.send({ type: "message", message: { type: "text", last: true } }); // no token
        }
      },
    );
    await call.clock.tick(20_000);
    const report = await call.report;
    const invalid = report.violations.find((v) => v.rule === "conversationrelay.invalid-message");
    assert.match(invalid?.detail ?? "", /text without a string token/);
    const reported = call.errors.filter((e) => e.code === "protocol");
    assert.match(reported[0]?.message ?? "", /Invalid message received/);
    if (protocol === "conversationrelay") {
      assert.equal(invalid?.count, 2);
      assert.equal(report.ended.by, "caller", "the session went on");
      assert.match(report.ended.detail, /hung up after/);
    } else {
      assert.equal(invalid?.count, 10);
      assert.match(report.ended.detail, /10 invalid messages in a row/);
    }
  }
});
