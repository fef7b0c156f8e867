import assert from "node:assert/strict";
import { createDemoHandler, type DemoHandlerOptions } from "../../examples/demo/handler.ts";
import { demoOrigins, parseOrigins } from "../../examples/demo/origins.ts";
import { within, WsClient } from "../_ws_client.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketTransport } from "../../mod.ts";
import { rawStatus, UPGRADE_HEADERS } from "./_http.ts";
import { upgradeRequest } from "../adapters/_upgrade_request.ts";

/** `count` bytes of PCM16 whose samples count up from `first`: every byte says where it was. */
function numberedPcm(first: number, count: number): Uint8Array {
  const samples = new Int16Array(count / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = (first + i) & 0x7fff;
  return new Uint8Array(samples.buffer);
}

/** The demo on 127.0.0.1 port 0, serving the origins of the address it got. */
async function withServer(
  fn: (base: string) => Promise<void>,
  options: DemoHandlerOptions = {},
): Promise<void> {
  let handler = createDemoHandler(options);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => handler(request),
  );
  handler = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port), ...options });
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
    const scripts = [
      "app.js",
      "audio_io.js",
      "echo_line.js",
      "event_log.js",
      "g711.js",
      "metrics_panel.js",
      "phone_line.js",
      "playback_ledger.js",
      "server_view.js",
      "timeline.js",
      "view_display.js",
      "wideband_line.js",
      "mic-worklet.js",
      "player-worklet.js",
    ];
    const types: Record<string, string> = {
      ...Object.fromEntries(scripts.map((name) => [name, "text/javascript; charset=utf-8"])),
      "style.css": "text/css; charset=utf-8",
      "favicon.svg": "image/svg+xml",
    };
    // Every module the page imports is served (a missing one would only show in a browser).
    for (const name of scripts) {
      const source = await (await fetch(`http://${base}/${name}`)).text();
      for (const [, imported] of source.matchAll(/from "\.\/([^"]+)"/g)) {
        assert.ok(scripts.includes(imported!), `${name} imports ${imported}, which is not served`);
      }
    }
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
    upgradeRequest({
      url: "http://127.0.0.1:8000/ws",
      headers: { origin: "https://evil.example" },
    }),
  );
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
});

