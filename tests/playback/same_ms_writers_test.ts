// Two timers due in the same millisecond read (nearly) the same time, and were taken for one turn
// of the event loop: the second's work (a serializer's, an observer's) was taken to hold what the
// first sent, and the first's chunk was moved to where that work ended. Where the first's send
// has left by then — Node's `ws` writes a message as it is sent, and so does the memory socket
// once its sender yields (measured on Node 20: 0.3 ms to its peer, a 50 ms callback due in the
// same millisecond after it) — the caller heard it where it was placed, not after the second's
// work. Deno holds every send until the timers due in that millisecond have all run (measured
// on Deno 2.9: 50 ms late behind such a callback): there the first's chunk does leave after the
// second's work, and is moved with it, as before. The far end (tests/_fake_far_end.ts, no
// jitter buffer) plays raw PCM as it arrives, the bot writing 20 ms frames of 16 kHz PCM16.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { type MemorySocket, MemorySocketPair } from "../../src/testing/mod.ts";
import { MemorySocketWrapper } from "../_memory_socket_wrapper.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { StallClock } from "../_stall_clock.ts";
import { botRuns, BYTES_PER_MS, toldPlaces } from "../_stall_call.ts";
import { withSerializeStalls } from "../_serialize_stalls.ts";

/** How the server's socket sends: Node's `ws`, the memory socket, Deno's (the sockets below). */
type Sending = "at once" | "as the sender yields" | "after the due timers";

/**
 * A session whose bot's timers fall due at 40 ms, the far end idle until then, each writing
 * `writes` ms of 16 kHz PCM16 (a value of 7), 30 ms of work (the event loop blocked) inside
 * `serialize` on the `serializeStall`th audio chunk or an observer's on the `observerStall`th.
 * Returns when each chunk was told and heard to play, the gaps heard, and the recording's runs of
 * speech, in ms from the start.
 */
