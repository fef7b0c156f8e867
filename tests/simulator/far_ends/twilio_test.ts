// The Media Streams far end as SignalWire (its cXML <Stream> reference: L16 at 16 or 24 kHz,
// μ-law at 8 kHz) against TwilioSerializer, which learns the wire format from `start`.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import { speech, startCall } from "../../playback/_provider_call.ts";

for (const rate of [8000, 16000, 24000]) {
  Deno.test(`simulateCall as signalwire at ${rate} Hz talks to TwilioSerializer: audio, marks, dtmf`, async () => {
    const call = startCall(
      {
        protocol: "signalwire",
        serializer: () => new TwilioSerializer(),
        rate,
        chunkMs: 20,
        platform: { sampleRate: rate, customParameters: { customer: "c-42" } },
      },
      { jitterMs: 0, returnMs: 0 },
      { hangUpAtMs: 3000, dtmf: [{ atMs: 500, digit: "8" }] },
      (frame, transport) => {
        if (frame.type !== "start") return;
        transport.send(speech(1000, rate, "hello"));
        transport.send({ type: "mark", name: "hello-done" });
      },
    );
    await call.clock.tick(5000);
    const report = await call.report;
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.equal(report.audio.playedMs, 1000);
    const frames = call.inbound.map((i) => i.frame);
    const start = frames.find((f) => f.type === "start");
    assert.equal(start?.type === "start" && start.params?.customer, "c-42");
    assert.deepEqual(frames.filter((f) => f.type === "dtmf"), [{ type: "dtmf", digit: "8" }]);
    assert.deepEqual(frames.filter((f) => f.type === "mark"), [{
      type: "mark",
      name: "hello-done",
    }]);
    assert.equal(report.marks.acked, report.marks.requested);
    assert.equal(report.ended.by, "caller");
  });
}

Deno.test("the signalwire far end refuses rates SignalWire does not stream", () => {
  assert.throws(() => FAR_ENDS.signalwire!({ sampleRate: 44100 }), RangeError);
  assert.throws(() => FAR_ENDS.twilio!({ sampleRate: 16000 }), /8000 Hz μ-law only/);
});