Deno.test("demo's parrot lines and `/view` refuse bad queries (400), plain GETs (426), other methods and foreign origins", async () => {
  await withServer(async (base) => {
    const refusals: [string, number, RegExp][] = [
      ["/wideband?session=short", 400, /session must be 8 to 64/],
      ["/wideband?session=has%20space%20in%20it", 400, /session must be/],
      ["/wideband?playout_delay_ms=1001", 400, /playout_delay_ms must be .* 0 to 1000/],
      ["/wideband?playout_delay_ms=-5", 400, /playout_delay_ms/],
      ["/wideband?playout_delay_ms=1&playout_delay_ms=2", 400, /given once/],
      ["/wideband?delay_ms=5", 400, /Unknown query parameter "delay_ms" for \/wideband/],
      ["/phone?session=abcdefgh-1234", 400, /start\.customParameters/],
      ["/view", 400, /one parameter, session/],
      ["/view?session=short", 400, /8 to 64/],
      ["/view?session=abcdefgh-1234&x=1", 400, /one parameter/],
    ];
    for (const [path, status, text] of refusals) {
      const response = await fetch(`http://${base}${path}`, { headers: { upgrade: "websocket" } });
      assert.equal(response.status, status, path);
      assert.match(await response.text(), text, path);
    }
    for (const path of ["/wideband", "/phone", "/wideband?session=abcdefgh-1234"]) {
      const plain = await fetch(`http://${base}${path}`);
      assert.equal(plain.status, 426, path);
      await plain.body?.cancel();
    }
    const post = await fetch(`http://${base}/view?session=abcdefgh-1234`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    const port = Number(base.split(":")[1]);
    for (const path of ["/wideband", "/phone", "/view?session=abcdefgh-1234"]) {
      assert.equal(
        await rawStatus(port, {
          path,
          headers: { host: base, origin: "https://evil.example", ...UPGRADE_HEADERS },
        }),
        403,
        path,
      );
    }
  });
});

Deno.test("demo refuses a foreign Host on the page and on its sockets (DNS rebinding); its own names pass", async () => {
  await withServer(async (base) => {
    const port = Number(base.split(":")[1]);
    const evil = `evil.example:${port}`;
    assert.equal(await rawStatus(port, { path: "/", headers: { host: evil } }), 403);
    for (const path of ["/ws", "/wideband", "/phone", "/view?session=abcdefgh-1234"]) {
      assert.equal(
        await rawStatus(port, {
          path,
          headers: { host: evil, origin: `http://${evil}`, ...UPGRADE_HEADERS },
        }),
        403,
        path,
      );
    }
    // Same port, another name that is not a loopback one.
    assert.equal(await rawStatus(port, { path: "/", headers: { host: `10.0.0.1:${port}` } }), 403);
    // The configured address and its loopback names: the page loads and `/ws` upgrades.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      assert.equal(await rawStatus(port, { path: "/", headers: { host } }), 200, host);
      for (const path of ["/ws", "/wideband", "/phone"]) {
        assert.equal(
          await rawStatus(port, {
            path,
            headers: { host, origin: `http://${host}`, ...UPGRADE_HEADERS },
          }),
          101,
          `${host}${path}`,
        );
      }
    }
    // The right Host does not make a foreign page's origin acceptable.
    assert.equal(
      await rawStatus(port, {
        path: "/ws",
        headers: {
          host: `127.0.0.1:${port}`,
          origin: `http://${evil}`,
          ...UPGRADE_HEADERS,
        },
      }),
      403,
    );
  });
});

