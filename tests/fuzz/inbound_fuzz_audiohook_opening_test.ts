// The inbound fuzzer sends an AudioHook far end's session nothing before its open. Genesys's client
// "does not send audio until the server completes the open transaction" (Genesys's help, "What
// happens during a successful session between Genesys Cloud and your AudioHook server?"), and
// audio before it is a breach the serializer answers with `disconnect`, reason `error`, as the
// reference server does ("Received audio in state PREPARING";
// tests/serializers/genesys_audio_breach_test.ts): the open that follows is refused, and the
// valid media after the fuzz has no session to reach. The fuzzer planned such audio in 3 of 10
// Genesys sessions and failed them for the silence it had caused (154 of 500 seeds × 300 steps).
import assert from "node:assert/strict";
import { PROTOCOLS } from "./protocols.ts";
import { formatFailure, planSession, runSession } from "./inbound_fuzz.ts";

const genesys = PROTOCOLS.get("genesys")!;
const STEPS = 300;

Deno.test("inbound fuzz: an AudioHook session is sent nothing before its open", () => {
  for (let seed = 1; seed <= 50; seed++) {
    const steps = planSession(genesys, seed, STEPS);
    assert.equal(steps[0]!.phase, "opening", `seed ${seed} begins with ${steps[0]!.label}`);
  }
});

Deno.test("inbound fuzz: Genesys seed 7, once planned with audio before its open, hears its probe", async () => {
  // Seed 7 drew audio before the open: the session was ended unopened, its probe unheard.
  const result = await runSession(genesys, 7, planSession(genesys, 7, STEPS));
  assert.deepEqual(result.failures, [], formatFailure(result, STEPS));
});

Deno.test("inbound fuzz: other protocols are still sent media before their opening", () => {
  const twilio = PROTOCOLS.get("twilio")!;
  const early = Array.from({ length: 50 }, (_, i) => planSession(twilio, i + 1, STEPS)[0]!)
    .filter((step) => step.phase === "before start");
  assert.ok(early.length > 0, "some Twilio seed begins before its start");
});
