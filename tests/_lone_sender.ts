/**
 * An `OutboundSender` on its own, as `OutboundPath` builds one, for tests of what it does with a
 * frame, a socket or a serializer that no session needs to drive.
 *
 * @module
 */

import { OutboundSender, type OutboundSenderOptions } from "../src/_outbound_sender.ts";
import type { TransportError } from "../src/errors.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { emptyStats } from "../src/transport_stats.ts";

/** What a test may set of the sender's options; a clock, if given, is a fake one. */
export type LoneSenderOptions = Partial<Omit<OutboundSenderOptions, "clock">> & {
  clock?: FakeClock;
  /**
   * `false`: the sender as `OutboundPath` builds it, before sending begins: urgent frames are held
   * until the test calls `releaseUrgent()`. By default sending has begun.
   */
  sendingBegun?: boolean;
};

/**
 * The sender, on a memory socket pair's server side (`pair`), a fake clock and fresh stats, its
 * errors gathered (`errors`), `over` its session's end. Unless `options` say: a serializer that
 * sends nothing, no WAV header, no packets, a 1 MiB socket bound and a 1 s `sendTimeoutMs`.
 */
export function loneSender({ sendingBegun = true, ...options }: LoneSenderOptions = {}) {
  const pair = new MemorySocketPair();
  const clock = options.clock ?? new FakeClock();
  const stats = options.stats ?? emptyStats();
  const errors: TransportError[] = [];
  const over = new AbortController();
  const sender = new OutboundSender({
    socket: pair.server,
    serializer: { serialize: () => null, deserialize: () => null },
    clock,
    stats,
    addWavHeader: false,
    packetizer: undefined,
    maxBufferedBytes: 1 << 20,
    sendTimeoutMs: 1000,
    signal: over.signal,
    onError: (error) => errors.push(error),
    ...options,
  });
  // Sending has begun, as it has in a session once its socket is open, its serializer set up
  // and the far end's start come: urgent frames leave as they are taken (`urgentMayLeave`).
  if (sendingBegun) sender.releaseUrgent();
  return { sender, pair, clock, stats, errors, over };
}
