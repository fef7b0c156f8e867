// "Another model" is one file implementing `RealtimeModel` (README.md beside the bridge); its
// `connect` is to reject when the model cannot be reached, but one written without `async` throws
// instead (`new WebSocket(url)` throws a SyntaxError for a bad URL, at once). That model is just
// as unavailable: the call must be hung up, not held open in silence with `bridgeCall` rejecting.
//
// The telephony far end is FakeFarEnd (tests/_fake_far_end.ts), on the transport's own
// MemorySocket pair; the bridge's hang-up is its `end` frame ("end" on that far end's wire).
import assert from "node:assert/strict";
import { bridgeCall } from "../../../examples/realtime-bridge/bridge_call.ts";
import type { RealtimeModel } from "../../../examples/realtime-bridge/realtime_model.ts";
import { WebSocketTransport } from "../../../src/transport.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../../src/testing/memory_socket.ts";
import { within } from "../../_ws_client.ts";
import { FakeFarEnd, MarkingSerializer } from "../../_fake_far_end.ts";

/** A model whose `connect` throws rather than rejects. */
class ThrowingModel implements RealtimeModel {
  readonly name = "throwing";
  readonly inputSampleRate = 8000;
  readonly outputSampleRate = 8000;
  connect(): Promise<void> {
    throw new SyntaxError("Invalid URL: 'wss//live.example'");
  }
  sendAudio(): void {}
  truncate(): void {}
  cancelResponse(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("the realtime bridge hangs up a call whose model's connect throws, as when it rejects", async () => {
  const clock = new FakeClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 16 });
  const logs: string[] = [];
  let outcome = "";
  const done = bridgeCall(transport, {
    model: new ThrowingModel(),
    log: (...data) => logs.push(data.map(String).join(" ")),
  }).then(
    (summary) => (outcome = `${summary.endedBy}`),
    (error: Error) => (outcome = `rejected: ${error.message}`),
  );
  await clock.tick(0);
  assert.deepEqual(farEnd.texts.map((t) => t.text), ["end"], "the bridge did not hang up");
  assert.ok(
    logs.some((line) => line.includes("the model is unavailable: Invalid URL")),
    logs.join("\n"),
  );
  const closing = transport.close();
  await clock.tick(0);
  await closing;
  await within(done, 3000, "the call's end");
  assert.equal(outcome, "model");
});
