// A bot's `dtmf` frame on Vonage and Exotel: neither socket protocol has a message that plays a
// digit to the caller. Vonage's WebSocket actions are `notify` and `clear` only (developer.vonage.com,
// Voice API, "WebSockets": "Sending messages to the WebSocket" — digits go through the REST API's
// `PUT /v1/calls/{uuid}/dtmf`); Exotel's Voicebot stream takes `media`, `mark` and `clear` only
// (Exotel AgentStream, "WebSocket protocol", messages from the bot). So the digit is dropped: it
// must be counted in `stats.encodeErrors` and reported once (a "no message for a dtmf frame"
// encode error), as any frame a protocol cannot carry, and the session goes on.
import assert from "node:assert/strict";
import type { FrameSerializer, TransportError, TransportOptions } from "../../mod.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { narrowbandCall } from "./fixtures/narrowband_call.ts";
import { exotelCall } from "./fixtures/exotel_call.ts";

/** Each platform's first message, as its docs give it (what names the stream and its format). */
const CALLS: Array<
  { name: string; serializer: () => FrameSerializer; start: unknown; options?: TransportOptions }
> = [
  {
    name: "VonageSerializer",
    serializer: () => new VonageSerializer(),
    start: { event: "websocket:connected", "content-type": "audio/l16;rate=8000" },
  },
  {
    name: "ExotelSerializer",
    serializer: () => new ExotelSerializer(),
    start: exotelCall.find((step) => "wire" in step && isStart(step.wire))!.wire,
    // Exotel takes messages of 3,200 bytes or more (the README's `NEEDS`).
    options: { audioOut: { sampleRate: 8000, chunkMs: 400 } },
  },
];

function isStart(wire: unknown): boolean {
  return typeof wire === "object" && wire !== null &&
    (wire as { event?: unknown }).event === "start";
}

for (const call of CALLS) {
  Deno.test(`\`${call.name}\`: a bot's dtmf frames, which the protocol cannot carry, are counted and reported once`, async () => {
    const { clock, pair, transport } = narrowbandCall(call.serializer(), call.options);
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    transport.receive(() => {});
    pair.client.send(JSON.stringify(call.start));
    await clock.tick(10);
    const sentBefore = pair.server.sent.length;
    for (const digit of ["1", "#", "A"]) transport.send({ type: "dtmf", digit });
    await clock.tick(10);
    assert.equal(pair.server.sent.length, sentBefore, "nothing goes out for a digit");
    assert.equal(transport.stats.encodeErrors, 3);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join(" | "));
    assert.equal(errors[0]!.code, "encode");
    assert.equal(errors[0]!.fatal, false);
    assert.match(errors[0]!.message, /no message for a dtmf frame/);
    await transport.close();
  });
}
