// The inbound fuzzer's small default run (every protocol, a few seeds) and proof that it fails
// when a serializer breaks its contract. Long runs: `deno run -A tests/fuzz/inbound_fuzz.ts`.
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import type { InboundProtocol } from "./generators.ts";
import { PROTOCOLS } from "./protocols.ts";
import {
  BOTH_TRACKS_PROTOCOLS,
  type BothTracksProtocol,
  planBothTracks,
  type SentStep,
} from "./generators_both_tracks.ts";
import { formatBothTracksFailure, fuzzBothTracks, runBothTracks } from "./both_tracks_session.ts";
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
  assert.match(
    failed.failures.join("\n"),
    /escaped the transport: unhandled rejection: Error: lost in a background task/,
  );
});

const BOTH_SEEDS = 30;
const BOTH_PACKETS = 300;

for (const protocol of BOTH_TRACKS_PROTOCOLS.values()) {
  Deno.test(`inbound fuzz: ${protocol.name} hears every packet of ${BOTH_SEEDS} jittered both-tracks streams of ${BOTH_PACKETS}, in order, no silence invented`, async () => {
    const results = await fuzzBothTracks(protocol, {
      seeds: BOTH_SEEDS,
      steps: BOTH_PACKETS,
    });
    const failed = results.filter((r) => r.failures.length > 0);
    const reports = failed.map((result) => formatBothTracksFailure(result));
    assert.equal(failed.length, 0, reports.join("\n\n"));
    // The streams were impaired: losses, drift and late first stamps all occur.
    assert.ok(results.some((r) => r.plan.lost.size > 0), "some stream lost packets");
    assert.ok(results.some((r) => r.plan.stamps.drift !== 0), "some stream's clock drifted");
    assert.ok(results.some((r) => r.plan.stamps.firstLateMs > 20), "some first stamp was late");
    assert.ok(results.some((r) => r.plan.steps.some((step) => step.duplicate)), "some sent twice");
    assert.ok(results.some((r) => reordered(r.plan.steps)), "some packet came after a later one");
  });
}

/** Whether a caller's packet was sent after one that follows it on the true timeline. */
function reordered(steps: readonly SentStep[]): boolean {
  let newest = -1;
  for (const step of steps) {
    if (step.packet === undefined || step.duplicate) continue;
    if (step.packet < newest) return true;
    newest = step.packet;
  }
  return false;
}

Deno.test("inbound fuzz: the same seed plans the same both-tracks stream", () => {
  const plivo = BOTH_TRACKS_PROTOCOLS.get("plivo_both")!;
  assert.deepEqual(planBothTracks(plivo, 7, 100), planBothTracks(plivo, 7, 100));
  assert.notDeepEqual(planBothTracks(plivo, 7, 100), planBothTracks(plivo, 8, 100));
});

/** Twilio's both-tracks streams with a fault planted in what the serializer hands on. */
function twilioBothWith(
  plant: (frames: Frame[], mediaCount: number) => Frame[],
): BothTracksProtocol {
  const twilio = BOTH_TRACKS_PROTOCOLS.get("twilio_both")!;
  class Planted extends TwilioSerializer {
    #media = 0;
    override deserialize(data: string | Uint8Array) {
      const out = super.deserialize(data);
      const frames = out === null ? [] : [out].flat();
      if (!frames.some((f) => f.type === "audio")) return out;
      return plant(frames, ++this.#media);
    }
  }
  return { ...twilio, base: { ...twilio.base, serializer: () => new Planted() } };
}

/** The first of 20 seeds whose both-tracks session fails, with its failures. */
async function firstBothTracksFailure(protocol: BothTracksProtocol): Promise<string> {
  for (let seed = 1; seed <= 20; seed++) {
    const plan = planBothTracks(protocol, seed, 120);
    const result = await runBothTracks(protocol, plan);
    if (result.failures.length > 0) return result.failures.join("\n");
  }
  assert.fail("no seed of 20 failed");
}

Deno.test("inbound fuzz: a both-tracks stream that silently loses one packet in 50 is caught", async () => {
  const lossy = twilioBothWith((frames, n) => n % 50 === 0 ? [] : frames);
  const failures = await firstBothTracksFailure(lossy);
  assert.match(failures, /heard \d+ of \d+ packets sent: missing \[\d+/);
  assert.match(failures, /caller message\(s\) not heard, \d+ counted dropped/);
});

Deno.test("inbound fuzz: a both-tracks stream that invents 20 ms of silence is caught", async () => {
  const inventing = twilioBothWith((frames, n) => {
    if (n % 50 !== 0) return frames;
    const audio = frames.find((f): f is AudioFrame => f.type === "audio")!;
    // 20 ms of PCM16 silence at 8 kHz, where no packet was lost.
    const silence = { ...audio, audio: new Uint8Array(320) };
    return [silence, ...frames];
  });
  const failures = await firstBothTracksFailure(inventing);
  assert.match(failures, /ms of silence heard, \d+ ms lost/);
});
