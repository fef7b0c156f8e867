// "When a session is over, its connection, timers and memory are gone" (README), checked in
// workerd for a Durable Object's call, whose timers matter there: from compatibility date
// 2026-10-01 a pending timer keeps the object from eviction, billed for its duration ("pending
// setTimeout() and setInterval() timers also receive this protection",
// https://developers.cloudflare.com/changelog/post/2026-10-01-pending-io-keep-alive/). On Workers
// `systemClock` sets a runtime timer per timer, not the shared ones Deno's sanitizers watch in the
// other tests. The Worker watches every `setTimeout` the isolate sets (see the worker's module);
// each call ends mid-pacing, with audio still queued: closed by the client, by the server, or
// dropped by a client gone without a close frame (workerd's "Network connection lost").
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";
import { WsClient } from "../_ws_client.ts";
import { bundleWorker, startWorker } from "../examples/_workerd.ts";

/** 2 s of 16 kHz mono PCM16: the call's echo paces it out for that long. */
const AUDIO = new Uint8Array(64_000);
/** Echoed chunks (40 ms each) to wait for: the call is pacing. */
const PACING = 3;

/** A masked binary frame (RFC 6455 §5.2) of `payload` under 64 KiB, as a client sends it. */
function binaryFrame(payload: Uint8Array): Uint8Array {
  const head = [0x82, 0x80 | 126, payload.length >> 8, payload.length & 0xff, 0, 0, 0, 0];
  const frame = new Uint8Array(head.length + payload.length);
  frame.set(head);
  frame.set(payload, head.length); // a zero mask leaves the payload as it is
  return frame;
}

Deno.test(
  "`CallDurableObject` in workerd leaves no runtime timer pending once its call ended mid-pacing, however it ended",
  miniflareSanitizers,
  async () => {
    const script = await bundleWorker(
      new URL("./_cloudflare_timers_worker.ts", import.meta.url).pathname,
    );
    await using worker = await startWorker(script, {
      compatibilityDate: "2026-05-01",
      compatibilityFlags: [],
      durableObjects: { CALLS: { className: "TimedCall", useSQLite: true } },
      vars: {},
    });
    const base = `127.0.0.1:${worker.port}`;
    /**
     * The timers pending once `ended` calls have ended, asked again (ten times at most) until
     * `seen` holds: a live call's timers, which a probe once missed in CI under load.
     */
    const pendingUntil = async (ended: number, seen: (pending: number[]) => boolean) => {
      let pending = await pendingOnce(ended);
      for (let asked = 1; asked < 10 && !seen(pending); asked++) pending = await pendingOnce(ended);
      return pending;
    };
    /**
     * Whether `pending` holds the call's inactivity bound (10 s): set as the delay to its due
     * millisecond, rounded up from the clock's reading (`_system_timers.ts`), so 10,000 or 10,001.
     */
    const inactivityBound = (pending: number[]) =>
      pending.some((ms) => ms >= 9_999 && ms <= 10_001);
    /** The timers pending in the isolate once `ended` calls have ended, by their delays. */
    const pendingOnce = async (ended: number): Promise<number[]> => {
      const answer = await (await fetch(`http://${base}/timers?id=probe&ended=${ended}`)).json();
      assert.equal(answer.ended, ended, "calls ended, as the Worker saw them");
      return answer.pending;
    };

    const byClient = await WsClient.open(`ws://${base}/ws/by-client`);
    byClient.send(AUDIO);
    await byClient.waitFor(() => byClient.received.length >= PACING, 5000, "the echo");
    // The watch sees a live call's timers (its inactivity bound, its next chunk): else the
    // empty lists below would say nothing.
    const live = await pendingUntil(0, inactivityBound);
    assert.ok(inactivityBound(live), `the live call's inactivity timer: ${live}`);
    assert.equal((await byClient.close(1000)).code, 1000);
    assert.deepEqual(await pendingOnce(1), [], "after the client's close");

    const byServer = await WsClient.open(`ws://${base}/ws/by-server`);
    byServer.send(AUDIO);
    await byServer.waitFor(() => byServer.received.length >= PACING, 5000, "the echo");
    byServer.send("server-close");
    assert.equal((await byServer.closed).code, 4000);
    assert.deepEqual(await pendingOnce(2), [], "after the server's close");

    const dropped = await RawPeer.open(worker.port, "/ws/dropped");
    await dropped.write(binaryFrame(AUDIO.subarray(0, 32_000)));
    const dropping = await pendingUntil(2, inactivityBound);
    assert.ok(inactivityBound(dropping), `the dropped call was live: ${dropping}`);
    await dropped.close(); // the TCP connection ends with no close frame
    assert.deepEqual(await pendingOnce(3), [], "after the connection dropped");
  },
);
