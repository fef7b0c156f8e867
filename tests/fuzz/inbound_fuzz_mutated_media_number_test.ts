// The inbound fuzzer's probe continues from a media number a mutation left readable. The
// Twilio-like serializers read numbers as numbers or numeric strings (`JsonReader.optionalNumber`:
// Twilio and Telnyx send `"chunk": "3"`), so the "odd" `"0x10"` is read as media 16. Seed 303983
// (12 steps) sends it as the stream's first media read (the media before its start was dropped):
// the reorder stage's timeline starts at 16, and every media numbered below it is late by less
// than `maxGapMs`, dropped and counted in `inboundMediaLate` (MediaReorder: "a packet behind the
// timeline by less than this is a duplicate or late, never a restart"). The probe went on from
// chunk 4 and was never heard, on Twilio, Telnyx, Plivo and Exotel alike (1 of 4000 seeds from
// 300000 each). A far end whose numbering moved must be followed from where it moved to, as the
// fuzzer already did for its out-of-order media.
import assert from "node:assert/strict";
import { PROTOCOLS } from "./protocols.ts";
import { formatFailure, planSession, runSession } from "./inbound_fuzz.ts";

const SEED = 303983;
const STEPS = 12;

for (const name of ["twilio", "telnyx", "plivo", "exotel"]) {
  const protocol = PROTOCOLS.get(name)!;

  Deno.test(`inbound fuzz: ${name} seed ${SEED}, its first media read as chunk "0x10", hears its probe`, async () => {
    const steps = planSession(protocol, SEED, STEPS);
    const result = await runSession(protocol, SEED, steps);
    assert.deepEqual(result.failures, [], formatFailure(result, STEPS));
    const probe = steps.find((step) => step.phase === "probe")!;
    assert.ok(
      steps.some((step) => step.label.endsWith('media.chunk = "0x10"')),
      "the seed's mutation",
    );
    // The probe starts past media 16, where the far end's numbering went.
    assert.ok(protocol.mediaNumberRead!(probe.wire)! > 16, probe.label);
  });
}

Deno.test("inbound fuzz: a media number is read as the Twilio-like serializers read it", () => {
  const twilio = PROTOCOLS.get("twilio")!;
  const media = (chunk: unknown, timestamp: unknown) =>
    JSON.stringify({ event: "media", media: { chunk, timestamp, payload: "" } });
  assert.equal(twilio.mediaNumberRead!(media("0x10", "0")), 16);
  assert.equal(twilio.mediaNumberRead!(media(" 7 ", "0")), 7);
  // By media time too (20 ms packets from 0): 200 ms is the eleventh packet.
  assert.equal(twilio.mediaNumberRead!(media("1", "200")), 11);
  // Nothing readable, or nothing the fuzz can count on from.
  assert.equal(twilio.mediaNumberRead!(media("NaN", "1e999")), undefined);
  assert.equal(twilio.mediaNumberRead!(media(1e308, 0.5)), undefined);
  assert.equal(twilio.mediaNumberRead!("{"), undefined);
  assert.equal(twilio.mediaNumberRead!(new Uint8Array(3)), undefined);
});
