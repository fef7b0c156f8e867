// The message set Twilio, Telnyx and Exotel share (`_media_stream_events.ts`), through each far
// end with a fake context: numbering, chunk timing, mark echoes in each platform's key names,
// the stream id check, and Twilio's error code on the shared rules.
import assert from "node:assert/strict";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import type { FarEnd, FarEndContext, MarkOnClear } from "../../../src/simulator/far_end.ts";

interface Recorded {
  sent: Record<string, unknown>[];
  violations: { rule: string; detail: string }[];
  marks: { name: string; onClear: MarkOnClear }[];
  played: number[];
  clears: number;
}

/** A far end of `protocol`, opened on a context that records what it does. */
function openFarEnd(protocol: string): { farEnd: FarEnd; recorded: Recorded } {
  const recorded: Recorded = { sent: [], violations: [], marks: [], played: [], clears: 0 };
  const context: FarEndContext = {
    now: () => 0,
    sleep: () => Promise.resolve(),
    send: (message) => {
      assert.equal(typeof message, "string");
      recorded.sent.push(JSON.parse(message as string));
    },
    violation: (rule, detail) => recorded.violations.push({ rule, detail }),
    play: (samples) => recorded.played.push(samples.length),
    queuedMs: () => 0,
    mark: (name, onClear, ack) => {
      recorded.marks.push({ name, onClear });
      ack();
    },
    whenPlayed: (_onClear, played) => played(),
    markRequested: () => {},
    markSettled: () => {},
    clear: () => recorded.clears++,
    dropQueued: () => {},
    ready: () => {},
    endCall: () => {},
    note: () => {},
  };
  const farEnd = FAR_ENDS[protocol]!({ streamId: "S1", callId: "C1" });
  farEnd.open(context);
  return { farEnd, recorded };
}

const PLATFORMS = [
  { protocol: "twilio", sequenceKey: "sequenceNumber", streamKey: "streamSid", onClear: "ack" },
  { protocol: "telnyx", sequenceKey: "sequence_number", streamKey: "stream_id", onClear: "ack" },
  { protocol: "exotel", sequenceKey: "sequence_number", streamKey: "stream_sid", onClear: "drop" },
] as const;

for (const { protocol, sequenceKey, streamKey, onClear } of PLATFORMS) {
  Deno.test(`the ${protocol} far end numbers its events and times its chunks from the stream's start`, () => {
    const { farEnd, recorded } = openFarEnd(protocol);
    const frame = new Int16Array((farEnd.caller.sampleRate * farEnd.caller.frameMs) / 1000);
    farEnd.sendAudio(frame);
    farEnd.sendAudio(frame);
    const numbered = recorded.sent.filter((m) => sequenceKey in m);
    assert.deepEqual(numbered.map((m) => m[sequenceKey]), ["1", "2", "3"]);
    const media = numbered.slice(1).map((m) => m.media as Record<string, unknown>);
    assert.deepEqual(media.map((m) => [m.chunk, m.timestamp]), [
      ["1", "0"],
      ["2", String(farEnd.caller.frameMs)],
    ]);
  });

  Deno.test(`the ${protocol} far end echoes a played mark in its own key names`, () => {
    const { farEnd, recorded } = openFarEnd(protocol);
    farEnd.receive(JSON.stringify({ event: "mark", [streamKey]: "S1", mark: { name: "m1" } }));
    assert.deepEqual(recorded.marks, [{ name: "m1", onClear }]);
    const echo = recorded.sent.at(-1)!;
    assert.deepEqual(echo, {
      event: "mark",
      [sequenceKey]: "2",
      [streamKey]: "S1",
      mark: { name: "m1" },
    });
    assert.deepEqual(Object.keys(echo), ["event", sequenceKey, streamKey, "mark"]);
    assert.deepEqual(recorded.violations, []);
  });

  Deno.test(`the ${protocol} far end plays media, clears, and reports what it does not take`, () => {
    const { farEnd, recorded } = openFarEnd(protocol);
    const payload = btoa(String.fromCharCode(...new Uint8Array(3200)));
    farEnd.receive(JSON.stringify({ event: "media", [streamKey]: "S1", media: { payload } }));
    farEnd.receive(JSON.stringify({ event: "clear", [streamKey]: "S1" }));
    farEnd.receive(JSON.stringify({ event: "stop", [streamKey]: "S1" }));
    farEnd.receive(JSON.stringify({ event: "mark", [streamKey]: "S1", mark: {} }));
    farEnd.receive(JSON.stringify({ event: "media", [streamKey]: "S1", media: { payload: "@" } }));
    assert.equal(recorded.played.length, 1);
    assert.equal(recorded.clears, 1);
    const code = protocol === "twilio" ? "31924: " : "";
    const name = protocol[0]!.toUpperCase() + protocol.slice(1);
    assert.deepEqual(recorded.violations, [
      {
        rule: `${protocol}.unknown-event`,
        detail: `${code}${name} takes media, mark and clear, not "stop"`,
      },
      { rule: `${protocol}.bad-mark`, detail: `${code}mark without mark.name` },
      { rule: `${protocol}.bad-media`, detail: `${code}media.payload is not base64` },
    ]);
  });
}

Deno.test("the twilio and exotel far ends refuse messages for another stream; telnyx's carry none", () => {
  for (const { protocol, streamKey } of PLATFORMS) {
    const { farEnd, recorded } = openFarEnd(protocol);
    farEnd.receive(JSON.stringify({ event: "clear", [streamKey]: "S2" }));
    if (protocol === "telnyx") {
      assert.equal(recorded.clears, 1);
      assert.deepEqual(recorded.violations, []);
    } else {
      assert.equal(recorded.clears, 0);
      const code = protocol === "twilio" ? "31924: " : "";
      assert.deepEqual(recorded.violations, [
        { rule: `${protocol}.stream-sid`, detail: `${code}clear for stream S2, not S1` },
      ]);
    }
  }
});
