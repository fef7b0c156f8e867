// `upgradeHandler` lowers `ws`'s `maxPayload` to `maxMessageBytes` for its sockets, so that `ws`
// refuses a larger message from its frame header instead of reading it whole (up to its own 100 MiB
// default) before the transport's check refuses it. `ws` reads the setting as it completes the
// upgrade, which a server's asynchronous `verifyClient` defers to its callback: the limit must hold
// there too, and the server's own settings must be left as they were for every other upgrade.
// Node's `http` and the `ws` library run in Deno here, on a real socket on 127.0.0.1 port 0.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket as WsClient, WebSocketServer } from "ws";
import { escaping } from "../_escaping.ts";
import { upgradeHandler } from "../../src/adapters/node.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

type Verify = ((info: unknown) => boolean) | ((info: unknown, done: (ok: boolean) => void) => void);

/** Serves `upgradeHandler` with `maxMessageBytes: 1000` on `wss`; says what each session heard. */
async function serve(wss: WebSocketServer) {
  const errors: string[] = [];
  const onSession = (transport: WebSocketTransport) => {
    transport.addEventListener("error", (event) => errors.push(event.error.message));
    transport.readable.pipeTo(transport.writable).catch(() => {});
  };
  const server = createServer();
  server.on("upgrade", upgradeHandler(wss as never, onSession, { maxMessageBytes: 1000 }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise((resolve) => server.close(resolve));
  return { port, errors, close };
}

/** Sends one message of `size` bytes; resolves with the close code once the server closed. */
async function sendOne(port: number, size: number): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
  ws.send(new Uint8Array(size));
  const timer = setTimeout(() => ws.close(), 5000); // bound: a server that never closes fails below
  const { code } = await closed;
  clearTimeout(timer);
  return code;
}

const verifiers: [string, Verify][] = [
  ["no verifyClient", () => true],
  ["a verifyClient that answers at once", (_info: unknown) => true],
  [
    "an asynchronous verifyClient (answers a turn later)",
    (_info: unknown, done: (ok: boolean) => void) => void setTimeout(() => done(true), 5),
  ],
];

for (const [name, verifyClient] of verifiers) {
  Deno.test(`\`upgradeHandler\` with ${name}: ws refuses a message over maxMessageBytes from its header, and the server's settings stay its own`, async () => {
    const wss = new WebSocketServer(
      name === "no verifyClient" ? { noServer: true } : { noServer: true, verifyClient } as never,
    );
    const own = { maxPayload: wss.options.maxPayload, verifyClient: wss.options.verifyClient };
    const { port, errors, close } = await serve(wss);
    try {
      assert.equal(await sendOne(port, 5000), 1009);
      // ws's own refusal (from the frame header), not the transport's check of a message ws read.
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0] ?? "", /ws refused it/);
      assert.equal(wss.options.maxPayload, own.maxPayload);
      assert.equal(wss.options.verifyClient, own.verifyClient);
    } finally {
      await close();
      wss.close();
    }
  });
}

Deno.test("`upgradeHandler` with an asynchronous verifyClient: a server's own lower maxPayload stays the limit, and two upgrades waiting in it together each get it", async () => {
  // Both handshakes wait in verifyClient at once, then are let through one by one.
  const waiting: (() => void)[] = [];
  let bothWaiting!: () => void;
  const twoWaiting = new Promise<void>((resolve) => (bothWaiting = resolve));
  const verifyClient = (_info: unknown, done: (ok: boolean) => void) => {
    waiting.push(() => done(true));
    if (waiting.length === 2) bothWaiting();
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 500, verifyClient } as never);
  const { port, errors, close } = await serve(wss);
  try {
    const refused = sendOne(port, 700); // over the server's 500, under maxMessageBytes' 1000
    const echoing = new WebSocket(`ws://127.0.0.1:${port}`);
    echoing.binaryType = "arraybuffer";
    const opened = new Promise((resolve) => (echoing.onopen = resolve));
    await twoWaiting;
    for (const letThrough of waiting) letThrough();
    assert.equal(await refused, 1009);
    await opened;
    const echo = new Promise<MessageEvent>((resolve) => (echoing.onmessage = resolve));
    echoing.send(new Uint8Array(300));
    assert.equal(((await echo).data as ArrayBuffer).byteLength, 300);
    const closed = new Promise((resolve) => (echoing.onclose = resolve));
    echoing.close();
    await closed;
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0] ?? "", /ws refused it/);
    assert.equal(wss.options.maxPayload, 500);
    assert.equal(wss.options.verifyClient, verifyClient);
  } finally {
    await close();
    wss.close();
  }
});

Deno.test("`upgradeHandler` with a verifyClient that throws: that request gets 500, logged, and the server goes on", async () => {
  let throwing = true;
  const verifyClient = () => {
    if (throwing) throw new Error("a bug in verifyClient");
    return true;
  };
  const wss = new WebSocketServer({ noServer: true, verifyClient } as never);
  const { port, close } = await serve(wss);
  const logged: unknown[] = [];
  const log = console.error;
  console.error = (...args: unknown[]) => void logged.push(...args);
  try {
    const escaped = await escaping(async () => {
      const refused = await connectStatus(port);
      assert.equal(refused, "failed: Unexpected server response: 500");
    });
    assert.deepEqual(escaped, []);
    assert.match(String(logged[0]), /a bug in verifyClient/);
    throwing = false;
    assert.equal(await sendOne(port, 5000), 1009, "the next request is served");
  } finally {
    console.error = log;
    await close();
    wss.close();
  }
});

/** What a `ws` client gets from the server: "open", why it failed, or no answer in 3 s. */
async function connectStatus(port: number): Promise<string> {
  const ws = new WsClient(`ws://127.0.0.1:${port}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await new Promise<string>((resolve) => {
    ws.once("open", () => resolve("open"));
    ws.once("error", (error: Error) => resolve(`failed: ${error.message}`));
    timer = setTimeout(() => resolve("no answer in 3 s"), 3000);
  });
  clearTimeout(timer);
  ws.terminate();
  return outcome;
}
