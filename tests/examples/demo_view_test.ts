// The demo's `/view` stream: how it pairs with its session, bounds its waits, and reports what
// the server could not read. Real sockets on 127.0.0.1; the waits on a FakeClock.
import assert from "node:assert/strict";
import { createDemoHandler, type DemoHandlerOptions } from "../../examples/demo/handler.ts";
import {
  SessionView,
  type SessionViewOptions,
  type ViewSink,
} from "../../examples/demo/session_view.ts";
import { ViewHub } from "../../examples/demo/view_hub.ts";
import { SessionMetrics, WebSocketTransport } from "../../mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { within, WsClient } from "../_ws_client.ts";

// deno-lint-ignore no-explicit-any
type ViewMessage = Record<string, any>;

/** The demo on 127.0.0.1 port 0. */
async function withDemo(
  options: DemoHandlerOptions,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler(options),
  );
  try {
    await fn(`127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

/** Reads a view stream to its end (bounded): its messages, in order. */
async function readAll(response: Response): Promise<ViewMessage[]> {
  return messagesOf(await within(response.text(), 10000, "the view's end"));
}

/** The messages of a view stream's text: one JSON object per `data:` line. */
function messagesOf(text: string): ViewMessage[] {
  return text.split("\n").filter((line) => line.startsWith("data: ")).map((line) =>
    JSON.parse(line.slice(6))
  );
}

/** Twilio's opening messages for a stream watched as `session` (Media Streams docs). */
function twilioStart(session: string): string[] {
  return [
    JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }),
    JSON.stringify({
      event: "start",
      sequenceNumber: "1",
      start: {
        accountSid: "AC00000000000000000000000000000000",
        streamSid: "MZ00000000000000000000000000000000",
        callSid: "CA00000000000000000000000000000000",
        tracks: ["inbound"],
        customParameters: { session },
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
      streamSid: "MZ00000000000000000000000000000000",
    }),
  ];
}

Deno.test("demo `/view` waits viewWaitMs for its session, then says expired and ends", async () => {
  const clock = new FakeClock();
  await withDemo({ clock, viewWaitMs: 1000 }, async (base) => {
    const response = await fetch(`http://${base}/view?session=nobody-ever-comes`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "no-store");
    const messages = readAll(response);
    await clock.tick(1000);
    assert.deepEqual(await messages, [{ type: "expired", t: 0 }]);
  });
});

