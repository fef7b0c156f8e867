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
import { CallRecorder, type Frame, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { type MemorySocket, MemorySocketPair } from "../../src/testing/mod.ts";
import { MemorySocketWrapper } from "../_memory_socket_wrapper.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { StallClock } from "../_stall_clock.ts";
import { botRuns, BYTES_PER_MS, toldPlaces } from "../_stall_call.ts";

/** The second writer's work: in `serialize` on its chunk, or an observer's on it. */
type Work = "serialize" | "observer";

/** Raw PCM whose `serialize` works 30 ms (the event loop blocked) on the 2nd audio chunk. */
class SecondChunkStalls extends RawPcmSerializer {
  #chunks = 0;
  constructor(readonly clock: StallClock) {
    super();
  }
  override serialize(frame: Frame) {
    if (frame.type === "audio" && ++this.#chunks === 2) this.clock.block(30);
    return super.serialize(frame);
  }
}

/**
 * Two writers whose timers (`clock.sleep`) fall due at 40 ms, the far end idle until then, each
 * writing one 20 ms frame; the second's chunk costs 30 ms of work. `held`: the server's socket
 * holds its sends as Deno's does. Returns when each chunk was told and heard to play, and the
 * recording's runs of speech, in ms from the start.
 */
async function twoWritersAt40(work: Work, held = false) {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(
    held ? new TaskHeldSocket(pair.server, clock) : pair.server,
    {
      serializer: work === "serialize" ? new SecondChunkStalls(clock) : new RawPcmSerializer(),
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      clock,
    },
  );
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  const { told, observer } = toldPlaces();
  transport.observe(observer);
  let chunks = 0;
  if (work === "observer") {
    transport.observe({ outboundAudio: () => void (++chunks === 2 && clock.block(30)) });
  }
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  const say = () =>
    transport.send({
      type: "audio",
      audio: new Uint8Array(20 * BYTES_PER_MS).fill(7),
      sampleRate: 16000,
      channels: 1,
    });
  await clock.tick(0);
  const start = clock.now();
  void clock.sleep(40).then(say);
  void clock.sleep(40).then(say);
  await clock.tick(300);
  pair.client.close(1000);
  await transport.closed;
  return {
    told: told.map((chunk) => chunk.playsAt - start),
    heard: farEnd.played.filter((p) => p.value === 7).map((p) => p.at - start),
    recorded: botRuns(await wav),
  };
}

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
    for (const type of ["message", "close", "open", "error"]) {
      inner.addEventListener(type, (event) => this.dispatchEvent(clone(event)));
    }
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

/** A copy of a socket event, to dispatch again. */
function clone(event: Event): Event {
  const { data, code, reason, wasClean } = event as MessageEvent & CloseEvent;
  return Object.assign(new Event(event.type), { data, code, reason, wasClean });
}
