// The socket closes while a lone far-out chunk waits for a second opinion. An Exotel far end as
// its AgentStream "WebSocket protocol" page shows it (developer.exotel.com/docs/agentstream/
// websocket-protocol): a `start` with `media_format` audio/x-raw at 8 kHz, 16 bits, then `media`
// messages about every 100 ms, `chunk` counting them and `timestamp` in ms ("chunk": "2",
// "timestamp": "200"), payload base64 PCM16 little-endian. Chunks 1 to 7 come, then chunk 20,
// a jump of 12 chunks that may be a loss or a renumbering, and the caller hangs up: the socket
// closes without a `stop`. Mid-call the reorder stage fills such a jump only once a second chunk
// near it confirms it, and drops it (counted late) once a chunk on the timeline says it was a
// bogus number; at the close neither can come, and nothing confirmed it: dropped, counted, as the
// README's `inboundMediaLate` says of "a lone jump no later packet confirmed". It was handed on
// behind 1.2 s of silence for a loss no packet confirmed, to the bot and to a recording.
import assert from "node:assert/strict";
import { type AudioFrame, type Frame, WebSocketTransport } from "../../mod.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { exotelStart } from "./fixtures/exotel_call.ts";

const STREAM = "MZ0123456789abcdef0123456789";

/** 100 ms of PCM16 at 8 kHz, every sample `sample`. */
function pcm100ms(sample: number): string {
  const samples = new Int16Array(800).fill(sample);
  return btoa(String.fromCharCode(...new Uint8Array(samples.buffer)));
}

const media = (chunk: number, sample: number) =>
  JSON.stringify({
    event: "media",
    sequence_number: String(chunk + 2),
    stream_sid: STREAM,
    media: {
      chunk: String(chunk),
      timestamp: String((chunk - 1) * 100),
      payload: pcm100ms(sample),
    },
  });

Deno.test("`ExotelSerializer` drops a lone far-out chunk still unconfirmed at the socket's close, counted late, with no silence made up for it", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new ExotelSerializer(),
    audioIn: { sampleRate: 8000, channels: 1 },
    clock,
  });
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  client.send(exotelStart(STREAM));
  for (let chunk = 1; chunk <= 7; chunk++) client.send(media(chunk, 1000));
  client.send(media(20, 2000));
  await clock.tick(1);
  const audio = () => frames.filter((f): f is AudioFrame => f.type === "audio");
  assert.equal(audio().length, 7, "chunk 20 waits for a second opinion");
  client.close(1000);
  await clock.tick(0); // the close, before the wall-time bound on held media (240 ms) could end it
  const heard = audio().map((frame) => ({
    ms: frame.audio.length / 16,
    samples: [...new Set(new Int16Array(frame.audio.slice().buffer))],
  }));
  // Was: seven chunks, then 1,200 ms of silence (samples [0]) in 100 ms frames, then chunk 20.
  assert.deepEqual(heard, Array.from({ length: 7 }, () => ({ ms: 100, samples: [1000] })));
  assert.equal(transport.stats.inboundMediaLate, 1);
  assert.equal(transport.stats.inboundMediaGapsFilled, 0);
  assert.equal(transport.stats.inboundMediaGapMs, 0);
  assert.equal((await transport.closed).initiator, "remote");
});
