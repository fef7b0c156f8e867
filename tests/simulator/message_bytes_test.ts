// The report's message byte counts are bytes on the wire: a text message as UTF-8, not its
// length in UTF-16 units (which undercounts every character beyond ASCII).
// Bot and simulator on one FakeClock over real sockets (tests/_lockstep.ts).
import assert from "node:assert/strict";
import { simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

const utf8 = new TextEncoder();

Deno.test("messages.bytesSent and bytesReceived count text messages in UTF-8 bytes", async () => {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const got = { messages: 0, bytes: 0 };
  const sent = { messages: 0, bytes: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = lockstep.accept(request);
    socket.addEventListener("message", (e: MessageEvent) => {
      got.messages++;
      got.bytes += utf8.encode(e.data).length;
      if (JSON.parse(e.data).type !== "setup") return;
      const reply = JSON.stringify({ type: "text", token: "Grüß Gott, €5 😀", last: true });
      socket.send(reply);
      sent.messages++;
      sent.bytes += utf8.encode(reply).length;
    });
    return response;
  });
  try {
    const report = await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      protocol: "conversationrelay",
      platform: { customParameters: { caller: "Zoë Ñandú" } },
      audio: { pcm: new Uint8Array(1600), sampleRate: 8000 },
      lingerMs: 500,
      clock,
      connect: lockstep.connectCaller,
    }));
    assert.equal(report.messages.sent, got.messages);
    assert.equal(report.messages.bytesSent, got.bytes);
    assert.equal(report.messages.received, sent.messages);
    assert.equal(report.messages.bytesReceived, sent.bytes);
  } finally {
    await server.shutdown();
  }
});
