import assert from "node:assert/strict";
import fc from "fast-check";
import { JsonSerializer, type TransportError, type WebSocketTransport } from "../../mod.ts";
import { type DenoUpgradeOptions, upgrade, type UpgradeResult } from "../../src/adapters/deno.ts";
import { within, WsClient } from "../_ws_client.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/** Serves `upgrade` on 127.0.0.1 port 0; each session's transport is handed to `onSession`. */
function serve(
  options: DenoUpgradeOptions,
  onSession: (transport: WebSocketTransport) => void = (t) => void t.readable.pipeTo(t.writable),
) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, options);
    if (transport) onSession(transport);
    return response;
  });
  return {
    server,
    url: `ws://127.0.0.1:${server.addr.port}/`,
    http: `http://127.0.0.1:${server.addr.port}/`,
  };
}

Deno.test("`upgrade` echoes binary as binary and text as text over a real socket", async () => {
  const { server, url } = serve({
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
  });
  const client = await WsClient.open(url);
  const audio = new Uint8Array(640).map((_, i) => i);
  client.send(audio);
  assert.deepEqual(await client.next(), audio);
  client.send('{"hi":1}');
  assert.equal(await client.next(), '{"hi":1}');
  await client.close();
  await server.shutdown();
});

Deno.test("`upgrade` answers a plain request with 426 and upgrades nothing", async () => {
  const { server, http } = serve({});
  const response = await fetch(http);
  assert.equal(response.status, 426);
  assert.equal(response.headers.get("upgrade"), "websocket");
  await response.body?.cancel();
  await server.shutdown();
});

Deno.test("`upgrade` refuses a browser origin not in allowedOrigins with 403", async () => {
  let sessions = 0;
  const { server, http } = serve({ allowedOrigins: ["https://app.example"] }, () => sessions++);
  const refused = await fetch(
    upgradeRequest({ url: http, headers: { origin: "https://evil.example" } }),
  );
  assert.equal(refused.status, 403);
  await refused.body?.cancel();
  assert.equal(sessions, 0);
  await server.shutdown();
});

Deno.test("`upgrade` lets an allowed origin in", async () => {
  let sessions = 0;
  const { server, url } = serve({ allowedOrigins: ["https://app.example"] }, (t) => {
    sessions++;
    void t.readable.pipeTo(t.writable);
  });
  // Deno's WebSocket client sends no Origin: not a browser, so the origin check does not apply.
  const client = await WsClient.open(url);
  await client.close();
  assert.equal(sessions, 1);
  await server.shutdown();
});

Deno.test("`upgrade` refuses when authorize says no: 401, or the hook's own response", async () => {
  let sessions = 0;
  const { server, url } = serve({
    authorize: (request) => {
      const token = new URL(request.url).searchParams.get("token");
      if (token === "teapot") return new Response("no", { status: 418 });
      return token === "good";
    },
  }, (t) => {
    sessions++;
    void t.readable.pipeTo(t.writable);
  });
  await assert.rejects(WsClient.open(url + "?token=bad"), /could not open/);
  await assert.rejects(WsClient.open(url + "?token=teapot"), /could not open/);
  const client = await WsClient.open(url + "?token=good");
  await client.close();
  assert.equal(sessions, 1);
  const status = await fetch(upgradeRequest({ url: url.replace("ws:", "http:") + "?token=bad" }));
  assert.equal(status.status, 401);
  await status.body?.cancel();
  await server.shutdown();
});

Deno.test("`upgrade` closes with 1009 when a message is over maxMessageBytes", async () => {
  const errors: TransportError[] = [];
  const { server, url } = serve({ maxMessageBytes: 1024 }, (t) => {
    t.addEventListener("error", (e) => errors.push(e.error));
    void t.readable.pipeTo(t.writable);
  });
  const client = await WsClient.open(url);
  client.send(new Uint8Array(2048));
  assert.equal((await within(client.closed, 3000, "the close")).code, 1009);
  assert.equal(errors[0]?.code, "protocol");
  await server.shutdown();
});

Deno.test("`upgrade` survives thousands of malformed messages and still echoes", async () => {
  const errors: TransportError[] = [];
  const { server, url } = serve({ serializer: new JsonSerializer() }, (t) => {
    t.addEventListener("error", (e) => errors.push(e.error));
    void t.readable.pipeTo(t.writable);
  });
  const client = await WsClient.open(url);
  const garbage = fc.sample(
    fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 64 }),
      fc.json(),
      fc.record({
        type: fc.constantFrom("audio", "dtmf", "mark", "start", "message"),
        audio: fc.anything(),
      })
        .map((o) => JSON.stringify(o, (_k, v) => typeof v === "bigint" ? String(v) : v)),
    ),
    { numRuns: 3000, seed: 42 },
  );
  let sent = 0;
  for (const message of garbage) {
    if (typeof message === "string" && message.length === 0) continue;
    client.send(message as string | Uint8Array);
    sent++;
  }
  // Some random inputs happen to be valid frames and are echoed; the rest must be decode errors.
  const mark = '{"type":"mark","name":"still-here"}';
  client.send(mark);
  await client.next((data) => data === mark, { from: 0, timeoutMs: 10_000 });
  assert.ok(errors.length > sent / 2, `${errors.length} errors for ${sent} messages`);
  assert.ok(
    errors.every((e) => e.code === "decode" && !e.fatal),
    "every error is a non-fatal decode",
  );
  await client.close();
  await server.shutdown();
});

