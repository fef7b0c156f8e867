// A barge-in while the model's answer has stalled: its audio so far has all played (the transport
// ran dry, "played"), more of the same utterance is still to come. The caller talks then; the
// model's voice detector says so (`input_audio_buffer.speech_started`, which with
// `interrupt_response` also cancels the answer), and the deltas already on their way arrive after
// it. They must not play over the caller, and the model must be told what the caller heard.
//
// The telephony far end is FakeFarEnd (tests/_fake_far_end.ts): it plays what it receives in real
// time and returns a mark once the audio before it has played (Twilio's Media Streams, "Mark
// message"). The model side is the bridge's own interface (`realtime_model.ts`), driven by hand.
import assert from "node:assert/strict";
import { bridgeCall } from "../../../examples/realtime-bridge/bridge_call.ts";
import type {
  RealtimeModel,
  RealtimeModelEvents,
} from "../../../examples/realtime-bridge/realtime_model.ts";
import { WebSocketTransport } from "../../../src/transport.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../../src/testing/memory_socket.ts";
import { FakeFarEnd, MarkingSerializer } from "../../_fake_far_end.ts";

/** A model driven by the test: it reports what the test says, and records what it is told. */
class HandDrivenModel implements RealtimeModel {
  readonly name = "by-hand";
  readonly inputSampleRate = 8000;
  readonly outputSampleRate = 8000;
  events: RealtimeModelEvents | undefined;
  readonly truncated: [string, number][] = [];
  connect(events: RealtimeModelEvents): Promise<void> {
    this.events = events;
    return Promise.resolve();
  }
  sendAudio(): void {}
  truncate(itemId: string, heardMs: number): void {
    this.truncated.push([itemId, heardMs]);
  }
  cancelResponse(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** `ms` of 8 kHz PCM16 whose every byte is `value` (FakeFarEnd tells spans apart by it). */
const speech = (ms: number, value: number) => new Uint8Array(ms * 16).fill(value);

Deno.test("the realtime bridge interrupts and truncates an answer the caller talks over while it has stalled, and its late audio never plays", async () => {
  const { clock, transport, farEnd, model, events, hangUp } = await bridgedByHand();

  events.onAudio("item_A", speech(200, 1));
  await clock.tick(400); // all 200 ms played; the model has sent nothing since: a stall
  assert.equal(farEnd.playedMs(1), 200);
  assert.equal(transport.playback.speaking, false);

  events.onSpeechStarted(); // the caller talks over the stalled answer
  await clock.tick(0);
  events.onAudio("item_A", speech(100, 1)); // in flight when the model cancelled
  events.onAudioEnd("item_A");
  await clock.tick(400);

  assert.equal(farEnd.playedMs(1), 200, "the answer's late audio played over the caller");
  assert.deepEqual(model.truncated, [["item_A", 200]], "the model was not told what was heard");
  assert.equal(transport.stats.audioBytesStale, 100 * 16);

  // A later answer, once the caller has finished, plays in full.
  events.onAudio("item_B", speech(100, 2));
  events.onAudioEnd("item_B");
  await clock.tick(300);
  assert.equal(farEnd.playedMs(2), 100);

  const { bargeIns } = await hangUp();
  assert.deepEqual(bargeIns.map((b) => b.truncations), [[{ itemId: "item_A", audioEndMs: 200 }]]);
});

for (const more of [100, 0]) {
  const how = more > 0 ? "resumed and finished" : "ended with nothing more";
  Deno.test(`the realtime bridge takes the caller's next turn as a turn, not a barge-in, after a stalled answer ${how}`, async () => {
    const { clock, farEnd, model, events, hangUp } = await bridgedByHand();
    events.onAudio("item_A", speech(200, 1));
    await clock.tick(400); // a stall
    if (more > 0) events.onAudio("item_A", speech(more, 1));
    events.onAudioEnd("item_A");
    await clock.tick(400); // all of it played
    assert.equal(farEnd.playedMs(1), 200 + more);
    events.onSpeechStarted();
    await clock.tick(0);
    assert.deepEqual(model.truncated, []);
    assert.deepEqual((await hangUp()).bargeIns, []);
  });
}

/** A call bridged to a {@linkcode HandDrivenModel}, on a far end that acknowledges playout. */
async function bridgedByHand() {
  const clock = new FakeClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 16 });
  const model = new HandDrivenModel();
  const done = bridgeCall(transport, { model });
  await clock.tick(0);
  const hangUp = async () => {
    const closing = transport.close();
    await clock.tick(0);
    await closing;
    return await done;
  };
  return { clock, transport, farEnd, model, events: model.events!, hangUp };
}
