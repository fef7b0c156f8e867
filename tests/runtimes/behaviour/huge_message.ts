/**
 * A check for servers in child processes: a message far over `maxMessageBytes` is refused with
 * 1009 as soon as it starts, before the runtime has buffered it, so the server's peak memory
 * barely moves. Linux only: the peak resident size comes from `/proc/<pid>/status`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { within, WsClient } from "../../_ws_client.ts";
import { logEntry } from "./suite.ts";

/** The transport's default `maxMessageBytes`, which the behavioural servers keep. */
const MAX_MESSAGE_BYTES = 1 << 20;

/** The peak resident set size of process `pid` so far, in bytes (`VmHWM`). */
export function peakRss(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  assert.ok(kib, `no VmHWM for process ${pid}`);
  return Number(kib) * 1024;
}

/**
 * Sends a 60 MB message to the echo route of the server on `port` (process `pid`, fresh, so that
 * its peak is its own) and checks the session ends with 1009 while the server's peak resident
 * size grows by no more than `maxMessageBytes` and a few MB, and the session reports a fatal
 * "protocol" error and a close from its own side, and counts the message in `messagesIn` and
 * `decodeErrors`. The code is the server's: a peer still sending when it is refused may be cut
 * off before it reads the close frame. `readsTheRest: true` for a server that refuses the message
 * but goes on reading (and dropping) the rest of it, as `ws` under Hono does (the README says
 * so): its memory is not bounded here.
 */
export async function assertRefusesHugeMessage(
  port: number,
  pid: number,
  { readsTheRest = false }: { readsTheRest?: boolean } = {},
): Promise<void> {
  // One ordinary session first, so the runtime's WebSocket machinery is already in memory.
  const warm = await WsClient.open(`ws://127.0.0.1:${port}/ws?id=warm-up`);
  warm.send(new Uint8Array(640));
  await warm.next();
  await warm.close();
  const before = peakRss(pid);
  const client = await WsClient.open(`ws://127.0.0.1:${port}/ws?id=huge`);
  client.send(new Uint8Array(60 * 1024 * 1024));
  await within(client.closed, 10_000, "the close of a 60 MB message");
  const grown = peakRss(pid) - before;
  console.log(
    `a 60 MB message raised the server's peak memory by ${(grown / 2 ** 20).toFixed(1)} MiB`,
  );
  const closed = await logEntry(port, "huge", "closed");
  assert.equal(closed.code, 1009);
  // The runtime refused it for the transport: the session reports it as its own refusal, as
  // Deno's does (a fatal "protocol" error, closed from this side), not as a peer that went away.
  assert.equal(closed.fatal, "protocol");
  assert.equal(closed.initiator, "local");
  // And counted as Deno's transport counts a message it refuses itself (README, the stats table:
  // "one over `maxMessageBytes` (refused unread, 1009)" in `decodeErrors`): received, not read.
  const { messagesIn, decodeErrors } = closed.stats as { messagesIn: number; decodeErrors: number };
  assert.deepEqual({ messagesIn, decodeErrors }, { messagesIn: 1, decodeErrors: 1 });
  if (readsTheRest) return;
  const bound = MAX_MESSAGE_BYTES + 4 * 1024 * 1024;
  assert.ok(grown <= bound, `the server's peak memory grew by ${grown} bytes, over ${bound}`);
}
