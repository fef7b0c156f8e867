import assert from "node:assert/strict";
import { createDemoHandler, type DemoHandlerOptions } from "../../examples/demo/handler.ts";

interface Received {
  data: string | Uint8Array;
  at: number;
}

/** A plain WebSocket client that records what arrives and when. */
class Client {
  readonly received: Received[] = [];
  readonly #ws: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      const data = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
      this.received.push({ data, at: performance.now() });
      for (const wake of this.#waiters) wake();
    };
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`could not open ${url}`));
    });
    return new Client(ws);
  }

  send(data: string | Uint8Array): void {
    this.#ws.send(data as string | Uint8Array<ArrayBuffer>);
  }

  get audio(): Received[] {
    return this.received.filter((r) => typeof r.data !== "string");
  }

  get texts(): string[] {
    return this.received.flatMap((r) => typeof r.data === "string" ? [r.data] : []);
  }

  get audioBytes(): Uint8Array {
    const parts = this.audio.map((r) => r.data as Uint8Array);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  /** Resolves when `done()` holds after a message; rejects after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs = 3000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms; received ${this.received.length}`));
      }, timeoutMs);
      this.#waiters.push(check);
    });
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => (this.#ws.onclose = resolve));
    this.#ws.close(1000);
    await closed;
  }
}

/** `count` bytes of PCM16 whose samples count up from `first`: every byte says where it was. */
function numberedPcm(first: number, count: number): Uint8Array {
  const samples = new Int16Array(count / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = (first + i) & 0x7fff;
  return new Uint8Array(samples.buffer);
}

async function withServer(
  fn: (base: string) => Promise<void>,
  options: DemoHandlerOptions = {},
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

Deno.test("demo serves the page and its files with their content types, nothing else", async () => {
  await withServer(async (base) => {
    const page = await fetch(`http://${base}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await page.text();
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "no external resources");
    const linked = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(linked.sort(), ["app.js", "favicon.svg", "style.css"]);
    const types: Record<string, string> = {
      "app.js": "text/javascript; charset=utf-8",
      "mic-worklet.js": "text/javascript; charset=utf-8",
      "player-worklet.js": "text/javascript; charset=utf-8",
      "style.css": "text/css; charset=utf-8",
      "favicon.svg": "image/svg+xml",
    };
    for (const [name, type] of Object.entries(types)) {
      const response = await fetch(`http://${base}/${name}`);
      assert.equal(response.status, 200, name);
      assert.equal(response.headers.get("content-type"), type, name);
      assert.ok((await response.bytes()).length > 0, name);
    }
    for (const path of ["/nope", "/public/app.js", "/../handler.ts", "/handler.ts"]) {
      const response = await fetch(`http://${base}${path}`);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    const post = await fetch(`http://${base}/`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });
});

Deno.test("demo `/ws` refuses a bad query (400), a plain GET (426) and a foreign origin (403)", async () => {
  await withServer(async (base) => {
    for (
      const query of [
        "delay_ms=abc",
        "delay_ms=-1",
        "delay_ms=1.5",
        "delay_ms=10001",
        "delay_ms=",
        "delay_ms=1&delay_ms=2",
        "delay=100",
      ]
    ) {
      const response = await fetch(`http://${base}/ws?${query}`, {
        headers: { upgrade: "websocket" },
      });
      assert.equal(response.status, 400, query);
      await response.body?.cancel();
    }
    const plain = await fetch(`http://${base}/ws`);
    assert.equal(plain.status, 426);
    await plain.body?.cancel();
  });
  // Refused before any upgrade, so the handler can be called directly.
  const handler = createDemoHandler();
  const foreign = await handler(
    new Request("http://127.0.0.1:8000/ws", {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
        origin: "https://evil.example",
      },
    }),
  );
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
});

Deno.test("demo `/ws` echoes audio byte for byte, in order, as 640-byte packets paced in real time", async () => {
  await withServer(async (base) => {
    const client = await Client.open(`ws://${base}/ws`);
    // One second of audio in odd sizes, all at once: it must come back re-cut and spread out.
    const sizes = [1000, 280, 640, 2, 1278, 3200, 25600];
    const sent: Uint8Array[] = [];
    let sample = 0;
    for (const size of sizes) {
      const bytes = numberedPcm(sample, size);
      sample += size / 2;
      sent.push(bytes);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.equal(total, 32000);
    const start = performance.now();
    for (const bytes of sent) client.send(bytes);
    await client.waitFor(() => client.audioBytes.length >= total);

    assert.deepEqual(client.audioBytes, numberedPcm(0, total));
    assert.deepEqual(
      new Set(client.audio.map((r) => (r.data as Uint8Array).length)),
      new Set([640]),
    );
    const last = client.audio.at(-1)!.at - start;
    // 50 chunks of 20 ms, each leaving one chunk ahead of its time: the last at ≈ 49 × 20 − 20.
    assert.ok(last >= 900 && last < 1500, `last packet after ${last.toFixed(0)} ms`);
    await client.close();
  });
});

Deno.test("demo `/ws` sends JSON back as messages and stops queued audio on interrupt", async () => {
  await withServer(async (base) => {
    const client = await Client.open(`ws://${base}/ws`);
    client.send('{"type":"ping","t":12.5}');
    client.send('{"hello":["world"]}');
    await client.waitFor(() => client.texts.length === 2);
    assert.deepEqual(client.texts.map((t) => JSON.parse(t)), [
      { type: "ping", t: 12.5 },
      { hello: ["world"] },
    ]);

    // Two seconds at once; interrupt once a few packets are back.
    client.send(numberedPcm(0, 64000));
    await client.waitFor(() => client.audio.length >= 3);
    client.send('{"type":"interrupt"}');
    const marker = new Uint8Array(640).fill(0x7f);
    client.send(marker);
    await client.waitFor(() => client.audio.some((r) => (r.data as Uint8Array)[0] === 0x7f));
    const markerAt = client.audio.findIndex((r) => (r.data as Uint8Array)[0] === 0x7f);
    // Before the marker: a few packets of the burst, far from its 100; after it: nothing stale.
    assert.ok(markerAt < 20, `${markerAt} packets of the burst came back before the marker`);
    assert.equal(client.audio.length, markerAt + 1);
    assert.equal(client.texts.length, 2, "the interrupt is not echoed");
    await client.close();
  });
});

Deno.test("demo `/ws?delay_ms=N` delays the echo in order and still interrupts at once", async () => {
  await withServer(async (base) => {
    const client = await Client.open(`ws://${base}/ws?delay_ms=300`);
    const start = performance.now();
    client.send(numberedPcm(0, 640));
    client.send('{"type":"ping","t":1}');
    await client.waitFor(() => client.received.length === 2);
    assert.deepEqual(client.received.map((r) => typeof r.data), ["object", "string"]);
    const first = client.received[0]!.at - start;
    assert.ok(first >= 295 && first < 600, `first echo after ${first.toFixed(0)} ms`);

    // Audio waiting in the delay line is dropped by an interrupt; a ping sent before it is not.
    const before = performance.now();
    client.send(numberedPcm(0, 6400));
    client.send('{"type":"ping","t":2}');
    client.send('{"type":"interrupt"}');
    client.send(new Uint8Array(640).fill(0x7f));
    await client.waitFor(() => client.received.length === 4);
    const [ping, marker] = client.received.slice(2);
    assert.equal(ping!.data, '{"type":"ping","t":2}');
    assert.deepEqual(marker!.data, new Uint8Array(640).fill(0x7f));
    assert.ok(marker!.at - before >= 295, "the marker is delayed too");
    await client.close();
  });
});

Deno.test("demo logs one line per session when it ends", async () => {
  const logged = Promise.withResolvers<string>();
  await withServer(async (base) => {
    const client = await Client.open(`ws://${base}/ws`);
    client.send(numberedPcm(0, 640));
    await client.waitFor(() => client.audio.length === 1);
    await client.close();
    const line = await logged.promise;
    assert.match(line, /^session 1 ended \(1000, remote\): 1 audio frames and 0 messages in/);
  }, { log: (line) => logged.resolve(line) });
});
