// What `serialize` answers is checked against its contract before anything is sent: `null` and
// `undefined` items of a list are no message (skipped), and anything that is not a string or a
// Uint8Array (a number, a plain object, an ArrayBuffer) is the frame's "encode" error, counted,
// never sent as its string form; the session goes on.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type SerializeResult,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportStats } from "../src/transport_stats.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** Answers the message "x" and audio with `answer` (later, when `late`); other messages as text. */
class Answers implements FrameSerializer {
  constructor(readonly answer: unknown, readonly late = false) {}
  serialize(frame: Frame): SerializeResult {
    const answer = (frame.type === "message" && frame.message === "x") || frame.type === "audio"
      ? this.answer as SerializeResult
      : frame.type === "message"
      ? String(frame.message)
      : null;
    return this.late ? Promise.resolve(answer as string) : answer;
  }
  deserialize(): null {
    return null;
  }
}

async function run(answer: unknown, frames: Frame[], late = false) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new Answers(answer, late),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  let closeCode = 0;
  pair.client.addEventListener("close", (e) => (closeCode = (e as CloseEvent).code));
  const out: unknown[] = [];
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    out.push(typeof data === "string" ? data : new Uint8Array(data).length);
  });
  await clock.tick(1);
  for (const frame of frames) transport.send(frame);
  transport.send({ type: "message", message: "after" });
  await clock.tick(100);
  const connected = transport.connected;
  const stats = { ...transport.stats };
  await transport.close();
  await clock.runAll();
  return { connected, closeCode, out, errors, stats };
}

/** 20 ms of PCM16 16 kHz mono: 640 bytes. */
const audio: Frame = {
  type: "audio",
  audio: new Uint8Array(640).fill(1),
  sampleRate: 16000,
  channels: 1,
};

function accountedBytes(stats: TransportStats): number {
  return stats.audioBytesSent + stats.audioBytesInterrupted + stats.audioBytesDroppedOnClose +
    stats.audioBytesStale + stats.audioBytesRefused;
}

for (const late of [false, true]) {
  const how = late ? "asynchronous " : "";

  Deno.test(`\`OutboundSender\`: an ${how}answer's null and undefined items are no message, the others are sent`, async () => {
    const r = await run(
      ["first", null, "second", undefined],
      [{ type: "message", message: "x" }],
      late,
    );
    assert.equal(r.errors.length, 0, r.errors.join("; "));
    assert.equal(r.connected, true, "the session goes on");
    assert.equal(r.closeCode, 1000);
    assert.deepEqual(r.out, ["first", "second", "after"]);
    assert.equal(r.stats.encodeErrors, 0);
  });

  Deno.test(`\`OutboundSender\`: an ${how}answer [null] to a mark is a list of no message: nothing sent, nothing dropped`, async () => {
    const r = await run([null], [{ type: "message", message: "x" }], late);
    assert.equal(r.errors.length, 0, r.errors.join("; "));
    assert.deepEqual(r.out, ["after"]);
    assert.equal(r.stats.encodeErrors, 0);
  });

  Deno.test(`\`OutboundSender\`: ${how}audio answered [bytes, null] is sent and counted sent`, async () => {
    const r = await run([new Uint8Array(640), null], [audio], late);
    assert.equal(r.errors.length, 0, r.errors.join("; "));
    assert.deepEqual(r.out, [640, "after"]);
    assert.equal(r.stats.audioBytesSent, 640);
    assert.equal(accountedBytes(r.stats), 640);
  });

  for (
    const [answer, named] of [
      [42, /a number \(42\)/],
      [{ x: 1 }, /a plain object/],
      [new ArrayBuffer(4), /an ArrayBuffer/],
      [new Int16Array(2), /an Int16Array/],
      [true, /a boolean \(true\)/],
      [["ok", 7], /a list holding a number \(7\)/],
    ] as const
  ) {
    Deno.test(`\`OutboundSender\`: an ${how}answer of ${named.source.replaceAll("\\", "")} is an encode error, not sent, the session goes on`, async () => {
      const r = await run(answer, [{ type: "message", message: "x" }], late);
      assert.deepEqual(r.out, ["after"], "nothing of the frame's answer leaves");
      assert.equal(r.connected, true);
      assert.equal(r.closeCode, 1000);
      assert.equal(r.stats.encodeErrors, 1);
      assert.equal(r.errors.length, 1, r.errors.join("; "));
      assert.equal(r.errors[0]!.code, "encode");
      assert.equal(r.errors[0]!.fatal, false);
      assert.match(r.errors[0]!.message, /Answers: serialize answered a message frame with /);
      assert.match(r.errors[0]!.message, named);
    });
  }

  Deno.test(`\`OutboundSender\`: ${how}audio answered with no message is refused, its bytes counted, reported once a spell`, async () => {
    const r = await run(7, [audio, audio], late);
    assert.deepEqual(r.out, ["after"]);
    assert.equal(r.stats.encodeErrors, 2);
    assert.equal(r.stats.audioBytesRefused, 2 * 640);
    assert.equal(r.stats.audioBytesSent, 0);
    assert.equal(accountedBytes(r.stats), 2 * 640);
    assert.equal(r.errors.length, 1, r.errors.join("; "));
    assert.match(r.errors[0]!.message, /serialize answered an audio frame with a number \(7\)/);
  });
}
