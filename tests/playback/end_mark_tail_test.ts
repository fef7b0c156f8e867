// Vonage and Asterisk take whole 20 ms frames only: a reply that is not whole frames leaves a
// partial frame held back. After the transport's end-of-speech mark it is padded and sent, so the
// reply plays to its end and speakingstop comes once it has (it waited for the next reply).
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { Heard, type ProviderCase, speech, startCall } from "./_provider_call.ts";

const CASES: ProviderCase[] = [
  { protocol: "vonage", serializer: () => new VonageSerializer(), rate: 16000, chunkMs: 20 },
  { protocol: "asterisk", serializer: () => new AsteriskSerializer(), rate: 8000, chunkMs: 20 },
];

for (const provider of CASES) {
  Deno.test(`${provider.protocol}: a reply of 1010 ms plays to its end, and speakingstop comes once it has`, async () => {
    const call = startCall(provider, { jitterMs: 100, returnMs: 20 }, { hangUpAtMs: 5000 });
    await call.clock.tick(100);
    call.transport.send(speech(1010, provider.rate, "r1"));
    await call.clock.tick(6000);
    const heard = new Heard(await call.report);
    const stop = call.events.find((e) => e.type === "speakingstop");
    assert.ok(stop, "speakingstop");
    assert.equal(heard.msBefore(Infinity), 1010, "the whole reply was heard");
    assert.ok(
      stop.at >= heard.lastSpeechMs,
      `stopped at ${stop.at}, played until ${heard.lastSpeechMs}`,
    );
  });
}

// The goodbye: the mark the hang-up waits for must be an end-of-speech one too, or the far end
// answers it before the held audio (Vonage, Asterisk: the partial frame; jambonz, FreeSWITCH: the
// silence completing mod_audio_fork's batch) plays, and the hang-up cuts that off while
// `speakingstop` says all was heard, acknowledged.
const GOODBYES: [ProviderCase, number][] = [
  [CASES[0]!, 1010],
  [CASES[1]!, 1010],
  [
    { protocol: "jambonz", serializer: () => new JambonzSerializer(), rate: 8000, chunkMs: 20 },
    1000,
  ],
  [{
    protocol: "freeswitch",
    serializer: () => new FreeSwitchSerializer(),
    rate: 8000,
    chunkMs: 20,
  }, 1000],
];

for (const [provider, ms] of GOODBYES) {
  Deno.test(`${provider.protocol}: a goodbye of ${ms} ms is heard to its end before the hang-up`, async () => {
    const call = startCall(provider, { jitterMs: 300, returnMs: 20 }, { waitForBotHangUp: true });
    await call.clock.tick(200);
    call.transport.send(speech(ms, provider.rate, "bye"));
    call.transport.send({ type: "end" });
    await call.clock.tick(10_000);
    const heard = new Heard(await call.report).msBefore(Infinity);
    const stop = call.events.find((e) => e.type === "speakingstop")!.event;
    assert.deepEqual([stop.reason, stop.heardMs, stop.acknowledged], ["played", ms, true]);
    assert.equal(heard, ms, `the caller heard ${heard} of ${ms} ms`);
    assert.equal((await call.transport.closed).initiator, "local");
  });
}