Deno.test("demo without configured origins serves the loopback names on the port it is reached at, and no other name", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler(),
  );
  try {
    const port = server.addr.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      assert.equal(await rawStatus(port, { path: "/", headers: { host } }), 200, host);
      assert.equal(
        await rawStatus(port, {
          path: "/phone",
          headers: { host, origin: `http://${host}`, ...UPGRADE_HEADERS },
        }),
        101,
        host,
      );
    }
    for (const host of [`evil.example:${port}`, `127.0.0.2:${port}`, "localhost.evil.example"]) {
      assert.equal(await rawStatus(port, { path: "/", headers: { host } }), 403, host);
    }
    // A loopback name on port 0, where nothing listens: refused as well, not a crash (500).
    assert.equal(await rawStatus(port, { path: "/", headers: { host: "127.0.0.1:0" } }), 403);
    // The Host is right, but a page from another port is another origin.
    assert.equal(
      await rawStatus(port, {
        path: "/wideband",
        headers: { host: `127.0.0.1:${port}`, origin: "http://127.0.0.1:1", ...UPGRADE_HEADERS },
      }),
      403,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("demo `/ws` echoes audio byte for byte, in order, as 640-byte packets paced in real time", async () => {
  await withServer(async (base) => {
    const client = await WsClient.open(`ws://${base}/ws`);
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
    await client.waitFor(() => client.binaryBytes.length >= total);

    assert.deepEqual(client.binaryBytes, numberedPcm(0, total));
    assert.deepEqual(
      new Set(client.binaries.map((b) => b.length)),
      new Set([640]),
    );
    const last = client.received.findLast((r) => typeof r.data !== "string")!.at - start;
    // 50 chunks of 20 ms, each leaving one chunk ahead of its time: the last at ≈ 49 × 20 − 20.
    assert.ok(last >= 900 && last < 1500, `last packet after ${last.toFixed(0)} ms`);
    await client.close(1000);
  });
});

Deno.test("demo `/ws` sends JSON back as messages and stops queued audio on interrupt", async () => {
  await withServer(async (base) => {
    const client = await WsClient.open(`ws://${base}/ws`);
    client.send('{"type":"ping","t":12.5}');
    client.send('{"hello":["world"]}');
    await client.waitFor(() => client.texts.length === 2);
    assert.deepEqual(client.texts.map((t) => JSON.parse(t)), [
      { type: "ping", t: 12.5 },
      { hello: ["world"] },
    ]);

    // Two seconds at once; interrupt once a few packets are back.
    client.send(numberedPcm(0, 64000));
    await client.waitFor(() => client.binaries.length >= 3);
    client.send('{"type":"interrupt"}');
    const marker = new Uint8Array(640).fill(0x7f);
    client.send(marker);
    await client.waitFor(() => client.binaries.some((b) => b[0] === 0x7f));
    const markerAt = client.binaries.findIndex((b) => b[0] === 0x7f);
    // Before the marker: a few packets of the burst, far from its 100; after it: nothing stale.
    assert.ok(markerAt < 20, `${markerAt} packets of the burst came back before the marker`);
    assert.equal(client.binaries.length, markerAt + 1);
    assert.equal(client.texts.length, 2, "the interrupt is not echoed");
    await client.close(1000);
  });
});

Deno.test("demo `/ws?delay_ms=N` delays the echo in order and still interrupts at once", async () => {
  await withServer(async (base) => {
    const client = await WsClient.open(`ws://${base}/ws?delay_ms=300`);
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
    await client.close(1000);
  });
});

Deno.test("demo logs one line per session when it ends", async () => {
  const logged = Promise.withResolvers<string>();
  await withServer(async (base) => {
    const client = await WsClient.open(`ws://${base}/ws`);
    client.send(numberedPcm(0, 640));
    await client.waitFor(() => client.binaries.length === 1);
    await client.close(1000);
    const line = await logged.promise;
    assert.match(line, /^session 1 ended \(1000, remote\): 1 audio frames and 0 messages in/);
  }, { log: (line) => logged.resolve(line) });
});

Deno.test("demo `/ws` log line counts the audio its echo dropped: past the delay line's bound, and waiting at the end", async () => {
  // On a clock that stands still the transport takes its lead and holds the echo back: the rest
  // of 7 s sent at once waits in the echo's delay line, 5 s of it at most (its bound).
  const clock = new FakeClock();
  const logged = Promise.withResolvers<string>();
  let transport: WebSocketTransport | undefined;
  await withServer(async (base) => {
    const client = await WsClient.open(`ws://${base}/ws`);
    for (let i = 0; i < 350; i++) client.send(numberedPcm(i * 320, 640));
    // The close comes after them: the echo reads them all before its readable ends.
    await client.close(1000);
    const line = await within(logged.promise, 5000, "the session's log line");
    assert.match(line, /: 350 audio frames and 0 messages in, /);
    const dropped = Number(/, (\d+) audio frames dropped by the echo,/.exec(line)?.[1]);
    // Every frame went to the transport (sent, or dropped there at the close) or was dropped here.
    const { audioBytesSent, audioBytesDroppedOnClose } = transport!.stats;
    assert.equal(dropped + (audioBytesSent + audioBytesDroppedOnClose) / 640, 350, line);
  }, {
    clock,
    log: (line) => logged.resolve(line),
    onSession: (session) => transport = session,
  });
});

/** A port no one listens on right now: bound on 0, read, released. */
function freePort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Runs `npm start` (the README's command) with `env`, waits for its first line, hands it to `fn`,
 * then stops it. It runs in a process group of its own (`setsid`) and the whole group gets the
 * SIGTERM: npm → its shell → `deno run` are processes of their own, and a signal to npm alone
 * can leave the server running.
 */
async function withNpmStart(
  env: Record<string, string>,
  fn: (line: string) => Promise<void>,
): Promise<void> {
  const child = new Deno.Command("setsid", {
    args: ["npm", "start", "--silent"],
    cwd: new URL("../../", import.meta.url),
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    const first = within(
      (async () => {
        while (!text.includes("\n")) {
          const { value, done } = await lines.read();
          if (done) throw new Error(`npm start ended before saying where it listens: ${text}`);
          text += value;
        }
        return text.slice(0, text.indexOf("\n"));
      })(),
      20000,
      "line from npm start",
    );
    await fn(await first);
  } finally {
    // setsid made npm the leader of a new group: its pid is the group id.
    Deno.kill(-child.pid, "SIGTERM");
    await child.status;
    await lines.cancel();
  }
}

Deno.test("`npm start` listens on PORT and HOST (127.0.0.1 by default) and serves only that host and ORIGINS", async () => {
  const port = freePort("127.0.0.1");
  await withNpmStart({ PORT: String(port) }, async (line) => {
    assert.equal(line, `Barge-in demo on http://127.0.0.1:${port}/ (click Talk)`);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    assert.equal(
      await rawStatus(port, { path: "/", headers: { host: `evil.example:${port}` } }),
      403,
    );
    // 127.0.0.2 is loopback too, but not the address the default HOST binds.
    await assert.rejects(fetch(`http://127.0.0.2:${port}/`), TypeError);
  });
  const other = freePort("127.0.0.2");
  const env = { PORT: String(other), HOST: "127.0.0.2", ORIGINS: "https://demo.example" };
  await withNpmStart(env, async (line) => {
    assert.equal(line, `Barge-in demo on http://127.0.0.2:${other}/ (click Talk)`);
    const page = await fetch(`http://127.0.0.2:${other}/`);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    await assert.rejects(fetch(`http://127.0.0.1:${other}/`), TypeError);
    // ORIGINS adds a name (a proxy's), and nothing else.
    const proxied = { host: "demo.example", origin: "https://demo.example" };
    const at = (headers: Record<string, string>) =>
      rawStatus(other, { hostname: "127.0.0.2", path: "/", headers });
    assert.equal(await at(proxied), 200);
    assert.equal(await at({ host: "evil.example" }), 403);
  });
});

Deno.test("demo's ORIGINS: each an origin as browsers send it; one without a scheme is named, not a crash", () => {
  assert.deepEqual(parseOrigins(" https://Demo.Example:443 , http://b.example:8080 "), [
    "https://demo.example",
    "http://b.example:8080",
  ]);
  assert.deepEqual(parseOrigins(""), []);
  assert.throws(() => parseOrigins("https://ok.example,demo.example"), /"demo\.example"/);
  assert.throws(() => parseOrigins("file:///tmp/x"), RangeError);
});

Deno.test("`npm start` on a PORT in use, or a HOST that is no address here, names the setting and fails, no stack trace", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const start = async (env: Record<string, string>) => {
    const { code, stderr } = await new Deno.Command("npm", {
      args: ["start", "--silent"],
      cwd: new URL("../../", import.meta.url),
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    return { code, text: new TextDecoder().decode(stderr) };
  };
  try {
    const busy = await within(start({ PORT: String(port) }), 20000, "npm start on a busy port");
    assert.match(busy.text, new RegExp(`Cannot listen on HOST="127\\.0\\.0\\.1" PORT=${port}: `));
    assert.doesNotMatch(busy.text, /Uncaught/);
    assert.notEqual(busy.code, 0);
    // `.invalid` never resolves (RFC 2606 §2).
    const unknown = await within(
      start({ HOST: "demo.invalid", PORT: "0" }),
      20000,
      "npm start on an unknown host",
    );
    assert.match(unknown.text, /Cannot listen on HOST="demo\.invalid" PORT=0: /);
    assert.doesNotMatch(unknown.text, /Uncaught/);
    assert.notEqual(unknown.code, 0);
  } finally {
    taken.close();
  }
});
