// `SerializerContext.inboundPacket` as the telephony serializers' `OrderedMedia` calls it: what
// an observer is told, and what becomes of the packet's audio when the telling goes wrong.
//
// The far ends are built from the providers' documentation: Twilio's "Media Streams - WebSocket
// Messages" (`start`, then `media` whose `media.chunk` counts from 1 and `media.timestamp` is ms
// since the stream began), through the shared Twilio-arrivals fixture; Plivo's "Stream Event
// Protocol" / "Audio Streaming Protocol Reference" (`media.timestamp` in wall-clock epoch ms,
// `media.chunk` numbering the packets), shaped as tests/serializers/fixtures/plivo_call.ts is.
import { globexAudio } from "./_ordered_media_stage.ts";
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../../mod.ts";
import { ObserverList } from "../../../src/_observer_list.ts";
import { tellingInboundPackets } from "../../../src/_serializer_context_checks.ts";
import type { Frame } from "../../../src/frames.ts";
import type { InboundPacketInfo } from "../../../src/session_observer.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { encodeBase64, OrderedMedia } from "../../../src/serializers/telephony/mod.ts";
import { FakeClock, MemorySocketPair } from "../../../src/testing/mod.ts";
import { media, start } from "../../metrics/_rfc3550_arrivals.ts";
import { recordingContext } from "../fixtures/recording_context.ts";
import { MULAW_SILENCE_20MS } from "../fixtures/twilio_call.ts";
import { plivoCall } from "../fixtures/plivo_call.ts";

Deno.test("`OrderedMedia`: an observer that throws at a packet ends the session with that packet's audio handed on, not lost uncounted", async () => {
  // The telling runs inside the serializer's push; the observer's throw ends the session, and the
  // transport, closing, finishes the serializer there and then (its flush). The packet's frame,
  // made already, emptied by that flush, was neither handed on nor counted anywhere.
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000 },
    clock,
  });
  const errors: string[] = [];
  transport.addEventListener("error", (event) => void errors.push(event.error.message));
  let told = 0;
  transport.observe({
    inboundPacket: () => {
      if (++told === 3) throw new Error("observer bug");
    },
  });
  const audio: Frame[] = [];
  transport.receive((frame) => void (frame.type === "audio" && audio.push(frame)));
  pair.client.send(start());
  await clock.tick(0);
  for (const chunk of [1, 2, 3]) {
    pair.client.send(media(chunk));
    await clock.tick(20);
  }
  pair.client.close(1000);
  await clock.tick(1000);
  await transport.closed;
  assert.deepEqual(errors, ["a session observer threw: Error: observer bug"]);
  // Every frame of the three packets handed on, or counted where it was not: the third's goes
  // out with what the serializer's finish hands on, in media order.
  const dropped = transport.stats.inboundFramesDroppedOnClose;
  assert.equal(audio.length + dropped, 3, `${audio.length} handed on, ${dropped} counted dropped`);
  assert.deepEqual(audio.map((frame) => frame.type === "audio" && frame.timestampMs), [0, 20, 40]);
});

Deno.test("`PlivoSerializer` tells each packet's media time counted from the stream's first packet, as `InboundPacketInfo.mediaMs` says (Plivo's wire times are epoch ms)", () => {
  const clock = new FakeClock();
  const told: InboundPacketInfo[] = [];
  const observers = new ObserverList((error) => {
    throw error;
  });
  observers.add({ inboundPacket: (packet) => void told.push({ ...packet }) });
  const plivo = new PlivoSerializer();
  const { context, reported } = recordingContext({
    clock,
    inboundPacket: tellingInboundPackets(observers),
  });
  plivo.bind(context);
  plivo.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  const startStep = plivoCall.find((step) =>
    "from" in step && (step.wire as { event?: string }).event === "start"
  );
  plivo.deserialize(JSON.stringify(startStep!.wire));
  const epochMs = 1705312200000;
  // Packets 1, 3, 2 (the second late), 20 ms apart on the wire.
  for (const chunk of [1, 3, 2]) {
    plivo.deserialize(JSON.stringify({
      event: "media",
      sequenceNumber: chunk + 1,
      streamId: "87654321-4321-4321-4321-cba987654321",
      media: {
        track: "inbound",
        timestamp: String(epochMs + 20 * (chunk - 1)),
        chunk,
        payload: MULAW_SILENCE_20MS,
      },
    }));
  }
  assert.deepEqual(reported, []);
  assert.deepEqual(told.map((packet) => packet.mediaMs), [0, 40, 20]);
  assert.deepEqual(told.map((packet) => packet.streamStart), [true, false, false]);
});

Deno.test("`OrderedMedia` with a clock that gives no finite time tells no packet and hands its frames on", () => {
  // A clock of the application's that returns NaN: before, the context's check threw at the
  // stage after the stage had taken the packet, and the message's audio went with the throw.
  class NaNClock extends FakeClock {
    override now(): number {
      return NaN;
    }
  }
  const observers = new ObserverList((error) => {
    throw error;
  });
  let told = 0;
  observers.add({ inboundPacket: () => void told++ });
  const audio = globexAudio();
  const stage = new OrderedMedia({ audio, provider: "Globex" });
  const { context } = recordingContext({
    clock: new NaNClock(),
    inboundPacket: tellingInboundPackets(observers),
  });
  stage.bind(context);
  const payload = encodeBase64(new Uint8Array(160).fill(0xff));
  const frames = [1, 2].flatMap((chunk) =>
    stage.push({ sequence: chunk, timestampMs: 20 * (chunk - 1), payload })
  );
  assert.deepEqual(frames.map((frame) => frame.timestampMs), [0, 20]);
  assert.equal(told, 0);
});
