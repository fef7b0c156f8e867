// The writable is closed with audio still queued, so the pump sends it out, paced, before the
// session leaves; the session ends while it does: the far end closes the socket (a close frame,
// RFC 6455 5.5.1 and 7.1.5), the connection drops (no close frame: 1006, RFC 6455 7.1.5), or the
// bot closes the transport. The serializer is done with then (released as the session ends, its
// audio helpers' state let go: src/_session_end.ts): nothing may run on it after the end, not even
// the end of the stretch of speech that the end cut short (dropped, counted, not ended).
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type Frame,
  RawPcmSerializer,
  type SerializedMessage,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** Raw PCM that takes the end of a stretch of speech, and notes every call made on it. */
class RecordingSerializer extends RawPcmSerializer {
  /** Whether the session has ended (its observers told so), as each call is made. */
  ended = false;
  readonly calls: string[] = [];
  readonly callsAfterEnd: string[] = [];
  #note(call: string): void {
    this.calls.push(call);
    if (this.ended) this.callsAfterEnd.push(call);
  }
  override serialize(frame: Frame): SerializedMessage | null {
    this.#note(`serialize(${frame.type})`);
    return super.serialize(frame);
  }
  audioEnds(playing: boolean): SerializedMessage | null {
    this.#note(`audioEnds(${playing})`);
    return null;
  }
}

/** `ms` of the bot's 16 kHz mono speech. */
function speech(ms: number): AudioFrame {
  return { type: "audio", audio: new Uint8Array(ms * 32).fill(1), sampleRate: 16000, channels: 1 };
}

/**
 * A session at 16 kHz (20 ms chunks, `maxQueuedMs` if given) on a {@linkcode RecordingSerializer}
 * that learns of the session's end as the observers are told it (synchronously, before `closed`
 * settles), whose writable has been written `speechMs` of the bot's speech and then closed:
 * `finished`, that close, settling once all has left or the session ended.
 */
async function writableClosedWith(speechMs: number, options: { maxQueuedMs?: number } = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new RecordingSerializer();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    ...options,
  });
  transport.observe({ closed: () => serializer.ended = true });
  const writer = transport.writable.getWriter();
  await writer.write(speech(speechMs));
  const finished = writer.close();
  return { clock, pair, serializer, transport, finished };
}

const ENDINGS = [
  {
    name: "the far end closes the socket",
    end: (pair: MemorySocketPair, _: WebSocketTransport) => pair.client.close(1000, "hung up"),
    initiator: "remote",
  },
  {
    name: "the connection drops",
    end: (pair: MemorySocketPair, _: WebSocketTransport) => pair.client.terminate(),
    initiator: "remote",
  },
  {
    name: "the bot closes the transport",
    end: (_: MemorySocketPair, transport: WebSocketTransport) => void transport.close(),
    initiator: "local",
  },
] as const;

for (const ending of ENDINGS) {
  Deno.test(`a writable closed with 2 s of audio queued, ${ending.name} 300 ms on: nothing runs on the serializer after the end`, async () => {
    const { clock, pair, serializer, transport, finished } = await writableClosedWith(2000, {
      maxQueuedMs: 10_000,
    });
    await clock.tick(300);
    assert.ok(serializer.calls.includes("serialize(audio)"), "the audio is leaving, paced");
    assert.ok(!serializer.calls.some((call) => call.startsWith("audioEnds")), "mid-speech");
    ending.end(pair, transport);
    await clock.runAll();
    const closed = await transport.closed;
    assert.equal(closed.initiator, ending.initiator);
    await finished;
    await clock.runAll();
    // Before: ["audioEnds(false)"], the stretch ended on a serializer whose session had ended.
    assert.deepEqual(serializer.callsAfterEnd, []);
    assert.ok(transport.stats.audioBytesDroppedOnClose > 0, "the rest of the audio, dropped");
    assert.equal(clock.pendingTimers, 0);
  });
}

Deno.test("a writable closed with audio queued that all leaves: the stretch ends on the serializer before the session does", async () => {
  // Five chunks and a half.
  const { clock, serializer, transport, finished } = await writableClosedWith(110);
  await clock.tick(200);
  await finished;
  // All has left; the writable's close ended the stretch, the session still open for the readable.
  assert.equal(serializer.calls.filter((call) => call === "serialize(audio)").length, 6);
  assert.deepEqual(serializer.calls.filter((call) => call.startsWith("audioEnds")), [
    "audioEnds(true)",
  ]);
  assert.equal(serializer.ended, false);
  await transport.close();
  await clock.runAll();
  assert.deepEqual(serializer.callsAfterEnd, []);
  assert.equal(clock.pendingTimers, 0);
});
