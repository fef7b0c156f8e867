// mod_audio_fork gathers the audio it is sent into batches of its own: a transport packet size
// (`fixedAudioPacketSize`) buys nothing there, and its held packet breaks what the serializer knows
// of the module's buffers (a mark's command overtakes the audio held of its sentence; an
// interruption's dropped partial packet leaves the flush silence short). Refused at set-up.
import assert from "node:assert/strict";
import type { Frame, TransportError } from "../../mod.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { level, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { FORK_METADATA, FORK_SERIALIZERS } from "./fixtures/fork_serializers.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`${name}: fixedAudioPacketSize is refused at set-up, saying why`, async () => {
    const { clock, pair, transport } = narrowbandCall(make(), { fixedAudioPacketSize: 1000 });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    transport.receive(() => {});
    pair.client.send(FORK_METADATA);
    await clock.tick(10);
    assert.equal(errors.length, 1, `errors: ${errors.map((e) => e.message).join(" | ")}`);
    assert.equal(errors[0]!.fatal, true);
    assert.match(errors[0]!.message, /fixedAudioPacketSize 1000 does not work with mod_audio_fork/);
    assert.equal((await transport.closed).code, 1011);
  });
}

Deno.test("FreeSwitchSerializer: nothing of an interrupted reply opens the next", async () => {
  const { clock, pair, transport } = narrowbandCall(new FreeSwitchSerializer());
  const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
  transport.receive(() => {});
  await clock.tick(10);
  const audio = (ms: number, v: number, responseId: string) =>
    ({ type: "audio", audio: level(ms, v), sampleRate: 8000, channels: 1, responseId }) as Frame;
  transport.send(audio(2000, 100, "r1"));
  await clock.tick(730);
  await transport.interrupt();
  await clock.tick(500);
  const secondAt = clock.now();
  transport.send(audio(1000, 200, "r2"));
  await clock.tick(2000);
  const r1After = log.played.filter(([t, s]) => t >= secondAt && s === 100);
  assert.deepEqual(r1After, [], `r1 played after r2 was written: ${JSON.stringify(r1After)}`);
  await transport.close();
});