Deno.test("demo `/view` has one viewer per session: a second is refused (409) until the first goes", async () => {
  const clock = new FakeClock();
  await withDemo({ clock, viewWaitMs: 1000 }, async (base) => {
    const url = `http://${base}/view?session=watched-twice`;
    const first = await fetch(url);
    assert.equal(first.status, 200);
    const second = await fetch(url);
    assert.equal(second.status, 409);
    await second.body?.cancel();
    // The first page goes away: its stream is cancelled, and the id is free again (the server
    // hears of the cancel a little later: ask again, boundedly, until it has).
    await first.body!.cancel();
    const third = await within(
      (async () => {
        for (;;) {
          const again = await fetch(url);
          if (again.status === 200) return again;
          await again.body?.cancel();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      5000,
      "the id to be free again",
    );
    const messages = readAll(third);
    await clock.tick(1000);
    assert.deepEqual((await messages).map((m) => m.type), ["expired"]);
  });
});

Deno.test("demo `/view` opened after its session started gets the session from its hello on", async () => {
  await withDemo({}, async (base) => {
    const client = await WsClient.open(`ws://${base}/wideband?session=view-comes-late`);
    client.send(new Uint8Array(640));
    const response = await fetch(`http://${base}/view?session=view-comes-late`);
    assert.equal(response.status, 200);
    const messages = readAll(response);
    await client.close(1000);
    const view = await messages;
    assert.deepEqual(view.slice(0, 2).map((m) => m.type), ["hello", "connected"]);
    assert.equal(view[0]!.line, "wideband");
    assert.equal(view.at(-1)!.type, "ended");
    assert.equal(view.at(-1)!.initiator, "remote");
  });
});

Deno.test("demo phone line: a message the server cannot read shows on the view as an error, and the call goes on", async () => {
  const logged = Promise.withResolvers<string>();
  await withDemo({ log: (line) => logged.resolve(line) }, async (base) => {
    const response = await fetch(`http://${base}/view?session=bad-message-call`);
    const messages = readAll(response);
    const client = await WsClient.open(`ws://${base}/phone`);
    for (const message of twilioStart("bad-message-call")) client.send(message);
    client.send("this is not JSON");
    client.send(JSON.stringify({ event: "media" })); // no media object
    await client.close(1000);
    const view = await messages;
    assert.deepEqual(view.map((m) => m.type).filter((t) => t !== "progress" && t !== "metrics"), [
      "hello",
      "connected",
      "start",
      "error",
      "error",
      "ended",
    ]);
    for (const error of view.filter((m) => m.type === "error")) {
      assert.equal(error.code, "decode");
      assert.match(error.message, /Twilio/);
    }
    assert.equal(
      view.find((m) => m.type === "start")!.callSid,
      "CA00000000000000000000000000000000",
    );
    assert.equal(view.findLast((m) => m.type === "progress")!.stats.decodeErrors, 2);
  });
  const line = await within(logged.promise, 5000, "the session's log line");
  assert.match(line, /^session 1 \(phone\) ended \(1000, remote\): 0 phrases, 0 replies/);
});

Deno.test("demo phone line: a session id that is not one a page makes pairs with no view; the call runs unwatched", async () => {
  const logged = Promise.withResolvers<string>();
  await withDemo({ log: (line) => logged.resolve(line) }, async (base) => {
    const refused = await fetch(`http://${base}/view?session=${encodeURIComponent("bad id!")}`);
    assert.equal(refused.status, 400);
    await refused.body?.cancel();
    const client = await WsClient.open(`ws://${base}/phone`);
    for (const message of twilioStart("bad id!")) client.send(message);
    client.send(JSON.stringify({
      event: "media",
      sequenceNumber: "2",
      media: { track: "inbound", chunk: "1", timestamp: "0", payload: btoa("\xff".repeat(160)) },
      streamSid: "MZ00000000000000000000000000000000",
    }));
    await client.close(1000);
  });
  const line = await within(logged.promise, 5000, "the session's log line");
  assert.match(line, /^session 1 \(phone\) ended \(1000, remote\): 0 phrases/);
  assert.match(line, / in_frames=\d+ /);
});

Deno.test("demo phone line: a second Twilio start naming another session leaves the first view to its end, and the other waits no longer than viewWaitMs", async () => {
  // Twilio's `start` opens the stream, sent right after `connected`
  // (twilio.com/docs/voice/media-streams/websocket-messages, "Start message"): a second one is
  // bad input. The view stays with the session its first start
  // named; the other id's viewer is not handed the session (which would leave the first viewer's
  // stream open forever, and its pairing with it).
  const clock = new FakeClock();
  // A stream left open would hold the server's shutdown: the views are let go of at the end.
  const views = new AbortController();
  await withDemo({ clock, viewWaitMs: 1000 }, async (base) => {
    const open = async (id: string) =>
      readAll(await fetch(`http://${base}/view?session=${id}`, { signal: views.signal }));
    const first = open("first-start-id");
    const second = open("second-start-id");
    try {
      const client = await WsClient.open(`ws://${base}/phone`);
      for (const message of twilioStart("first-start-id")) client.send(message);
      client.send(twilioStart("second-start-id")[1]!);
      await client.close(1000);
      const watched = await first;
      assert.equal(watched.filter((m) => m.type === "start").length, 2);
      assert.equal(watched.at(-1)!.type, "ended");
      await clock.tick(1000);
      assert.deepEqual((await second).map((m) => m.type), ["expired"]);
    } finally {
      views.abort();
      await Promise.allSettled([first, second]);
    }
  });
});

Deno.test("demo `viewWaitMs`, and ViewHub's own `waitMs`, is a positive, finite number of ms: 0 (no wait), a negative, NaN or Infinity is a RangeError naming it", () => {
  // 0 was taken as the default 10 s; no wait at all would expire every page's view, which opens
  // before its line. Every wait is bounded: Infinity is refused too. The hub took any `waitMs`.
  for (const viewWaitMs of [0, -1, NaN, Infinity]) {
    assert.throws(() => createDemoHandler({ viewWaitMs }), {
      name: "RangeError",
      message: `viewWaitMs must be a positive finite number of ms, got ${viewWaitMs}`,
    });
    assert.throws(() => new ViewHub({ waitMs: viewWaitMs }), {
      name: "RangeError",
      message: `waitMs must be a positive finite number of ms, got ${viewWaitMs}`,
    });
  }
});

/** The options of a wideband view of `transport`. */
function viewOptions(
  transport: WebSocketTransport,
  maxPendingMessages?: number,
): SessionViewOptions {
  return {
    line: "wideband",
    metrics: SessionMetrics.attach(transport),
    settings: { chunkMs: 20, sendAheadMs: 60, playoutDelayMs: 0, markIntervalMs: 0 },
    ...(maxPendingMessages === undefined ? {} : { maxPendingMessages }),
  };
}

/**
 * A parrot session's view on an in-memory socket and a FakeClock (its timer never fires), once
 * it has said "hello" and "connected".
 */
async function memoryView(maxPendingMessages?: number) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, { audioOut: { sampleRate: 16000 }, clock });
  const view = new SessionView(transport, viewOptions(transport, maxPendingMessages));
  await clock.tick(0); // "connected" comes on the transport's clock, a moment after it opens
  assert.ok(transport.connected);
  /** `count` "response" messages, one per reply. */
  const replies = (count: number) => {
    for (let i = 1; i <= count; i++) {
      view.parrot({ type: "reply", responseId: `parrot-${i}`, durationMs: 1000 });
    }
  };
  return { client, transport, view, replies };
}

/** A viewer that takes every message it is sent, and what it was sent. */
function recordingSink() {
  const seen: ViewMessage[] = [];
  const sink: ViewSink = { send: (message) => seen.push(JSON.parse(message)) > 0, close() {} };
  return { seen, sink };
}

Deno.test("demo view: messages kept past maxPendingMessages for a viewer not there yet are counted, and progress and ended say how many", async () => {
  const { client, view, replies } = await memoryView(3);
  replies(10); // hello, connected and 10 responses: 12 messages, 3 kept, "hello" first
  const seen: ViewMessage[] = [];
  view.attach({ send: (message) => seen.push(JSON.parse(message)) > 0, close() {} });
  assert.deepEqual(seen.map((m) => m.type), ["hello", "response", "response"]);
  client.close(1000);
  await view.done;
  assert.deepEqual(seen.slice(3).map((m) => m.type), ["progress", "metrics", "ended"]);
  assert.equal(seen[3]!.dropped, 9);
  assert.equal(seen.at(-1)!.dropped, 9);
});

Deno.test("demo `/view`: messages a page that stopped reading could not take are counted, and told once it reads again", async () => {
  const hub = new ViewHub({ maxUnreadMessages: 2, clock: new FakeClock() });
  const response = hub.open("stalled-page");
  const { client, view, replies } = await memoryView();
  hub.join("stalled-page", view);
  // Of hello, connected and 10 responses the stream holds 2 (and its opening comment): 10 dropped.
  replies(10);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  /** Reads on until `count` messages (the comment one of them) or the stream's end. */
  const readUntil = (count: number) =>
    within(
      (async () => {
        for (let part = await reader.read(); !part.done; part = await reader.read()) {
          text += part.value;
          if (text.split("\n\n").length > count) return;
        }
      })(),
      5000,
      `${count} messages of the view`,
    );
  // The page reads again: what waited, then the rest as it comes.
  await readUntil(3);
  client.close(1000);
  await view.done;
  await readUntil(Infinity);
  const messages = messagesOf(text);
  assert.deepEqual(messages.map((m) => m.type), [
    "hello",
    "connected",
    "progress",
    "metrics",
    "ended",
  ]);
  assert.equal(messages[2]!.dropped, 10);
  assert.equal(messages[4]!.dropped, 10);
});

Deno.test("demo `/view`: a page that stopped reading still gets ended last, with the count of every message it missed", async () => {
  // The page learns the session is over, and what it missed, only from "ended". A stream that
  // just closes is no end to an EventSource: it fires "error" and reconnects (HTML Standard,
  // "Server-sent events", processing model: a response that completes, gracefully or not, makes
  // the user agent reestablish the connection), which the page takes for a lost view.
  const hub = new ViewHub({ maxUnreadMessages: 2, clock: new FakeClock() });
  const response = hub.open("stalled-to-the-end");
  const { client, view, replies } = await memoryView();
  hub.join("stalled-to-the-end", view);
  // The stream holds hello and connected: 10 responses, the last progress and the last metrics
  // are dropped.
  replies(10);
  client.close(1000);
  await view.done;
  const messages = await readAll(response);
  assert.deepEqual(messages.map((m) => m.type), ["hello", "connected", "ended"]);
  assert.equal(messages[2]!.dropped, 12);
});

Deno.test("demo view: maxPendingMessages is a whole number of at least 2: fewer, a fraction, NaN or Infinity is a RangeError naming it", async () => {
  // 1 kept "hello" alone, its "ended" dropped (a stream that just closes is no end to an
  // EventSource: HTML Standard, "Server-sent events", processing model); 0 also counted a drop
  // that never was; NaN or Infinity kept everything.
  const { client, transport, view } = await memoryView();
  for (const maxPendingMessages of [1, 0, -1, 2.5, NaN, Infinity]) {
    assert.throws(() => new SessionView(transport, viewOptions(transport, maxPendingMessages)), {
      name: "RangeError",
      message: `maxPendingMessages must be a whole number, at least 2, got ${maxPendingMessages}`,
    });
  }
  client.close(1000);
  await view.done;
});

Deno.test("demo view: a bound of 2 keeps hello and ended for a viewer that comes once the session is over, and ended counts every other message", async () => {
  /** What a viewer that attaches once the session is over gets. */
  const late = async (session: Awaited<ReturnType<typeof memoryView>>) => {
    session.replies(10);
    session.client.close(1000);
    await session.view.done;
    const seen: ViewMessage[] = [];
    session.view.attach({ send: (message) => seen.push(JSON.parse(message)) > 0, close() {} });
    return seen;
  };
  const all = await late(await memoryView());
  assert.equal(all.at(-1)!.dropped, 0);
  const two = await late(await memoryView(2));
  assert.deepEqual(two.map((m) => m.type), ["hello", "ended"]);
  assert.equal(two[1]!.dropped, all.length - 2, "ended counts each message it was kept past");
});

Deno.test("demo `/view`: maxUnreadMessages is a whole number, 0 or more: a negative, a fraction, NaN or Infinity is a RangeError naming it", () => {
  // A negative bound dropped "hello" from a stream not yet read; NaN or Infinity bounded nothing.
  for (const maxUnreadMessages of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => new ViewHub({ maxUnreadMessages }), {
      name: "RangeError",
      message: `maxUnreadMessages must be a whole number, 0 or more, got ${maxUnreadMessages}`,
    });
  }
});

