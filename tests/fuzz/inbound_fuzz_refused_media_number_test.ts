// The inbound fuzzer's mutated media numbers, read as the Twilio-like serializers now read them.
// `JsonReader.optionalNumber` takes a JSON number or a string of plain decimal digits, as Twilio,
// Telnyx and Exotel spell `"chunk": "3"` (Twilio's "Media Streams - WebSocket Messages", "Media
// message"; Telnyx's "Stream call media over WebSocket"; Exotel's AgentStream "WebSocket
// protocol"). Seed 303983 (12 steps) mangles its first media's chunk to `"0x10"`, which `Number()`
// read as media 16: the reorder stage's timeline started there and the probe had to go on past it
// to be heard. Now that message is a decode error, the stage never sees 16, and the probe goes on
// from the stream's own numbering, on Twilio, Telnyx, Plivo and Exotel alike.
import assert from "node:assert/strict";
import { PROTOCOLS } from "./protocols.ts";
import { formatFailure, planSession, runSession } from "./inbound_fuzz.ts";

const SEED = 303983;
const STEPS = 12;

for (const name of ["twilio", "telnyx", "plivo", "exotel"]) {
  const protocol = PROTOCOLS.get(name)!;

  Deno.test(`inbound fuzz: ${name} seed ${SEED}, its first media's chunk "0x10" refused, hears its probe on its own numbering`, async () => {
    const steps = planSession(protocol, SEED, STEPS);
    assert.ok(
      steps.some((step) => step.label.endsWith('media.chunk = "0x10"')),
      "the seed's mutation",
    );
    const result = await runSession(protocol, SEED, steps);
    assert.deepEqual(result.failures, [], formatFailure(result, STEPS));
    // Was: the probe started past media 16, where `"0x10"` had moved the timeline.
    const probe = steps.find((step) => step.phase === "probe")!;
    assert.ok(protocol.mediaNumberRead!(probe.wire)! < 16, probe.label);
  });
}

Deno.test("inbound fuzz: a media number is followed only where the serializers' reader reads it", () => {
  const twilio = PROTOCOLS.get("twilio")!;
  const media = (chunk: unknown, timestamp: unknown) =>
    JSON.stringify({ event: "media", media: { chunk, timestamp, payload: "" } });
  // Plain decimal strings and JSON numbers, by chunk or by media time (20 ms packets from 0:
  // 200 ms is the eleventh packet), whichever is further.
  assert.equal(twilio.mediaNumberRead!(media("16", "0")), 16);
  assert.equal(twilio.mediaNumberRead!(media(16, 0)), 16);
  assert.equal(twilio.mediaNumberRead!(media("1", "200")), 11);
  assert.equal(twilio.mediaNumberRead!(media("1", null)), 1);
  // Spellings `Number()` takes and the reader refuses: the message is a decode error, none of it
  // read, a readable number beside them included.
  for (const odd of ["0x10", "0b10000", "1.6e1", " 16 ", "+16", "16 ", ".5e2"]) {
    assert.equal(twilio.mediaNumberRead!(media(odd, "0")), undefined, odd);
    assert.equal(twilio.mediaNumberRead!(media("1", odd)), undefined, odd);
  }
  // Nothing readable, or nothing the fuzz can count on from.
  assert.equal(twilio.mediaNumberRead!(media("NaN", "1e999")), undefined);
  assert.equal(twilio.mediaNumberRead!(media(1e308, 0.5)), undefined);
  assert.equal(twilio.mediaNumberRead!("{"), undefined);
  assert.equal(twilio.mediaNumberRead!(new Uint8Array(3)), undefined);
});
