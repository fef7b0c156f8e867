// A serializer keeps its call's state (ids, sequence numbers, a hang-up already sent) and cannot
// reset it, so an instance serves one session, ever: the next call is refused it, loudly, rather
// than started as the last call (the wrong callSid, the last call's hang-up, Genesys's seq).
import assert from "node:assert/strict";
import { type Frame, WebSocketTransport } from "../mod.ts";
import { startSession } from "../src/adapters/_session.ts";
import { GenesysSerializer } from "../src/serializers/genesys.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../src/testing/memory_socket.ts";

const twilioStart = (call: string) =>
  JSON.stringify({
    event: "start",
    start: { streamSid: `MZ_${call}`, callSid: call, accountSid: "AC1", customParameters: {} },
  });

const genesysOpen = (id: string) =>
  JSON.stringify({
    version: "2",
    type: "open",
    seq: 1,
    serverseq: 0,
    id,
    position: "PT0S",
    parameters: {
      organizationId: "d7934305-0972-4844-938e-9060eef73d05",
      conversationId: id,
      participant: {
        id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0",
        ani: "+1",
        aniName: "J",
        dnis: "+1",
      },
      media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
    },
  });

const genesysAudio = { audioIn: { sampleRate: 8000 }, audioOut: { sampleRate: 8000 } };

async function firstFrame(transport: WebSocketTransport): Promise<Frame> {
  const reader = transport.readable.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return value!;
}

/** A Twilio serializer whose REST hang-ups are recorded by the call SID they end. */
function twilioRecordingHangUps() {
  const hungUp: string[] = [];
  const make = () =>
    new TwilioSerializer({
      accountSid: "AC1",
      authToken: "secret",
      fetch: (url) => {
        hungUp.push(String(url).match(/Calls\/(\w+)/)?.[1] ?? String(url));
        return Promise.resolve(new Response("{}"));
      },
    });
  return { hungUp, make };
}

/** What a transport given a serializer that has served a session throws. */
const servedAlready = (e: unknown) =>
  e instanceof TypeError && /has served a session already/.test(e.message) &&
  /a new instance/.test(e.message) &&
  /serializer: \(\) => new TwilioSerializer\(\)/.test(e.message);

Deno.test("a Twilio serializer whose call ended by its socket is refused the next call; a new one serves it", async () => {
  const { hungUp, make } = twilioRecordingHangUps();
  const serializer = make();
  const clock = new FakeClock();
  const a = new MemorySocketPair();
  const first = new WebSocketTransport(a.server, { serializer, clock });
  a.client.send(twilioStart("CA_first"));
  assert.equal((await firstFrame(first) as { callId?: string }).callId, "CA_first");
  a.client.close(1000); // Twilio ended call A: no hang-up
  await first.closed;

  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer, clock }),
    servedAlready,
  );

  const b = new MemorySocketPair();
  const second = new WebSocketTransport(b.server, { serializer: make, clock });
  b.client.send(twilioStart("CA_second"));
  assert.equal((await firstFrame(second) as { callId?: string }).callId, "CA_second");
  const writer = second.writable.getWriter();
  await writer.write({ type: "end" });
  await second.closed;
  assert.deepEqual(hungUp, ["CA_second"], "call B's end hangs up call B, never call A");
});

Deno.test("a Twilio serializer whose call the bot hung up is refused the next call, whose hang-up is not skipped", async () => {
  const { hungUp, make } = twilioRecordingHangUps();
  const serializer = make();
  const clock = new FakeClock();
  const a = new MemorySocketPair();
  const first = new WebSocketTransport(a.server, { serializer, clock });
  a.client.send(twilioStart("CA_first"));
  await firstFrame(first);
  await first.writable.getWriter().write({ type: "end" });
  await first.closed;
  assert.deepEqual(hungUp, ["CA_first"]);

  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer, clock }),
    servedAlready,
  );
  const b = new MemorySocketPair();
  const second = new WebSocketTransport(b.server, { serializer: make, clock });
  b.client.send(twilioStart("CA_second"));
  await firstFrame(second);
  await second.writable.getWriter().write({ type: "end" });
  await second.closed;
  assert.deepEqual(hungUp, ["CA_first", "CA_second"]);
});

Deno.test("a Genesys serializer that served a call is refused the next, whose open a new one answers with seq 1", async () => {
  const serializer = new GenesysSerializer();
  const clock = new FakeClock();
  const a = new MemorySocketPair();
  const first = new WebSocketTransport(a.server, { serializer, clock, ...genesysAudio });
  a.client.send(genesysOpen("e160e428-53e2-487c-977d-96989bf5c99d"));
  await firstFrame(first);
  a.client.close(1000); // Genesys went away
  await first.closed;

  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer, ...genesysAudio }),
    servedAlready,
  );
  const b = new MemorySocketPair();
  const second = new WebSocketTransport(b.server, {
    serializer: () => new GenesysSerializer(),
    clock,
    ...genesysAudio,
  });
  b.client.send(genesysOpen("a160e428-53e2-487c-977d-96989bf5c99d"));
  await clock.tick(10);
  const replies = (b.server.sent as string[]).map((m) => JSON.parse(m));
  assert.equal(replies[0]?.type, "opened");
  assert.equal(replies[0]?.seq, 1);
  await second.close();
});

Deno.test("a serializer still serving its session is refused as serving a live one", async () => {
  const serializer = new TwilioSerializer();
  const live = new WebSocketTransport(new MemorySocketPair().server, { serializer });
  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer }),
    (e) => e instanceof TypeError && /already serves a live session/.test(e.message),
  );
  await live.close();
  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer }),
    servedAlready,
    "once its session is over, it has served one",
  );
});

Deno.test("per-request adapter options holding one instance: the first call is served, the second closed with 1011 and logged", async () => {
  // Deno's, Bun's and Cloudflare's `upgrade` take options per request (startSession), so they
  // cannot tell a shared instance up front; Hono's and Node's refuse it where the route is made.
  const options = { serializer: new TwilioSerializer() };
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...data: unknown[]) => void logged.push(...data);
  try {
    const a = new MemorySocketPair();
    const first = startSession(a.server, options);
    assert.ok(first !== null, "the first call is served");
    a.client.close(1000);
    await first.closed;
    assert.deepEqual(logged, []);

    const b = new MemorySocketPair();
    const closed = new Promise<CloseEvent>((resolve) =>
      b.client.addEventListener("close", (e) => resolve(e as CloseEvent))
    );
    assert.equal(startSession(b.server, options), null);
    assert.equal((await closed).code, 1011);
    assert.match(String(logged[0]), /the session could not start: .*has served a session already/);
  } finally {
    console.error = original;
  }
});