Deno.test("demo `/view`: maxUnreadMessages 0 lets no message wait: a page waiting to read gets each as it comes, one that is not only ended (a lone viewer its expired)", async () => {
  // The bound let one message more wait than it said (two more once the opening comment was read).
  // A stream pulls (a high-water mark of 0) only while a read waits on it (Streams Standard,
  // ReadableStreamDefaultControllerShouldCallPull: locked with read requests, or desiredSize > 0):
  // the message sent then goes straight to the page, waiting for nobody.
  const clock = new FakeClock();
  const hub = new ViewHub({ maxUnreadMessages: 0, clock });
  const reader = hub.open("reads-as-it-comes").body!.getReader();
  await reader.read(); // the opening comment
  const waiting = reader.read(); // the page waits for the next message
  const { client, view, replies } = await memoryView();
  hub.join("reads-as-it-comes", view);
  // "hello" goes to the page waiting for it; connected, 10 responses, the last progress and the
  // last metrics would wait for a page that reads no more: dropped, and counted (connected,
  // refused as the view handed on what it kept for its viewer, went uncounted).
  replies(10);
  client.close(1000);
  await view.done;
  const decoder = new TextDecoder();
  let text = decoder.decode((await waiting).value);
  await within(
    (async () => {
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        text += decoder.decode(part.value);
      }
    })(),
    5000,
    "the view's end",
  );
  const messages = messagesOf(text);
  assert.deepEqual(messages.map((m) => m.type), ["hello", "ended"]);
  assert.equal(messages[1]!.dropped, 13);
  // A lone viewer not reading yet still learns its session never came.
  const lone = hub.open("nobody-comes-to-it");
  await clock.tick(10000);
  assert.deepEqual((await readAll(lone)).map((m) => m.type), ["expired"]);
});

