// Media, DTMF and marks a provider sends after its end-of-stream `stop` never reach the bot
// after the `end` frame that stop became: dropped, counted in `stats.inboundAfterEnd`, reported
// once. The provider side is the documented call of each fixture (start and media as the
// providers' media-streams pages show them); no provider documents anything after `stop`:
// Twilio "Media Streams - WebSocket Messages", #stop-message (the stream has stopped or the call
// ended); Telnyx media streaming `stop`; Plivo audio streams `stop`; Exotel voicebot stream
// `stop` (see /work/shared/reference/PROTOCOLS.md).
import assert from "node:assert/strict";
import { type Frame, TransportError, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../src/serializer.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import type { ScriptStep } from "./fixtures/telephony_harness.ts";
import { twilioCall } from "./fixtures/twilio_call.ts";
import { telnyxCall } from "./fixtures/telnyx_call.ts";
import { plivoCall, plivoIds } from "./fixtures/plivo_call.ts";
import { exotelCall } from "./fixtures/exotel_call.ts";

/** The first message of `event` the provider sends in `script`. */
function providerWire(script: ScriptStep[], event: string): Record<string, unknown> {
  for (const step of script) {
    if ("from" in step && (step.wire as { event?: string }).event === event) {
      return step.wire as Record<string, unknown>;
    }
  }
  throw new Error(`no provider ${event} in the script`);
}

const cases: [string, () => FrameSerializer, ScriptStep[], Record<string, unknown> | null][] = [
  ["Twilio", () => new TwilioSerializer(), twilioCall, null],
  ["Telnyx", () => new TelnyxSerializer(), telnyxCall, null],
  // Plivo's `stop`, as its audio-streams page shows it.
  ["Plivo", () => new PlivoSerializer(), plivoCall, {
    event: "stop",
    sequenceNumber: 9,
    streamId: plivoIds.stream,
  }],
  ["Exotel", () => new ExotelSerializer(), exotelCall, null],
];

for (const [name, make, script, stop] of cases) {
  Deno.test(`\`${name}Serializer\` media and DTMF after \`stop\` never follow \`end\`: dropped, counted, reported once`, async () => {
    const { server, client } = new MemorySocketPair();
    // Exotel's messages are 200 ms: at the default chunkMs its serializer would say so at set-up.
    const audioOut = name === "Exotel" ? { sampleRate: 8000, chunkMs: 200 } : {};
    const transport = new WebSocketTransport(server, { serializer: make(), audioOut });
    const errors: unknown[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    const media = providerWire(script, "media");
    client.send(JSON.stringify(providerWire(script, "start")));
    client.send(JSON.stringify(media));
    client.send(JSON.stringify(stop ?? providerWire(script, "stop")));
    client.send(JSON.stringify(media));
    client.send(JSON.stringify(providerWire(script, "dtmf")));
    client.send(JSON.stringify(media));
    const frames: Frame[] = [];
    const reader = transport.readable.getReader();
    while (frames.at(-1)?.type !== "end") {
      const { value, done } = await reader.read();
      if (done) break;
      frames.push(value);
    }
    reader.releaseLock();
    await transport.close();
    const rest: Frame[] = [];
    for await (const frame of transport.readable) rest.push(frame);
    // The media's audio may come in two frames: the last samples the resampler held back are
    // handed on at the stop.
    assert.deepEqual(
      frames.map((f) => f.type).filter((type, i, all) =>
        type !== "audio" || all[i - 1] !== "audio"
      ),
      ["start", "audio", "end"],
    );
    assert.deepEqual(rest.map((f) => f.type), [], "frames after end");
    assert.equal(transport.stats.inboundAfterEnd, 3);
    assert.equal(errors.length, 1, errors.map(String).join("; "));
    assert.ok(
      errors[0] instanceof TransportError && errors[0].code === "protocol",
      String(errors[0]),
    );
  });
}

Deno.test("`TwilioSerializer` a new `start` after `stop` opens a new stream: its media comes through", async () => {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, { serializer: new TwilioSerializer() });
  const errors: unknown[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  const media = providerWire(twilioCall, "media");
  client.send(JSON.stringify(providerWire(twilioCall, "start")));
  client.send(JSON.stringify(providerWire(twilioCall, "stop")));
  client.send(JSON.stringify(providerWire(twilioCall, "start")));
  client.send(JSON.stringify(media));
  const frames: Frame[] = [];
  const reader = transport.readable.getReader();
  while (frames.at(-1)?.type !== "audio") {
    const { value, done } = await reader.read();
    if (done) break;
    frames.push(value);
  }
  reader.releaseLock();
  await transport.close();
  assert.deepEqual(frames.map((f) => f.type), ["start", "end", "start", "audio"]);
  assert.equal(transport.stats.inboundAfterEnd, 0);
  assert.deepEqual(errors, []);
});
