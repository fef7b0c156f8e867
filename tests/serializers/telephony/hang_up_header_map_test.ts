// A hang-up request's headers given as a `Map` (an `Iterable` of pairs, which `Headers`, and so
// `fetch`, take as they take a list of pairs; from untyped JavaScript, a common slip) escaped the
// check for a value no HTTP header may carry (a line break or NUL: RFC 9110 §5.5): read as a
// record it has no properties, and Deno's fetch then refused it with an error quoting the value,
// a credential, into a log. Read as `new Headers()` reads it, it is refused as a list of pairs is:
// the header named, the value not shown, nothing sent. The far end: a REST endpoint on 127.0.0.1
// that records what reaches it.
import assert from "node:assert/strict";
import type { TransportError } from "../../../src/errors.ts";
import { HangUp, type HangUpRequest } from "../../../src/serializers/telephony/hang_up.ts";

/** A hang-up of call "c1" at `base`, with `headers` as given. */
function request(base: string, headers: unknown): HangUpRequest {
  return {
    provider: "Test",
    callId: "c1",
    url: `${base}/calls/c1`,
    init: { method: "DELETE", headers: headers as HeadersInit },
    alreadyEnded: () => false,
  };
}

/**
 * A provider's REST endpoint on 127.0.0.1:0 that answers every hang-up 204 and notes each request's
 * method and `authorization` header (`null` where none came).
 */
