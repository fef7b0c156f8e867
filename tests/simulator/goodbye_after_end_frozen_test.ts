// After the bot ended the call, the caller hears nothing more: the far end's speaker stops at the
// end, whatever the socket still carries. A Genesys bot's `disconnect` (Genesys Cloud developer
// center, "AudioHook protocol", "Session termination: disconnect") is followed by Genesys's
// `close`, which the bot may take a while to answer with `closed` (Genesys waits up to 10 s): the
// goodbye the disconnect cut must not read as played through that wait (the far end reading its
// queue then, as it does at other messages, would move the speaker on).
import assert from "node:assert/strict";
import { type CallReport, simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

/** `ms` of loud μ-law at 8 kHz: a square wave between near full scale (0x00) and its opposite. */
function loudMulaw(ms: number): Uint8Array {
  const bytes = new Uint8Array(8 * ms);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i >> 3) % 2 === 0 ? 0x00 : 0x80;
  return bytes;
}

/** A Genesys bot that sends its 2 s goodbye, disconnects, and answers `close` `lateMs` later. */
async function lateClosedCall(lateMs: number): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = lockstep.accept(request);
    let seq = 0;
    socket.addEventListener("message", (event: MessageEvent) => {
      if (typeof event.data !== "string") return;
      const message = JSON.parse(event.data);
      const reply = (type: string, parameters: Record<string, unknown> = {}) =>
        socket.send(JSON.stringify({
          version: "2",
          type,
          seq: ++seq,
          clientseq: message.seq,
          id: message.id,
          parameters,
        }));
      if (message.type === "open") {
        reply("opened", { media: [message.parameters.media[0]] });
        // 1,600-byte messages (200 ms), ten of them: within the burst Genesys takes.
        const bytes = loudMulaw(2000);
        for (let at = 0; at < bytes.length; at += 1600) socket.send(bytes.slice(at, at + 1600));
        reply("disconnect", { reason: "completed" });
      } else if (message.type === "ping") reply("pong");
      else if (message.type === "close") void clock.sleep(lateMs).then(() => reply("closed"));
    });
    return response;
  });
  try {
    return await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      protocol: "genesys",
      clock,
      connect: lockstep.connectCaller,
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 400 }),
      waitForBotHangUp: true,
      maxDurationMs: 20_000,
    }));
  } finally {
    await server.shutdown();
  }
}

Deno.test("simulateCall as genesys: the goodbye a disconnect cut stays unheard while the bot takes 1 s to answer close", async () => {
  const report = await lateClosedCall(1000);
  assert.equal(report.ended.by, "bot", report.ended.detail);
  assert.equal(report.audio.receivedMs, 2000);
  assert.equal(report.audio.playedMs, 0, "nothing plays after the call ended");
  assert.equal(report.audio.unplayedAtEndMs, 2000);
});