Deno.test("demo view: progressIntervalMs and metricsIntervalMs are positive, finite numbers of ms: 0, a negative, NaN or Infinity is a RangeError naming it", async () => {
  // A progress interval of 0 (or less, or NaN) re-armed the view's timer for 0 ms on every tick,
  // a loop busying the event loop; Infinity, or a metrics interval of NaN or Infinity, sent once.
  const { client, transport, view } = await memoryView();
  for (const name of ["progressIntervalMs", "metricsIntervalMs"] as const) {
    for (const ms of [0, -1, NaN, Infinity]) {
      assert.throws(() => new SessionView(transport, { ...viewOptions(transport), [name]: ms }), {
        name: "RangeError",
        message: `${name} must be a positive finite number of ms, got ${ms}`,
      });
    }
  }
  client.close(1000);
  await view.done;
});

Deno.test("demo view: nothing comes after ended: a parrot's event once the session is over is dropped, for a viewer there and for one still to come", async () => {
  // "ended" is the last message (ViewSink), and "ended" already told the final count: the late
  // event is not counted. It was sent after it, or kept and handed on as the "last" in its place.
  for (const attachedBefore of [true, false]) {
    const { client, view } = await memoryView();
    const { seen, sink } = recordingSink();
    if (attachedBefore) view.attach(sink);
    client.close(1000);
    await view.done;
    view.parrot({ type: "reply", responseId: "parrot-late", durationMs: 1000 });
    if (!attachedBefore) view.attach(sink);
    assert.equal(seen.at(-1)!.type, "ended", `attached before the end: ${attachedBefore}`);
    assert.ok(!seen.some((m) => m.type === "response"));
  }
});

Deno.test("demo `/view`: a page that opens once its session is over and takes fewer than were kept gets ended counting those it could not take", async () => {
  // The session ended unwatched, its messages kept for a viewer; the page's stream holds 2 of
  // them unread (maxUnreadMessages), so the rest are dropped as it attaches. "ended" was written
  // as the session ended: the count it carries must include these drops too, for the page
  // learns what it missed only from "ended".
  const hub = new ViewHub({ maxUnreadMessages: 2, clock: new FakeClock() });
  const { client, view, replies } = await memoryView();
  hub.join("opened-too-late", view);
  replies(10); // hello, connected and 10 responses, then the last progress and metrics
  client.close(1000);
  await view.done;
  const messages = await readAll(hub.open("opened-too-late"));
  assert.deepEqual(messages.map((m) => m.type), ["hello", "connected", "ended"]);
  assert.equal(messages[2]!.dropped, 12, "ended counts every message the page never got");
});