function serveHangUps() {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (incoming) => {
    seen.push(`${incoming.method} ${incoming.headers.get("authorization")}`);
    return new Response(null, { status: 204 });
  });
  return { seen, server, base: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}` };
}

Deno.test("`HangUp` refuses a `Map` header value fetch would refuse, without showing it; a sound `Map`, or generator, is sent whole", async () => {
  const { seen, server, base } = serveHangUps();
  try {
    for (const key of ["KEY\nsecret123", "KEY\rsecret123", "KEY\0secret123"]) {
      const headers = new Map([["accept", "application/json"], ["authorization", `Bearer ${key}`]]);
      await assert.rejects(
        new HangUp().run(request(base, headers)),
        (e: TransportError) =>
          e.code === "protocol" && e.message.includes("authorization header") &&
          !e.message.includes("secret123") && !String(e.cause ?? "").includes("secret123"),
        JSON.stringify(key),
      );
    }
    assert.deepEqual(seen, [], "nothing sent");
    // What is sound goes whole: the check reads a `Map` without using it up, and leaves a
    // generator (one reader only) to fetch.
    await new HangUp().run(request(base, new Map([["authorization", "Bearer KEY"]])));
    const pairs = function* () {
      yield ["authorization", "Bearer KEY2"];
    };
    await new HangUp().run(request(base, pairs()));
    assert.deepEqual(seen, ["DELETE Bearer KEY", "DELETE Bearer KEY2"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("`HangUp` given headers that are no `HeadersInit` fails as a protocol error, not a TypeError from its check", async () => {
  let sent = 0;
  // What fetch does first (Fetch standard, fetch(): a new Request from input and init), and all
  // it gets to: the headers are refused there.
  const fetchThatChecks = (url: string, init: RequestInit) => {
    sent++;
    new Request(url, init);
    return Promise.resolve(new Response(null, { status: 204 }));
  };
  for (const headers of [null, "authorization: x", 5]) {
    await assert.rejects(
      new HangUp({ fetch: fetchThatChecks }).run(request("http://127.0.0.1", headers)),
      (e: TransportError) => e.code === "protocol" && /Test hang-up .* failed/.test(e.message),
      String(headers),
    );
  }
  assert.equal(sent, 3);
});

Deno.test("`HangUp` given a header value no string can be made of fails as a protocol error that says so, nothing sent, as fetch fails on it, not with a TypeError", async () => {
  const { seen, server, base } = serveHangUps();
  // Fetch reads a header value as a ByteString (WebIDL: ToString first): an object with no way to
  // a primitive, one whose toString throws, a symbol, fail there, before anything is sent.
  const unreadable = [
    Object.create(null),
    {
      toString: () => {
        throw new Error("no string");
      },
    },
    Symbol("x"),
  ];
  try {
    for (const [which, value] of unreadable.entries()) {
      for (const headers of [new Map([["x-id", value]]), [["x-id", value]], { "x-id": value }]) {
        await assert.rejects(
          new HangUp().run(request(base, headers)),
          (e: TransportError) =>
            e.code === "protocol" &&
            /Test hang-up .* not sent: its headers hold a name or value no string can be made of/
              .test(e.message),
          `value ${which} in a ${headers.constructor.name}`,
        );
      }
    }
    assert.deepEqual(seen, [], "nothing sent");
  } finally {
    await server.shutdown();
  }
});

Deno.test("`HangUp` sends whole the headers of an iterable that hands every reader one iterator", async () => {
  const { seen, server, base } = serveHangUps();
  try {
    // Fetch asks it for an iterator once (WebIDL, sequence conversion): read here first, the one
    // iterator was used up, and the request went without its authorization header.
    const entries = new Map([["authorization", "Bearer KEY"]]).entries();
    await new HangUp().run(request(base, { [Symbol.iterator]: () => entries }));
    assert.deepEqual(seen, ["DELETE Bearer KEY"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("`HangUp` reads headers as fetch does: a `Headers`-like iterable, a record with its own iterator", async () => {
  const { seen, server, base } = serveHangUps();
  try {
    // Refused, the value not shown: pairs from a `URLSearchParams` (an iterable of pairs, as a
    // `Headers` of another realm or a polyfill is), and from a record's own iterator.
    const refused = [
      new URLSearchParams({ authorization: "Bearer KEY\nsecret123" }),
      {
        authorization: "Bearer KEY",
        *[Symbol.iterator]() {
          yield ["authorization", "Bearer KEY\nsecret123"];
        },
      },
    ];
    for (const headers of refused) {
      await assert.rejects(
        new HangUp().run(request(base, headers)),
        (e: TransportError) =>
          e.code === "protocol" && e.message.includes("authorization header") &&
          !e.message.includes("secret123"),
      );
    }
    // Sent: fetch reads a record with an iterator through the iterator alone, and a record's
    // symbol key not at all.
    const sent = [
      {
        authorization: "Bearer KEY\nsecret123",
        *[Symbol.iterator]() {
          yield ["authorization", "Bearer KEY3"];
        },
      },
      { authorization: "Bearer KEY4", [Symbol("note")]: "a\nb" },
    ];
    for (const headers of sent) await new HangUp().run(request(base, headers));
    assert.deepEqual(seen, ["DELETE Bearer KEY3", "DELETE Bearer KEY4"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("`HangUp` reads headers once: a generator's value fetch would refuse is refused unshown, and a pair that is no name and value is refused, nothing sent", async () => {
  const { seen, server, base } = serveHangUps();
  try {
    // A generator hands every reader the one iterator: left to fetch, its refusal quoted the value.
    const generated = function* () {
      yield ["authorization", "Bearer KEY\nsecret123"];
    };
    await assert.rejects(
      new HangUp().run(request(base, generated())),
      (e: TransportError) =>
        e.code === "protocol" && e.message.includes("authorization header") &&
        !e.message.includes("secret123"),
    );
    // Fetch refuses a pair of three (Fetch, "fill": "If header's size is not 2, throw").
    await assert.rejects(
      new HangUp().run(request(base, [["authorization", "Bearer KEY", "secret123"]])),
      (e: TransportError) =>
        e.code === "protocol" &&
        e.message.includes("its headers hold a pair that is not a name and a value") &&
        !e.message.includes("secret123"),
    );
    assert.deepEqual(seen, [], "nothing sent");
  } finally {
    await server.shutdown();
  }
});
