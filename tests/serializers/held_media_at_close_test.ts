// Media a reorder window holds behind a hole is the caller's audio: when the call ends with the
// socket's close and no end-of-stream message (Plivo documents none from its side but the socket
// closing; any provider's connection may drop), it reaches the bot before its frames end, the hole
// filled with silence and counted, instead of going with the socket uncounted. The provider side
// is each provider's documented `start` and `media` (the fixtures cite their pages; Plivo "Audio
// Streaming" media: `chunk` numbers the packets, `timestamp` in epoch ms; Twilio "Media Streams -
// WebSocket Messages" #media-message: `media.chunk` and `media.timestamp`, strings).
import assert from "node:assert/strict";
import { type Frame, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../src/serializer.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import type { ScriptStep } from "./fixtures/telephony_harness.ts";
import { plivoCall } from "./fixtures/plivo_call.ts";
import { twilioCall } from "./fixtures/twilio_call.ts";

/** The first message of `event` the provider sends in `script`. */
function providerWire(script: ScriptStep[], event: string): Record<string, unknown> {
  for (const step of script) {
    if ("from" in step && (step.wire as { event?: string }).event === event) {
      return step.wire as Record<string, unknown>;
    }
  }
  throw new Error(`no provider ${event} in the script`);
}

/** The script's media message renumbered as packet `n` (20 ms each), in the provider's types. */
type Renumber = (media: Record<string, unknown>, n: number) => Record<string, unknown>;

const plivoPacket: Renumber = (media, n) => ({
  ...media,
  sequenceNumber: n + 1,
  media: {
    ...(media.media as object),
    chunk: n,
    timestamp: String(1705312200000 + 20 * (n - 1)),
  },
});
const twilioPacket: Renumber = (media, n) => ({
  ...media,
  sequenceNumber: String(n + 1),
  media: { ...(media.media as object), chunk: String(n), timestamp: String(20 * (n - 1)) },
});

const cases: [string, () => FrameSerializer, ScriptStep[], Renumber][] = [
  ["Plivo", () => new PlivoSerializer(), plivoCall, plivoPacket],
  ["Twilio", () => new TwilioSerializer(), twilioCall, twilioPacket],
];

for (const [name, make, script, packet] of cases) {
  Deno.test(`\`${name}Serializer\`: media held behind a hole when the socket closes reaches the bot, the hole filled and counted`, async () => {
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, { serializer: make() });
    const media = providerWire(script, "media");
    client.send(JSON.stringify(providerWire(script, "start")));
    // Packet 3 is lost: 4 and 5 wait behind it (the window is 60 ms, and no later media comes).
    for (const n of [1, 2, 4, 5]) client.send(JSON.stringify(packet(media, n)));
    const frames: Frame[] = [];
    const reading = (async () => {
      for await (const frame of transport.readable) frames.push(frame);
    })();
    const closed = transport.closed;
    client.close(1000, "call ended");
    await reading;
    const { code } = await closed;
    assert.equal(code, 1000);
    const audio = frames.filter((f) => f.type === "audio");
    assert.deepEqual(frames.map((f) => f.type).filter((t) => t !== "audio"), ["start"]);
    // 1, 2, the silence in 3's place, 4, 5: 100 ms of the caller's timeline, in order, every
    // sample of it: the last fraction of a millisecond the resampler to audioIn's 16 kHz held
    // back comes as a sixth frame at the close.
    const ms = audio.map((f) => f.audio.length / (f.sampleRate * 2 / 1000));
    assert.equal(audio.length, 6, `audio frames of ${ms.join(", ")} ms`);
    assert.equal(ms.reduce((a, b) => a + b, 0), 100, `${ms.join(", ")} ms`);
    const times = audio.map((f) => f.timestampMs);
    assert.deepEqual(times, [...times].sort((a, b) => a! - b!), "in order");
    assert.equal(transport.stats.inboundMediaGapsFilled, 1);
    assert.equal(transport.stats.inboundMediaGapMs, 20);
  });
}

for (const how of ["hangs up", "throws"] as const) {
  Deno.test(`a receive() handler that ${how} on media handed on at the peer's close leaves the close the peer's`, async () => {
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, { serializer: new TwilioSerializer() });
    const media = providerWire(twilioCall, "media");
    client.send(JSON.stringify(providerWire(twilioCall, "start")));
    for (const n of [1, 2, 4, 5]) client.send(JSON.stringify(twilioPacket(media, n)));
    const audio: Frame[] = [];
    let disconnected = 0;
    transport.addEventListener("disconnected", () => disconnected++);
    transport.addEventListener("error", () => {});
    transport.receive((frame) => {
      if (frame.type !== "audio" || audio.push(frame) < 4) return;
      // The caller's last audio (4, after the hole) comes as the socket closes: the bot reacts.
      if (how === "hangs up") void transport.close(1000, "bot done");
      else throw new Error("bot bug");
    });
    client.close(4000, "caller hung up");
    const closed = await transport.closed;
    // A handler that threw gets nothing more (the failure ends the session, as in a live one): 5
    // and the resampler's last samples after it are dropped, counted. One that hung up is handed
    // the rest: the peer's close came first.
    assert.equal(audio.length, how === "throws" ? 4 : 6);
    assert.equal(transport.stats.inboundFramesDroppedOnClose, how === "throws" ? 2 : 0);
    assert.equal(disconnected, 1);
    assert.deepEqual([closed.code, closed.initiator], [4000, "remote"]);
  });
}
