// The transport's marks go after the audio they follow, also when that audio's send waits for a
// serializer that answers later (a remote encoder, a worker: `FrameSerializer.serialize` may
// return a promise). A mark of the cadence was sent as its chunk's send began, and the
// serializer's answer for the mark (at once) went ahead of the chunk's (3 ms later): it stood a
// chunk early on the wire. A reply whose end the cadence fell on (260 ms at 250 ms marks) then had
// no mark at its real end, nor an end-of-speech mark after it (the tracker's mark already stood
// there), and every such mark's answer read the far end's delay a chunk short.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), playing what arrives after its 60 ms buffer
// and answering a mark as Twilio does, once the media sent before it has played
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message").
import assert from "node:assert/strict";
import { type Frame, type FrameSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16
const DELAY_MS = 60;

for (const [chunks, endMs] of [[13, 0], [12, 10]] as const) {
  Deno.test(`a mark after audio whose send waited goes behind it (${chunks} chunks and ${endMs} ms, serialized 3 ms late)`, async () => {
    const clock = new FakeClock(1000);
    const pair = new MemorySocketPair();
    const serializer: FrameSerializer = new MarkingSerializer();
    const serialize = serializer.serialize.bind(serializer);
    // Audio answered 3 ms later; marks at once.
    serializer.serialize = (frame: Frame) => {
      const message = serialize(frame);
      return frame.type === "audio" ? clock.sleep(3).then(() => message) : message;
    };
    const transport = new WebSocketTransport(pair.server, {
      serializer,
      clock,
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      sendAheadMs: 20,
    });
    transport.receive(() => {}); // the marks' answers are read
    const lags: number[] = [];
    transport.observe({ playoutLag: ({ lagMs }) => lags.push(lagMs) });
    const farEnd = new FakeFarEnd(clock, pair.client, {
      jitterMs: DELAY_MS,
      bytesPerMs: BYTES_PER_MS,
    });
    await clock.tick(1);
    const write = (ms: number, reply: number) =>
      transport.send({
        type: "audio",
        audio: new Uint8Array(ms * BYTES_PER_MS).fill(reply),
        sampleRate: 16000,
        channels: 1,
        responseId: `r${reply}`,
      });
    const replyMs = chunks * 20 + endMs;
    for (let reply = 1; reply <= 3; reply++) {
      for (let n = 0; n < chunks; n++) {
        write(20, reply);
        await clock.tick(20);
      }
      if (endMs > 0) write(endMs, reply);
      await clock.tick(1000);
      const lastMark = farEnd.texts.filter((t) => t.text.startsWith("mark:")).at(-1)!;
      // Before: 240 ms into a 260 ms (or 250 ms) reply, and no mark after it.
      assert.equal(
        lastMark.bytesBefore / BYTES_PER_MS,
        reply * replyMs,
        `reply ${reply}'s last mark stands at its end`,
      );
    }
    // Before: [40] (260 ms replies) and [10] (250 ms): each mark answered a chunk early.
    assert.deepEqual(lags, [DELAY_MS]);
    await transport.close();
  });
}
