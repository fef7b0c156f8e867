/**
 * A serializer whose `deserialize` answers later, for the tests of what waits behind an
 * asynchronous decode, and a session on it.
 *
 * @module
 */

import { type TransportError, type TransportOptions, WebSocketTransport } from "../mod.ts";
import type { Frame } from "../src/frames.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/**
 * Text "slow n" is read as message n once `answer("n")` is called, "n" at once; every call is
 * recorded in `calls`, and `finish()` hands on what `held` holds then.
 */
export function slowSerializer() {
  const calls: string[] = [];
  const waiting = new Map<string, (frame: Frame) => void>();
  const held: Frame[] = [];
  const serializer: FrameSerializer = {
    serialize: () => null,
    deserialize(data) {
      const text = data as string;
      calls.push(`deserialize ${text}`);
      if (!text.startsWith("slow ")) return { type: "message", message: text };
      const name = text.slice(5);
      return new Promise((resolve) => waiting.set(name, resolve));
    },
    finish() {
      calls.push("finish");
      return held.splice(0);
    },
  };
  const answer = (name: string) => waiting.get(name)!({ type: "message", message: name });
  return { serializer, calls, answer, held };
}

/**
 * An open session on a {@linkcode slowSerializer}, on a fake clock, its errors collected;
 * `options` besides.
 */
export async function slowSession(options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const slow = slowSerializer();
  const transport = new WebSocketTransport(pair.server, {
    ...options,
    clock,
    serializer: slow.serializer,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  const frames: unknown[] = [];
  await clock.tick(0);
  return { clock, pair, transport, errors, frames, ...slow };
}
