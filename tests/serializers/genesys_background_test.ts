// A background (the transport's `background` mixer) begins as the socket opens, before Genesys's
// `open`: what of it the serializer gets then is dropped and counted, never sent (Genesys takes
// nothing before `open`) nor reported as an error, which would come with every session. The
// serializer's own replies still go before `open`, and a connection probe, which takes no audio
// and closes at once, reports no refusal of the background either; a monitor session still
// reports its refusal once, as `sendAudio` documents.
import assert from "node:assert/strict";
import type { OutboundMixer } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { audioConnectorSession } from "./fixtures/audio_connector_client.ts";
import { openParameters } from "./fixtures/audiohook_client.ts";

/** A connection probe's conversation id (the reference client's `--connection-probe`). */
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const MEDIA = [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }];

/** A background that always has 20 ms of a quiet 8 kHz signal to fill with. */
function background(): OutboundMixer {
  return {
    attach() {},
    mix: (chunk) => chunk,
    fill: () => ({
      type: "audio",
      audio: new Uint8Array(320).fill(3),
      sampleRate: 8000,
      channels: 1,
    }),
    detach() {},
  };
}

/** A session with a background whose client opens (`open`) 50 ms after the socket opened. */
async function openedLate(open: (s: ReturnType<typeof audioConnectorSession>) => void) {
  const clock = new FakeClock();
  const s = audioConnectorSession({
    transport: { clock, background: background() },
    clock,
    client: { networkMs: 1 },
  });
  await clock.tick(40); // the socket is open; Genesys has not sent `open` yet
  s.client.send("ping", {});
  await clock.tick(10);
  open(s);
  for (let t = 0; t < 500; t += 10) await clock.tick(10);
  const seen = s.client.seen.map((m) => "type" in m ? m.type : "binary");
  const errors = s.errors.map((e) => `${e.code}: ${e.message}`);
  return { clock, s, seen, errors };
}

async function close(s: ReturnType<typeof audioConnectorSession>, clock: FakeClock) {
  await s.transport.close();
  await clock.runAll();
}

Deno.test("Genesys with a background: nothing of it before open, no error, and the pong still goes", async () => {
  const { clock, s, seen, errors } = await openedLate((s) => s.client.open());
  assert.deepEqual(errors, []);
  assert.deepEqual(seen.slice(0, 2), ["pong", "opened"]);
  assert.ok(seen.slice(2).length > 10 && seen.slice(2).every((m) => m === "binary"));
  // What the background filled before `open` was dropped, and counted so.
  assert.ok(s.transport.stats.audioBytesRefused > 0);
  await close(s, clock);
});

Deno.test("Genesys with a background: a connection probe gets none of it and reports no error", async () => {
  const { clock, s, seen, errors } = await openedLate((s) => {
    const parameters = openParameters(MEDIA);
    parameters.conversationId = NIL_UUID;
    s.client.send("open", parameters);
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(seen, ["pong", "opened"]);
  await close(s, clock);
});

Deno.test("Genesys with a background: a monitor session refuses it, reported once", async () => {
  const { clock, s, seen, errors } = await openedLate((s) => {
    s.client.send("open", openParameters(MEDIA)); // no inputVariables: AudioHook Monitor
  });
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^encode: genesys: outbound audio dropped: .*monitor-only/);
  assert.deepEqual(seen, ["pong", "opened"]);
  await close(s, clock);
});