Deno.test("`upgrade` ends a session whose peer stops reading, with bounded buffering", async () => {
  const maxBufferedBytes = 64 * 1024;
  let transport!: WebSocketTransport;
  let maxBuffered = 0;
  const errors: TransportError[] = [];
  const { server } = serve({
    maxBufferedBytes,
    sendTimeoutMs: 300,
    sendAheadMs: 3_600_000, // send as fast as the socket takes it: fill the pipes quickly
    maxQueuedMs: 1_000,
    audioOut: { sampleRate: 48000, channels: 2, chunkMs: 100 },
  }, (t) => {
    transport = t;
    t.addEventListener("error", (e) => errors.push(e.error));
    const socket = t.socket;
    const writer = t.writable.getWriter();
    t.addEventListener("connected", async () => {
      const second = new Uint8Array(48000 * 4);
      for (let i = 0; i < 600 && socket.readyState === 1; i++) {
        await writer.write({ type: "audio", audio: second, sampleRate: 48000, channels: 2 });
        maxBuffered = Math.max(maxBuffered, socket.bufferedAmount ?? 0);
      }
      writer.releaseLock();
    }, { once: true });
  });
  // A raw TCP client: completes the handshake, then never reads another byte.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(new TextEncoder().encode(
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  const head = new Uint8Array(1024);
  const n = await conn.read(head);
  assert.match(new TextDecoder().decode(head.subarray(0, n ?? 0)), /^HTTP\/1.1 101/);
  const memoryBefore = Deno.memoryUsage().rss;
  const closed = await transport.closed;
  const memoryAfter = Deno.memoryUsage().rss;
  assert.equal(errors.find((e) => e.fatal)?.code, "backpressure");
  assert.equal(closed.code, 1008);
  assert.ok(
    maxBuffered <= maxBufferedBytes + 48000 * 4 * 0.1,
    `bufferedAmount reached ${maxBuffered}, over the bound plus one chunk`,
  );
  assert.ok(memoryAfter - memoryBefore < 64 * 1024 * 1024, "memory stays flat");
  conn.close();
  await server.shutdown();
});

Deno.test("an error reported while `upgrade` builds the session reaches the listener added after it returns", async () => {
  // Exotel cannot take 20 ms messages: given its wire rate, its serializer says so at set-up,
  // inside `upgrade()`, microtasks before the caller can add a listener.
  const { ExotelSerializer } = await import("../../src/serializers/exotel.ts");
  const heard = Promise.withResolvers<TransportError>();
  const { server, url } = serve(
    {
      serializer: () => new ExotelSerializer({ sampleRate: 8000 }),
      audioOut: { sampleRate: 8000, chunkMs: 20 },
    },
    (transport) => {
      transport.addEventListener("error", (e) => heard.resolve(e.error));
      void transport.readable.pipeTo(transport.writable);
    },
  );
  const client = await WsClient.open(url);
  const error = await within(heard.promise, 2000, "the set-up's error");
  assert.equal(error.code, "encode");
  assert.match(error.message, /chunkMs 20 makes 320-byte messages at 8000 Hz/);
  await client.close();
  await server.shutdown();
});

Deno.test("`upgrade` with a serializer function that throws: transport null, the session closed with 1011, the server serving", async () => {
  const logged: unknown[] = [];
  const log = console.error;
  console.error = (...args: unknown[]) => void logged.push(args[0]);
  let failing = true;
  const { server, url } = serve({
    serializer: () => {
      if (failing) throw new Error("no such provider");
      return new JsonSerializer();
    },
  });
  try {
    const client = await WsClient.open(url);
    const closed = await within(client.closed, 3000, "the close of a session that could not start");
    assert.equal(closed.code, 1011);
    assert.match(String(logged[0]), /the session could not start: Error: no such provider/);
    failing = false;
    const next = await WsClient.open(url);
    const message = '{"type":"message","message":{"still":"serving"}}';
    next.send(message);
    assert.equal(await next.next(), message);
    await next.close();
  } finally {
    console.error = log;
    await server.shutdown();
  }
});

Deno.test("`upgrade`: a caller who hangs up while `authorize` runs is refused at once, not upgraded, and holds nothing of the server", async () => {
  // Upgraded all the same, Deno kept such a connection for good: its socket stayed connecting
  // with no event, and `server.shutdown()` waited on it until the process ended.
  const asked = Promise.withResolvers<void>();
  const answer = Promise.withResolvers<boolean>(); // a token lookup that answers only later
  const answers: Promise<UpgradeResult>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const answered = upgrade(request, {
      authorize: () => (asked.resolve(), answer.promise),
    });
    answers.push(answered);
    return answered.then(({ response }) => response);
  });
  try {
    const conn = await sendRawUpgrade(server.addr.port);
    await within(asked.promise, 3000, "the call to authorize");
    conn.close(); // the caller hangs up during authorize
    const { transport, response } = await within(answers[0]!, 3000, "the upgrade's answer");
    assert.equal(transport, null, "no session for a caller gone");
    assert.equal(response.status, 400); // returned to Deno, which has no one to send it to
  } finally {
    answer.resolve(true); // the lookup's late yes lets in no one
    await within(server.shutdown(), 3000, "the server's shutdown: no connection held");
  }
  assert.equal(answers.length, 1);
});
