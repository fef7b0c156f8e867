import assert from "node:assert/strict";
import { admit } from "../../src/adapters/_admission.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { upgradeHandler } from "../../src/adapters/node.ts";
import { voiceSession } from "../../src/adapters/hono.ts";

const UPGRADE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

function request(headers: Record<string, string> = UPGRADE, method = "GET"): Request {
  return new Request("http://127.0.0.1/ws", { method, headers });
}

Deno.test("`admit` throws the transport's RangeError for a bad option before anything else", async () => {
  await assert.rejects(admit(request(), { maxMessageBytes: 0 }), RangeError);
  await assert.rejects(admit(request({}), { audioOut: { chunkMs: -1 } }), /audioOut.chunkMs/);
});

Deno.test("`admit` lets a sound upgrade through and refuses the rest, each with its status", async () => {
  assert.equal(await admit(request(), {}), null);
  const statuses = async (...cases: [Request, Parameters<typeof admit>[1]][]) => {
    const out = [];
    for (const [r, options] of cases) out.push((await admit(r, options))?.status ?? 101);
    return out;
  };
  const { "sec-websocket-key": _key, ...noKey } = UPGRADE;
  assert.deepEqual(
    await statuses(
      [request({}), {}],
      [request(UPGRADE, "POST"), {}],
      [request(noKey), {}],
      [request({ ...UPGRADE, origin: "https://evil.example" }), { allowedOrigins: ["https://a"] }],
      [request({ ...UPGRADE, origin: "https://a" }), { allowedOrigins: ["https://a"] }],
      [request(), { authorize: () => false }],
      [request(), { authorize: () => new Response(null, { status: 418 }) }],
      [request(), {
        authorize: () => {
          throw new Error("a hook that throws has not said yes");
        },
      }],
      [request(), { authorize: () => Promise.resolve(true) }],
    ),
    [426, 405, 400, 403, 101, 401, 418, 401, 101],
  );
});

Deno.test("`admit` refuses a malformed key (400) and a version other than 13 (426, naming 13), as RFC 6455 4.2.1 and 4.2.2 ask", async () => {
  const { "sec-websocket-version": _version, ...noVersion } = UPGRADE;
  const cases: [Record<string, string>, number][] = [
    [{ ...UPGRADE, "sec-websocket-key": "nope" }, 400],
    [{ ...UPGRADE, "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ" }, 400], // 16 bytes, unpadded
    [{ ...UPGRADE, "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==AA" }, 400],
    [noVersion, 426],
    [{ ...UPGRADE, "sec-websocket-version": "8" }, 426],
    [{ ...UPGRADE, "sec-websocket-version": "13, 8" }, 426],
    [UPGRADE, 101],
  ];
  for (const [headers, status] of cases) {
    const refusal = await admit(request(headers), {});
    assert.equal(refusal?.status ?? 101, status, JSON.stringify(headers));
    if (status === 426) {
      assert.equal(refusal?.headers.get("sec-websocket-version"), "13");
      assert.equal(
        refusal?.headers.get("upgrade"),
        "websocket",
        "every 426 says (RFC 9110 15.5.22)",
      );
    }
  }
});

Deno.test("`admit` bounds an `authorize` that never settles: 503 after authorizeTimeoutMs, no timer left", async () => {
  const clock = new FakeClock();
  const never = () => new Promise<boolean>(() => {});
  const answers: (Response | null)[] = [];
  void admit(request(), { authorize: never, authorizeTimeoutMs: 3000, clock }).then((r) => {
    answers.push(r);
  });
  await clock.tick(2999);
  assert.equal(answers.length, 0, "still waiting for the verdict");
  await clock.tick(1);
  assert.equal(answers[0]?.status, 503);
  assert.match(await answers[0]!.text(), /did not finish in time/);
  // One that answers in time leaves no timer behind.
  let slowVerdict!: (yes: boolean) => void;
  const slow = () => new Promise<boolean>((resolve) => (slowVerdict = resolve));
  const admitted = admit(request(), { authorize: slow, clock });
  await clock.tick(5000);
  slowVerdict(true);
  assert.equal(await admitted, null);
  assert.equal(clock.pendingTimers, 0);
  await assert.rejects(admit(request(), { authorizeTimeoutMs: -1 }), /authorizeTimeoutMs/);
});

