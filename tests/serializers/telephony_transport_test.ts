// The telephony serializers inside a real WebSocketTransport: fuzzed garbage is reported as
// decode errors and the session stays up.
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Frame, TransportError, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../src/serializer.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";

const cases: [string, () => FrameSerializer, string][] = [
  ["Twilio", () => new TwilioSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
  ["Telnyx", () => new TelnyxSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
  ["Plivo", () => new PlivoSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
  ["Exotel", () => new ExotelSerializer(), '{"event":"dtmf","dtmf":{"digit":"7"}}'],
];

for (const [name, make, dtmf] of cases) {
  Deno.test(`\`${name}Serializer\` garbage leaves a WebSocketTransport session up`, async () => {
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, { serializer: make() });
    const errors: unknown[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    const garbage = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.constantFrom('{"event":"media","media":{"payload":5}}', '{"event":"start"}', "[1]"),
      ),
      { numRuns: 300, seed: 7 },
    );
    for (const message of garbage) client.send(message);
    client.send(dtmf);
    const reader = transport.readable.getReader();
    let frame: Frame | undefined;
    while (true) {
      const { value, done } = await reader.read();
      assert.equal(done, false, "the session ended");
      if (value?.type === "dtmf") {
        frame = value;
        break;
      }
    }
    reader.releaseLock();
    assert.deepEqual(frame, { type: "dtmf", digit: "7" });
    assert.ok(errors.length > 100, `${errors.length} errors`);
    for (const error of errors) {
      assert.ok(error instanceof TransportError && error.code === "decode", String(error));
    }
    await transport.close();
  });
}
