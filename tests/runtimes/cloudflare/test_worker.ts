/**
 * The Worker the workerd tests run: the example's Worker and Durable Object, plus `/direct`, the
 * bare adapter in a Worker (no Durable Object; `?frozen` paces with a production-like clock,
 * `?close-with=…` closes at once with that reason, `?protocol=…` answers that subprotocol),
 * `/closes?count=n`, how its sessions ended (waiting up to 5 s for the n-th), `/call-closes?count=n`,
 * the same of the example's calls (`/ws/:id`), `/closing/:id`, a call that ends at the client's first
 * message, `/failing/:id`, a call whose `onSession` throws (`?async`: rejects; `?ok`: echoes),
 * and `/timers/…`, what becomes of a timer that shares another request's runtime timer. Every
 * session answers the text message {@linkcode TIMELINE} with when each of its binary messages
 * left, on the Worker's own clock, and with a bare timer chain's timeline beside.
 *
 * @module
 */

import example, {
  EchoCall as ExampleEchoCall,
  type Env,
} from "../../../examples/cloudflare/worker.ts";
import { upgrade } from "../../../src/adapters/cloudflare.ts";
import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../../src/adapters/cloudflare.ts";
import type { Clock, ClockTimer } from "../../../src/clock.ts";
import { systemClock } from "../../../src/clock.ts";
import { systemTimers } from "../../../src/_system_timers.ts";
import type { TransportClosed } from "../../../src/events.ts";
import type { WebSocketTransport } from "../../../src/transport.ts";
import { TIMELINE } from "./timeline.ts";

/** The test's bindings: the example's, the closing calls and the failing ones. */
interface TestEnv extends Env {
  CLOSING: DurableObjectNamespaceLike;
  FAILING: DurableObjectNamespaceLike;
}

/**
 * Notes when each binary message leaves, as the Worker sees it, and beside it the timeline of a
 * bare timer chain with the same deadlines (every 40 ms from the first send): what the runtime on
 * this machine achieves right now. A moment the shared machine is busy delays both alike, so the
 * lateness the transport adds is what it shows over the bare timers. `now` is the clock sends are
 * read on: the transport's own.
 */
function recordTimeline(
  transport: WebSocketTransport,
  now: () => number = performance.now.bind(performance),
): void {
  const socket = transport.socket;
  const sends: number[] = [];
  const timers: number[] = [];
  const send = socket.send.bind(socket);
  const tick = (anchor: number) => {
    timers.push(performance.now());
    if (transport.connected && timers.length < 1000) {
      setTimeout(() => tick(anchor), anchor + timers.length * 40 - performance.now());
    }
  };
  socket.send = (data) => {
    if (typeof data !== "string" && sends.push(now()) === 1) tick(sends[0]!);
    send(data);
  };
  socket.addEventListener("message", (event) => {
    if ((event as MessageEvent).data === TIMELINE) send(JSON.stringify({ sends, timers }));
  });
}

/** Sessions' ends, in order, with whoever waits for a number of them. */
class Ended<T> {
  readonly #ends: T[] = [];
  readonly #waiting = new Set<() => void>();

