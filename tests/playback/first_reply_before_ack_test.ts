// The first response of a call, before any acknowledgement has measured how far behind the
// estimate the far end plays (`playoutDelayMs` left at 0): the bare estimate had it playing at
// its send, hundreds of milliseconds before a far end with a deep buffer played any of it, so
// `speakingstart` came early and an interruption counted heard the 260 ms before the first mark.
// Each provider here against its simulated far end (src/simulator/far_ends/), whose recording is
// the truth. Later responses, a delay told, and far ends that never acknowledge are checked to
// behave as before.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { Heard, type ProviderCase, speech, startCall } from "./_provider_call.ts";

const PROVIDERS: ProviderCase[] = [
  { protocol: "twilio", serializer: () => new TwilioSerializer(), rate: 8000, chunkMs: 20 },
  { protocol: "vonage", serializer: () => new VonageSerializer(), rate: 16000, chunkMs: 20 },
  { protocol: "jambonz", serializer: () => new JambonzSerializer(), rate: 8000, chunkMs: 20 },
  {
    protocol: "asterisk-json",
    serializer: () => new AsteriskSerializer(),
    rate: 8000,
    chunkMs: 20,
  },
  { protocol: "plivo", serializer: () => new PlivoSerializer(), rate: 8000, chunkMs: 20 },
];

/** The way back from the far end in these calls. */
const RETURN_MS = 20;

/** When the caller first heard the bot (ms), from the far end's recording. */
function onset(heard: Heard): number {
  for (let t = 0; t < 10_000; t += 5) if (heard.msBefore(t) > 0) return t;
  return Infinity;
}

for (const provider of PROVIDERS) {
  const { protocol, rate, chunkMs } = provider;

  Deno.test(`${protocol}: the first response interrupted before its first acknowledgement: no more heard than played, no start before it played`, async () => {
    for (const [jitterMs, afterMs] of [[450, 350], [450, 600], [300, 250], [60, 200]]) {
      const call = startCall(provider, { jitterMs: jitterMs!, returnMs: RETURN_MS }, {
        hangUpAtMs: 5000,
      });
      await call.clock.tick(100);
      call.transport.send(speech(3000, rate, "r1"));
      await call.clock.tick(afterMs!);
      const at = call.clock.now();
      const result = await call.transport.interrupt();
      await call.clock.tick(6000);
      const heard = new Heard(await call.report);
      const truth = heard.msBefore(at);
      const label = `${protocol}, jitter ${jitterMs}, interrupted ${afterMs} ms in`;
      assert.equal(result.responseId, "r1", label);
      assert.ok(
        result.heardMs <= truth + chunkMs,
        `${label}: heardMs ${result.heardMs} (acknowledged ${result.acknowledged}), the caller heard ${truth}`,
      );
      // Interrupted before anything proved r1 plays, it stops unseen (as any response interrupted
      // before it began); one that did begin began no earlier than the caller heard it.
      const start = call.events.find((e) => e.type === "speakingstart");
      if (start !== undefined) {
        assert.ok(start.at >= onset(heard), `${label}: speakingstart at ${start.at}`);
      }
    }
  });

  Deno.test(`${protocol}: the first response's speakingstart comes when the far end plays it, within a mark interval`, async () => {
    const jitterMs = 300;
    const call = startCall(provider, { jitterMs, returnMs: RETURN_MS }, { hangUpAtMs: 6000 });
    await call.clock.tick(100);
    call.transport.send(speech(1000, rate, "r1"));
    await call.clock.tick(2500);
    call.transport.send(speech(1000, rate, "r2"));
    await call.clock.tick(5000);
    const heard = new Heard(await call.report);
    const starts = call.events.filter((e) => e.type === "speakingstart");
    assert.deepEqual(starts.map((e) => e.event.responseId), ["r1", "r2"]);
    const first = onset(heard);
    const r1 = starts[0]!;
    assert.ok(
      r1.at >= first && r1.at <= first + 250 + chunkMs + RETURN_MS + 20,
      `speakingstart at ${r1.at}, the far end began playing at ${first}`,
    );
    // What it says was heard by then is no more than was.
    assert.ok(r1.event.heardMs <= heard.msBefore(r1.at) + chunkMs, `${r1.event.heardMs} heard`);
  });
}

Deno.test("twilio: told the far end's delay, the first response starts by the estimate, as before", async () => {
  const provider = { ...PROVIDERS[0]!, transport: { playoutDelayMs: 300 } };
  const call = startCall(provider, { jitterMs: 300, returnMs: RETURN_MS }, { hangUpAtMs: 4000 });
  await call.clock.tick(100);
  call.transport.send(speech(1000, 8000, "r1"));
  await call.clock.tick(5000);
  const heard = new Heard(await call.report);
  const start = call.events.find((e) => e.type === "speakingstart")!;
  assert.ok(Math.abs(start.at - onset(heard)) <= 20, `${start.at} vs ${onset(heard)}`);
});

Deno.test("a far end that never acknowledges: the first response begins by the estimate playoutTimeoutMs late, later ones by the estimate", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutTimeoutMs: 500,
    clock,
  });
  new FakeFarEnd(clock, pair.client, { jitterMs: 40, bytesPerMs: 32, acks: false });
  const events: { type: string; at: number; heardMs: number }[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(
      type,
      (e) => events.push({ type, at: clock.now(), heardMs: e.heardMs }),
    );
  }
  const audio = (ms: number, responseId: string) => ({
    type: "audio" as const,
    audio: new Uint8Array(ms * 32).fill(1),
    sampleRate: 16000,
    channels: 1,
    responseId,
  });
  await clock.tick(100);
  transport.send(audio(1000, "r1"));
  await clock.tick(400);
  assert.equal(transport.playback.speaking, false, "nothing proves it plays yet");
  await clock.tick(300);
  assert.equal(transport.playback.speaking, true, "by the estimate, the bound past");
  await clock.tick(2000);
  // Its marks went unanswered past their bound: the next response begins by the estimate.
  transport.send(audio(500, "r2"));
  await clock.tick(2000);
  assert.deepEqual(events.map((e) => e.type), [
    "speakingstart",
    "speakingstop",
    "speakingstart",
    "speakingstop",
  ]);
  assert.ok(Math.abs(events[0]!.at - (100 + 500)) <= 20, `r1 started at ${events[0]!.at}`);
  assert.equal(events[1]!.heardMs, 1000);
  assert.ok(Math.abs(events[2]!.at - 2800) <= 20, `r2 started at ${events[2]!.at}`);
  pair.client.close(1000);
  await transport.closed;
});
