// The inbound fuzzer's Genesys sessions longer than a minute of fake time. After a breach the
// AudioHook serializer sends `disconnect` and, if Genesys has not closed within the transport's
// `closeTimeoutMs`, ends the session itself (genesys.ts; AudioHook's closing sequence: after the
// server's `disconnect` the client sends `close`). The fuzzer's far end never closes, and its
// Genesys bound was a fixed minute: every session of 3000 steps × 20 ms ended before its last
// steps, which the driver then sent into a closed socket ("driver threw at step 3006:
// InvalidStateError: WebSocket is not open"; 100 of 100 seeds from 200000). The bound now
// outlasts the session whatever its length.
import assert from "node:assert/strict";
import { PROTOCOLS } from "./protocols.ts";
import { formatFailure, planSession, runSession } from "./inbound_fuzz.ts";

const genesys = PROTOCOLS.get("genesys")!;
/** Steps enough for the fuzz to outlast a minute of fake time (20 ms a step). */
const LONG_STEPS = 3000;

Deno.test("inbound fuzz: a Genesys session of 3000 steps, seed 200000, hears every step", async () => {
  // Seed 200000 breaches the AudioHook protocol early: the serializer's bound on Genesys's close
  // starts then, and must not end the session before the fuzz has sent its last step.
  const steps = planSession(genesys, 200000, LONG_STEPS);
  const result = await runSession(genesys, 200000, steps);
  assert.deepEqual(result.failures, [], formatFailure(result, LONG_STEPS));
});