Deno.test("`authorizeTimeoutMs`: a bound past what a timer can wait is that longest wait; a thenable is bounded too", async () => {
  // On the system clock, 30 days as a timer's delay would fire at once (it is over 2³¹ − 1 ms).
  const slowYes = async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return true;
  };
  const month = 30 * 24 * 3600_000;
  assert.equal(await admit(request(), { authorize: slowYes, authorizeTimeoutMs: month }), null);
  const clock = new FakeClock();
  const thenable = () => ({ then: () => {} }) as unknown as Promise<boolean>; // never answers
  const answers: (Response | null)[] = [];
  void admit(request(), { authorize: thenable, authorizeTimeoutMs: 1000, clock }).then((r) => {
    answers.push(r);
  });
  await clock.tick(1000);
  assert.equal(answers[0]?.status, 503);
});

Deno.test("a bad `authorizeTimeoutMs` throws where a Node or Hono handler is made, not at each request", () => {
  for (const authorizeTimeoutMs of [-1, Number.NaN, Infinity]) {
    assert.throws(
      () => upgradeHandler({} as never, () => {}, { authorizeTimeoutMs }),
      (e) => e instanceof RangeError && /authorizeTimeoutMs/.test(e.message),
    );
    const upgradeWebSocket = (() => () => Promise.resolve(undefined)) as never;
    assert.throws(
      () => voiceSession(upgradeWebSocket, () => {}, { authorizeTimeoutMs }),
      (e) => e instanceof RangeError && /authorizeTimeoutMs/.test(e.message),
    );
  }
});

Deno.test("`allowedOrigins` given as one string, or `authorize` that is no function, is refused with a TypeError naming it, everywhere", async () => {
  // A string's `includes` matched any part of it: "https://voice.acme.co" was let in.
  const one = { allowedOrigins: "https://voice.acme.com" as unknown as string[] };
  const foreign = request({ ...UPGRADE, origin: "https://voice.acme.co" });
  await assert.rejects(admit(foreign, one), /^TypeError: allowedOrigins must be an array/);
  assert.throws(() => upgradeHandler({} as never, () => {}, one), /allowedOrigins/);
  const yes = { authorize: true as unknown as () => boolean };
  assert.throws(() => upgradeHandler({} as never, () => {}, yes), /authorize must be a function/);
  assert.throws(() => voiceSession((() => {}) as never, () => {}, yes), /authorize/);
});

Deno.test("`admit` logs what an `authorize` that throws threw (the client gets a bare 401)", async () => {
  const logged: unknown[][] = [];
  const saved = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const refusal = await admit(request(), {
      authorize: () => {
        throw new Error("db is down");
      },
    });
    assert.equal(refusal?.status, 401);
    assert.equal(await refusal?.text(), "Unauthorized");
    assert.match(String(logged[0]?.[1]), /db is down/);
  } finally {
    console.error = saved;
  }
});

// A browser's `Origin` is scheme, host and a port other than the scheme's default, with no path
// ("Origin: <scheme>://<hostname>:<port>", the port "Optional": MDN, HTTP headers, Origin; the
// ASCII serialization of an origin, RFC 6454 6.2, lower-cases scheme and host). An entry written
// otherwise could never equal one: every browser was refused with 403, and nothing said why.
Deno.test("an http(s) `allowedOrigins` entry no browser's Origin can equal is refused with a RangeError naming the origin meant, everywhere", async () => {
  const meant = "https://app.example.com";
  for (const entry of [`${meant}/`, `${meant}/voice`, "https://App.example.com", `${meant}:443`]) {
    const options = { allowedOrigins: [entry] };
    const browser = request({ ...UPGRADE, origin: meant });
    const named = new RegExp(`^RangeError: allowedOrigins entry "${entry}".*"${meant}"`);
    await assert.rejects(admit(browser, options), named, entry);
    assert.throws(() => upgradeHandler({} as never, () => {}, options), named, entry);
    assert.throws(() => voiceSession((() => {}) as never, () => {}, options), named, entry);
  }
  // What a browser does send is taken: `null` (an opaque origin), another scheme, a port.
  const sent = ["null", "chrome-extension://abcdefghijklmnop", "http://127.0.0.1:8000", meant];
  for (const origin of sent) {
    assert.equal(await admit(request({ ...UPGRADE, origin }), { allowedOrigins: sent }), null);
  }
});