  push(end: T): void {
    this.#ends.push(end);
    for (const wake of [...this.#waiting]) wake();
  }

  /** `?count=n`: every end once there are `n`, or what there is after 5 s. */
  async response(url: URL): Promise<Response> {
    const count = Number(url.searchParams.get("count") ?? 0);
    if (this.#ends.length < count) {
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          this.#waiting.delete(check);
          resolve();
        };
        const check = () => void (this.#ends.length >= count && finish());
        const timer = setTimeout(finish, 5000);
        this.#waiting.add(check);
      });
    }
    return Response.json(this.#ends);
  }
}

/** How each of the example's calls ended, in order, with the path it was reached by. */
const callCloses = new Ended<TransportClosed & { path: string }>();

/** The example's call, with its timeline and its end recorded. */
export class EchoCall extends ExampleEchoCall {
  protected override onSession(transport: WebSocketTransport, request?: Request): Promise<void> {
    recordTimeline(transport);
    const path = new URL(request?.url ?? "http://localhost/").pathname;
    void transport.closed.then((closed) => callCloses.push({ ...closed, path }));
    return super.onSession(transport);
  }
}

/** What each `ClosingCall` saw of its own end: its errors' codes, then "closed CODE". */
const closingSeen: string[] = [];

/**
 * A call that closes at the client's first message, giving up on the handshake after 200 ms;
 * `?bad` makes its `upgradeOptions` throw.
 */
export class ClosingCall extends CallDurableObject {
  protected override upgradeOptions(request: Request): CloudflareUpgradeOptions {
    if (new URL(request.url).searchParams.has("bad")) throw new Error("unknown provider");
    return { closeTimeoutMs: 200 };
  }
  protected override onSession(transport: WebSocketTransport, request: Request): void {
    transport.addEventListener("error", (e) => closingSeen.push(`error ${e.error.code}`));
    void transport.closed.then(async (closed) => {
      closingSeen.push(`closed ${closed.code}`);
      // A call for the same id arriving before the object resets itself: not taken, only to be
      // cut off by the reset a moment later.
      const again = await this.fetch(new Request(request.url, { headers: request.headers }));
      closingSeen.push(`again ${again.status}`);
    });
    void transport.readable.getReader().read().then(() => transport.close(4000, "server-bye"));
  }
}

/** A call whose `onSession` fails, at once or later, unless the URL says `?ok`. */
export class FailingCall extends CallDurableObject {
  protected override onSession(transport: WebSocketTransport, request: Request): Promise<void> {
    const url = new URL(request.url);
    if (url.searchParams.has("ok")) return transport.readable.pipeTo(transport.writable);
    if (url.searchParams.has("async")) return Promise.reject(new Error("the call failed later"));
    throw new Error("the call failed at once");
  }
}

/** How each `/direct` session ended, in order, with the data types its messages arrived as. */
const closes = new Ended<TransportClosed & { received: string[] }>();

function failingSerializer(): never {
  throw new Error("no such provider");
}

/** A clock whose timers share runtime timers, as `systemClock`'s do everywhere but on Workers. */
const sharingClock = systemTimers(true);
/** The millisecond `/timers/first` armed its timer for. */
let firstDue = 0;

/**
 * `/timers/first` arms a timer 300 ms ahead and answers at once, which ends its request;
 * `/timers/second` arms one for the same millisecond and answers whether it fired (waiting up to
 * 300 ms past it). Both on `systemClock` with `?system`, else on a clock that shares timers;
 * `?tolerant`: timers that may fire 10 ms late (swept together where shared).
 */
async function timersResponse(url: URL): Promise<Response> {
  const clock = url.searchParams.has("system") ? systemClock : sharingClock;
  const options = { toleranceMs: url.searchParams.has("tolerant") ? 10 : 0 };
  if (url.pathname === "/timers/first") {
    firstDue = Math.ceil(performance.now()) + 300;
    armAt(clock.timer(() => {}, options), firstDue);
    return Response.json({ due: firstDue });
  }
  const fired = await new Promise<boolean>((resolve) => {
    const bound = setTimeout(() => resolve(false), firstDue + 300 - performance.now());
    armAt(
      clock.timer(() => {
        clearTimeout(bound);
        resolve(true);
      }, options),
      firstDue,
    );
  });
  return Response.json({ fired });
}

/** Arms `timer` for the millisecond `due` (whole milliseconds: workerd's clock has no fraction). */
function armAt(timer: ClockTimer, due: number): void {
  const now = performance.now();
  timer.arm(due - now, now);
}

/**
 * Production workerd's clock stands still while code runs and moves only when an event (a
 * request, a message, a timer) starts; local workerd's does not. This one behaves like
 * production's: it reads the time once per event and holds it until the event is over.
 */
function frozenWhileRunning(): Clock {
  let held: number | undefined;
  return {
    now() {
      if (held === undefined) {
        held = performance.now();
        setTimeout(() => (held = undefined), 0); // the event is over once its task has run
      }
      return held;
    },
    sleep: systemClock.sleep,
    timer: systemClock.timer,
  };
}

export default {
  async fetch(request: Request, env: TestEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/closes") return await closes.response(url);
    if (url.pathname === "/call-closes") return await callCloses.response(url);
    if (url.pathname === "/closing-seen") return Response.json(closingSeen);
    if (url.pathname.startsWith("/timers/")) return await timersResponse(url);
    const idFrom = (r: Request) => new URL(r.url).pathname.split("/")[2] || null;
    if (url.pathname.startsWith("/closing/")) {
      return CallDurableObject.route(request, env.CLOSING, { idFrom });
    }
    if (url.pathname.startsWith("/failing/")) {
      return CallDurableObject.route(request, env.FAILING, { idFrom });
    }
    if (url.pathname !== "/direct") return example.fetch(request, env);
    const clock = url.searchParams.has("frozen") ? frozenWhileRunning() : undefined;
    const { transport, response } = await upgrade(request, {
      allowedOrigins: ["https://app.example"],
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 40 },
      ...(clock ? { clock } : {}),
      ...(url.searchParams.has("protocol") ? { protocol: url.searchParams.get("protocol")! } : {}),
      // `?failing`: a serializer function that throws, so the session cannot start.
      ...(url.searchParams.has("failing") ? { serializer: failingSerializer } : {}),
    });
    if (transport === null) return response;
    // Sends are timed on the clock the transport paces by: in production it is the only clock
    // there is, and it reads the start of the event, not when the send ran within it.
    recordTimeline(transport, clock?.now);
    const received: string[] = [];
    transport.socket.addEventListener("message", (event) => {
      received.push(Object.prototype.toString.call((event as MessageEvent).data));
    });
    transport.closed.then((closed) => closes.push({ ...closed, received }));
    const reason = url.searchParams.get("close-with");
    if (reason !== null) {
      // workerd throws on a close reason over 123 bytes: the transport must cut it first. Not on
      // "connected": a Workers socket is open at once, so that event fired inside `upgrade()`.
      setTimeout(() => void transport.close(4000, reason), 0);
    }
    transport.readable.pipeTo(transport.writable).catch(() => {
      // A remote close ends the pipe mid-flight; `closed` has recorded how the session ended.
    });
    return response;
  },
};
