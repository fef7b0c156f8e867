// The inbound fuzzer's small default run (every protocol, a few seeds) and proof that it fails
// when a serializer breaks its contract. Long runs: `deno run -A tests/fuzz/inbound_fuzz.ts`.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import type { InboundProtocol } from "./generators.ts";
import { PROTOCOLS } from "./protocols.ts";
import {
  formatFailure,
  fuzzProtocol,
  planSession,
  PROBE_MEDIA,
  runSession,
} from "./inbound_fuzz.ts";

const SEEDS = 2;
const STEPS = 40;

for (const protocol of PROTOCOLS.values()) {
  Deno.test(`inbound fuzz: ${protocol.name} survives ${SEEDS} seeds × ${STEPS} steps`, async () => {
    const results = await fuzzProtocol(protocol, { seeds: SEEDS, steps: STEPS });
    const failed = results.filter((r) => r.failures.length > 0);
    const reports = failed.map((result) => formatFailure(result, STEPS));
    assert.equal(failed.length, 0, reports.join("\n\n"));
    assert.ok(results.every((r) => r.framesIn > 0), "every session delivered frames");
  });
}

Deno.test("inbound fuzz: the same seed plans the same steps", () => {
  const twilio = PROTOCOLS.get("twilio")!;
  assert.deepEqual(planSession(twilio, 7, STEPS), planSession(twilio, 7, STEPS));
  assert.notDeepEqual(planSession(twilio, 7, STEPS), planSession(twilio, 8, STEPS));
});

/** Twilio with one fault planted, under another name. */
function twilioWith(name: string, serializer: () => TwilioSerializer): InboundProtocol {
  return { ...PROTOCOLS.get("twilio")!, name, serializer };
}

/** Reads `media.payload` unchecked: a removed or swapped `media` is a plain TypeError. */
class CarelessTwilio extends TwilioSerializer {
  override deserialize(data: string | Uint8Array) {
    const message = typeof data === "string" ? tryParse(data) : undefined;
    if (message?.event === "media") {
      const media = message.media as { payload: string } | null | undefined;
      if (typeof media?.payload !== "string") {
        throw new TypeError(`Cannot read properties of ${String(media)} (reading 'payload')`);
      }
    }
    return super.deserialize(data);
  }
}

/** Goes deaf after the first message it cannot parse: returns nothing ever after. */
class DeafTwilio extends TwilioSerializer {
  #deaf = false;
  override deserialize(data: string | Uint8Array) {
    if (this.#deaf) return null;
    try {
      return super.deserialize(data);
    } catch (error) {
      this.#deaf = true;
      throw error;
    }
  }
}

/** Leaves a promise it rejects unhandled when a message is not JSON: work lost off the books. */
class LeakyTwilio extends TwilioSerializer {
  override deserialize(data: string | Uint8Array) {
    if (typeof data === "string" && tryParse(data) === undefined) {
      Promise.reject(new Error("lost in a background task"));
    }
    return super.deserialize(data);
  }
}

function tryParse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first seed, of the first 50, whose session fails; with its result. */
async function firstFailure(protocol: InboundProtocol) {
  const results = await fuzzProtocol(protocol, { seeds: 50, steps: STEPS });
  const failed = results.find((r) => r.failures.length > 0);
  assert.ok(failed, `${protocol.name}: no seed of 50 failed`);
  return failed;
}

Deno.test("inbound fuzz: a serializer throwing a plain TypeError is caught, with its seed and steps", async () => {
  const careless = twilioWith("careless", () => new CarelessTwilio());
  const failed = await firstFailure(careless);
  assert.match(failed.failures.join("\n"), /serializer threw TypeError/);
  const report = formatFailure(failed, STEPS);
  assert.match(report, new RegExp(`protocol=careless seed=${failed.seed}`));
  const listed = report.split("\n").filter((line) => /^\s+\d+ \[/.test(line));
  assert.equal(listed.length, failed.steps.length, "every step is listed");
  // The seed alone replays it.
  const steps = planSession(careless, failed.seed, STEPS);
  const again = await runSession(careless, failed.seed, steps, new Set(["end"]));
  assert.deepEqual(again.failures, failed.failures);
});

Deno.test("inbound fuzz: a serializer that stops answering after a bad message is caught", async () => {
  const failed = await firstFailure(twilioWith("deaf", () => new DeafTwilio()));
  assert.ok(
    failed.failures.includes("no audio frame from the valid media sent after the fuzz"),
    failed.failures.join("\n"),
  );
});

Deno.test("inbound fuzz: a probe that starts after a one-packet hole still reaches the bot before the stop", async () => {
  // Plivo seeds 163 and 1143: a lone jump of 50 (chunk 96, 93) was dropped as a bogus number, the
  // media went on below it, and the probe began one past the jump, one packet after the last
  // delivered: a hole that three probe packets fill only up to the reorder window.
  const plivo = PROTOCOLS.get("plivo")!;
  for (const seed of [163, 1143]) {
    const result = await runSession(plivo, seed, planSession(plivo, seed, 300));
    assert.deepEqual(result.failures, [], formatFailure(result, 300));
  }
});

Deno.test("inbound fuzz: frames reach the bot in a passing session", async () => {
  const twilio = PROTOCOLS.get("twilio")!;
  const result = await runSession(twilio, 1, planSession(twilio, 1, 0));
  assert.deepEqual(result.failures, []);
  // Opening (connected, start), the probe's media, stop: message, start, an audio each, end.
  assert.equal(result.framesIn, 3 + PROBE_MEDIA);
});

Deno.test("inbound fuzz: a rejection left unhandled beside the transport is caught", async () => {
  const failed = await firstFailure(twilioWith("leaky", () => new LeakyTwilio()));
  assert.match(failed.failures.join("\n"), /escaped the transport \(unhandledrejection\)/);
});
