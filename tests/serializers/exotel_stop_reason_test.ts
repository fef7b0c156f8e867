// Exotel ends its stream with `stop` (developer.exotel.com/docs/agentstream/websocket-protocol,
// "Events — Exotel → your server", `stop`: `{"event": "stop", "stop": {"call_sid", "account_sid",
// "reason"}}`, the reason "stopped" or "callended"). The reason is the one thing read from it: a
// `stop` whose `reason` is no string, or whose `stop` is no object, still ends the stream. It was
// a decode error thrown after the stream was marked ended: the bot never had its `end` frame, the
// chunks held behind a hole stayed held, and the caller's media after it was dropped as after the
// end, for an end the bot never saw.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { exotelStart } from "./fixtures/exotel_call.ts";

const STREAM = "MZ0123456789abcdef0123456789";

/** The page's `media` event: chunk `chunk`, 100 ms of PCM16 silence at 8 kHz. */
const media = (chunk: number) =>
  JSON.stringify({
    event: "media",
    sequence_number: String(chunk + 1),
    stream_sid: STREAM,
    media: {
      chunk: String(chunk),
      timestamp: String(chunk * 100),
      payload: btoa(String.fromCharCode(...new Uint8Array(1600))),
    },
  });

for (
  const { stop, reason } of [
    { stop: { call_sid: "CA1", account_sid: "AC1", reason: "callended" }, reason: "callended" },
    { stop: { call_sid: "CA1", account_sid: "AC1", reason: 5 }, reason: "stop" },
    { stop: { call_sid: "CA1", account_sid: "AC1", reason: null }, reason: "stop" },
    { stop: "callended", reason: "stop" },
  ]
) {
  Deno.test(`\`ExotelSerializer\` ends the stream at a stop of ${JSON.stringify(stop)}, its held chunks first`, async () => {
    const clock = new FakeClock();
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, {
      serializer: new ExotelSerializer(),
      audioIn: { sampleRate: 8000, channels: 1 },
      clock,
    });
    const frames: Frame[] = [];
    transport.receive((frame) => void frames.push(frame));
    client.send(exotelStart(STREAM));
    client.send(media(1));
    client.send(media(3)); // held: chunk 2 may still come
    client.send(JSON.stringify({ event: "stop", sequence_number: "5", stream_sid: STREAM, stop }));
    await clock.tick(1);
    assert.deepEqual(
      frames.map((frame) => frame.type === "end" ? `end:${frame.reason}` : frame.type),
      ["start", "audio", "audio", "audio", `end:${reason}`],
      "chunk 1, the hole filled, chunk 3, then the end",
    );
    assert.equal(transport.stats.decodeErrors, 0);
    client.close(1000);
    await transport.closed;
  });
}