async function sessionAt40(
  { sending, writes, serializeStall, observerStall }: {
    sending: Sending;
    writes: number[];
    serializeStall?: number;
    observerStall?: number;
  },
) {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const socket = sending === "at once"
    ? new WritesAtOnceSocket(pair.server, pair.client)
    : sending === "after the due timers"
    ? new TaskHeldSocket(pair.server, clock)
    : pair.server;
  const serializer = serializeStall === undefined
    ? new RawPcmSerializer()
    : withSerializeStalls(new RawPcmSerializer(), clock, { chunk: serializeStall, ms: 30 });
  const transport = new WebSocketTransport(socket, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  const { told, observer } = toldPlaces();
  transport.observe(observer);
  let chunks = 0;
  if (observerStall !== undefined) {
    transport.observe({
      outboundAudio: () => void (++chunks === observerStall && clock.block(30)),
    });
  }
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  await clock.tick(0);
  const start = clock.now();
  for (const ms of writes) {
    void clock.sleep(40).then(() =>
      transport.send({
        type: "audio",
        audio: new Uint8Array(ms * BYTES_PER_MS).fill(7),
        sampleRate: 16000,
        channels: 1,
      })
    );
  }
  await clock.tick(400);
  pair.client.close(1000);
  await transport.closed;
  return {
    told: told.map((chunk) => chunk.playsAt - start),
    heard: farEnd.played.filter((p) => p.value === 7).map((p) => p.at - start),
    gaps: farEnd.gaps(7),
    recorded: botRuns(await wav),
  };
}

/**
 * Two writers whose timers fall due at 40 ms, each writing one 20 ms frame; the second's chunk
 * costs 30 ms of work, in its `serialize` or an observer's. `held`: the server's socket holds its
 * sends as Deno's does.
 */
const twoWritersAt40 = (work: "serialize" | "observer", held = false) =>
  sessionAt40({
    sending: held ? "after the due timers" : "as the sender yields",
    writes: [20, 20],
    ...(work === "serialize" ? { serializeStall: 2 } : { observerStall: 2 }),
  });

for (const work of ["serialize", "observer"] as const) {
  Deno.test(`two writers due in the same millisecond (${work} work on the second's chunk): the first's chunk is told and recorded where it played`, async () => {
    const { told, heard, recorded } = await twoWritersAt40(work);
    assert.deepEqual(heard, [40, 70], "the first played as it arrived, the second after the work");
    // Before: [70, 90], each 30 and 20 ms after the caller heard it (recorded "70-110").
    assert.deepEqual(told, heard);
    // Work in `serialize` is told as a move before its chunk, at the end of the first's audio:
    // the recording has that audio where it played too (tests/recording/move_at_audio_end_test.ts).
    assert.deepEqual(recorded, ["40-60", "70-90"]);
  });

  Deno.test(`two writers due in the same millisecond (${work} work), on a socket that holds sends until those timers have run (Deno): the first's chunk moves with the work`, async () => {
    const { told, heard } = await twoWritersAt40(work, true);
    assert.deepEqual(heard, [70, 90], "both left once the second's work was done");
    assert.deepEqual(told, heard);
  });
}

/**
 * A reply of 100 ms written at once by a bot whose timer falls due at 40 ms: its first two 20 ms
 * chunks are due at once (the first now, the second a lead of one chunk ahead of its slot) and
 * leave in one run of the pump, with 30 ms of work on the first chunk (an observer's) or inside
 * the second's `serialize`.
 */
const replyStartAt40 = (
  work: "observer on the first" | "serialize on the second",
  sending: Sending,
) =>
  sessionAt40({
    sending,
    writes: [100],
    ...(work === "serialize on the second" ? { serializeStall: 2 } : { observerStall: 1 }),
  });

for (const work of ["observer on the first", "serialize on the second"] as const) {
  Deno.test(`a reply's first two chunks leave in one run, 30 ms of work (${work}), on a socket that writes at once (Node): the first is told and recorded where it played`, async () => {
    const { told, heard, recorded } = await replyStartAt40(work, "at once");
    // The first left before the work and played at once; the second, sent after it, as it came.
    assert.deepEqual(heard, [40, 70, 90, 110, 130]);
    // Before: [70, 90, 110, 130, 150], the first 30 ms late, and every chunk after it placed a
    // chunk late, after a gap the caller never heard.
    assert.deepEqual(told, heard);
    assert.deepEqual(recorded, ["40-60", "70-150"]);
  });

  for (const sending of ["as the sender yields", "after the due timers"] as const) {
    Deno.test(`a reply's first two chunks leave in one run, 30 ms of work (${work}), on a socket that sends ${sending}: both move with the work`, async () => {
      const { told, heard, gaps } = await replyStartAt40(work, sending);
      assert.deepEqual(heard, [70, 90, 110, 130, 150], "nothing left before the work was done");
      assert.deepEqual(gaps, []);
      assert.deepEqual(told, heard);
    });
  }
}

/**
 * A socket as Node's `ws` behaves: what is sent is written to the kernel as it is sent (its
 * `bufferedAmount`, `ws`'s `_writableState.length` plus what its sender queues, 0 again by the
 * time `send` returns) and, over loopback, reaches the peer before any synchronous work after the
 * send (measured on Node 20: 0.3 ms): handed to `peer`'s listeners in `send` itself.
 */
class WritesAtOnceSocket extends MemorySocketWrapper {
  readonly #peer: MemorySocket;

  constructor(inner: MemorySocket, peer: MemorySocket) {
    super(inner);
    this.#peer = peer;
    this.forwardInnerEvents();
  }

  get bufferedAmount(): number {
    return 0;
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.inner.readyState !== 1 || this.#peer.readyState !== 1) return;
    // A copy, as the wire makes one; the peer reads binary as ArrayBuffer (`MemorySocketPair`).
    const copy = typeof data === "string"
      ? data
      : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
      : data.slice(0);
    this.#peer.dispatchEvent(new MessageEvent("message", { data: copy }));
  }

  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }
}

/**
 * A socket as Deno's behaves: what is sent waits, counted in `bufferedAmount`, until the timers
 * due at the time it was sent have all run (a timer of the fake clock armed for now runs after
 * those armed before it), then leaves in order.
 */
class TaskHeldSocket extends MemorySocketWrapper {
  readonly #clock: StallClock;
  #held: (string | ArrayBuffer | ArrayBufferView)[] = [];
  #heldBytes = 0;

  constructor(inner: MemorySocket, clock: StallClock) {
    super(inner);
    this.#clock = clock;
    this.forwardInnerEvents();
  }

  get bufferedAmount(): number {
    return this.#heldBytes + this.inner.bufferedAmount;
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.#held.length === 0) void this.#clock.sleep(0).then(() => this.#flush());
    this.#held.push(data);
    this.#heldBytes += typeof data === "string" ? data.length : data.byteLength;
  }

  close(code?: number, reason?: string): void {
    this.#flush();
    this.inner.close(code, reason);
  }

  #flush(): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const data of held) {
      if (this.inner.readyState === 1) this.inner.send(data as string | ArrayBuffer);
    }
  }
}
