/**
 * Sessions that end after the bot wrote 10 s of audio, each transport kept afterwards (as an
 * application keeps its recent sessions, to read their `stats`), for every way a reply can go and
 * with and without a packetizer; prints, as JSON, for each way, how many of the buffers the bot
 * wrote the garbage collector could not take, and how much memory each kept transport still
 * holds. Run by outbound_retained_audio_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { type Frame, WebSocketTransport } from "../mod.ts";
import type { TransportStats } from "../src/transport_stats.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { collectGarbage } from "./_collect_garbage.ts";

/** 16 kHz PCM16: 32 bytes a millisecond. */
const audio = (ms: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(1),
  sampleRate: 16000,
  channels: 1,
});

/** What the bot does in a session, and how the session ends; checks the reply went that way. */
interface Way {
  name: string;
  addWavHeader?: true;
  run(session: Session): Promise<void>;
  check(stats: TransportStats): boolean;
}

interface Session {
  clock: FakeClock;
  transport: WebSocketTransport;
  /** Writes a frame as `send` does, or through `writable`, and keeps a weak hold on its buffer. */
  write(frame: Frame): void;
  /** The far end hangs up. */
  hangUp(): Promise<void>;
}

const REPLY_MS = 10_000;
const REPLY_BYTES = REPLY_MS * 32;
const playedOut = (stats: TransportStats) => stats.audioBytesSent === REPLY_BYTES;

const WAYS: Way[] = [
  {
    name: "send, played out",
    async run(s) {
      s.write(audio(REPLY_MS));
      await s.clock.tick(REPLY_MS + 1000);
      await s.hangUp();
    },
    check: playedOut,
  },
  {
    name: "writable, played out",
    async run(s) {
      const writer = s.transport.writable.getWriter();
      void writer.write(audio(REPLY_MS));
      writer.releaseLock();
      await s.clock.tick(REPLY_MS + 1000);
      await s.hangUp();
    },
    check: playedOut,
  },
  {
    name: "WAV headers, played out",
    addWavHeader: true,
    async run(s) {
      s.write(audio(REPLY_MS));
      await s.clock.tick(REPLY_MS + 1000);
      await s.hangUp();
    },
    check: playedOut,
  },
  {
    // A bot relaying real-time audio: each frame a chunk, sent as written, never queued (copied).
    name: "real-time frames, played out",
    async run(s) {
      for (let ms = 0; ms < REPLY_MS; ms += 20) {
        s.write(audio(20));
        await s.clock.tick(20);
      }
      await s.clock.tick(1000);
      await s.hangUp();
    },
    check: playedOut,
  },
  {
    name: "interrupted",
    async run(s) {
      s.write(audio(REPLY_MS));
      await s.clock.tick(2000);
      await s.transport.interrupt();
      await s.clock.tick(1000);
      await s.hangUp();
    },
    check: (stats) => stats.audioBytesInterrupted > 0,
  },
  {
    name: "closed mid-reply",
    async run(s) {
      s.write(audio(REPLY_MS));
      await s.clock.tick(2000);
      const closed = s.transport.close();
      await s.clock.tick(1000);
      await closed;
    },
    check: (stats) => stats.audioBytesDroppedOnClose > 0,
  },
];

/** One session that goes `way`; the transport is returned, to be kept. */
async function endedSession(
  way: Way,
  packetBytes: number | undefined,
  written: WeakRef<ArrayBufferLike>[],
): Promise<WebSocketTransport> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    ...(packetBytes === undefined ? {} : { fixedAudioPacketSize: packetBytes }),
    addWavHeader: way.addWavHeader === true,
    clock,
  });
  await way.run({
    clock,
    transport,
    write(frame) {
      if (frame.type === "audio") written.push(new WeakRef(frame.audio.buffer));
      void transport.send(frame);
    },
    async hangUp() {
      pair.client.close(1000);
      await transport.closed;
    },
  });
  await clock.runAll();
  if (!way.check(transport.stats)) throw new Error(`${way.name}: the reply did not go that way`);
  // The memory socket's record of what it sent (a real socket keeps none): not the transport's.
  pair.server.sent.length = 0;
  return transport;
}

const SESSIONS = 20;
const report: { way: string; buffersKept: number; bytesPerTransport: number }[] = [];
for (const packetBytes of [undefined, 160]) {
  for (const way of WAYS) {
    const kept: WebSocketTransport[] = [];
    const written: WeakRef<ArrayBufferLike>[] = [];
    for (let i = 0; i < SESSIONS; i++) kept.push(await endedSession(way, packetBytes, written));
    // What the ended transports hold: the memory in use with them, less that once they are let go.
    const withTransports = await collectGarbage();
    const buffersKept = written.filter((buffer) => buffer.deref() !== undefined).length;
    kept.length = 0;
    const withoutTransports = await collectGarbage();
    report.push({
      way: `${way.name}${packetBytes === undefined ? "" : `, ${packetBytes}-byte packets`}`,
      buffersKept,
      bytesPerTransport: Math.round((withTransports - withoutTransports) / SESSIONS),
    });
  }
}
console.log(JSON.stringify(report));
