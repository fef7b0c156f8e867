// Each platform's way for a bot to end the call, taken with 2 s of the bot's goodbye still
// queued at the far end: the report's `audio.unplayedAtEndMs` is the goodbye left unplayed, and
// `judgeCall` fails the call (`unheard-goodbye`) by default. The bots are hand-written from each
// platform's documents, on one FakeClock with the simulator over real sockets (_lockstep.ts):
// - Twilio Media Streams ("Media Streams - WebSocket Messages", twilio.com/docs/voice/
//   media-streams/websocket-messages: `connected`, `start`, then the bot's `media` with the
//   stream's SID): a REST hang-up (the Calls resource's `Status=completed`) ends the stream, the
//   socket closing; the simulator sees the close.
// - Genesys AudioHook (Genesys Cloud developer center, "AudioHook protocol", "Session
//   termination: disconnect"): the server's `disconnect` ends the session; Genesys's `close`
//   follows, answered by `closed`.
// - Asterisk chan_websocket (docs.asterisk.org, Configuration → Channel Drivers → WebSocket,
//   "Control Commands and Events": `HANGUP` "hangs up the channel").
// - A raw PCM socket: the bot closes it.
// - ConversationRelay ("Getting and sending WebSocket messages": `text` tokens, then `end`): the
//   platform speaks the text; the simulator's synthesizer queues its speech like any audio.
import assert from "node:assert/strict";
import {
  type CallReport,
  judgeCall,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type CountingSocket, Lockstep } from "../_lockstep.ts";

/** `ms` of loud μ-law at 8 kHz: a square wave between near full scale (0x00) and its opposite. */
function loudMulaw(ms: number): Uint8Array {
  const bytes = new Uint8Array(8 * ms);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i >> 3) % 2 === 0 ? 0x00 : 0x80;
  return bytes;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/**
 * A bot on each platform that, once the caller's side has begun, sends a 2 s goodbye at once and
 * at once ends the call its platform's way: called with each text the far end sends.
 */
/** A bot's answer to the platform's `text`; `later` runs its work that much later on the call's clock. */
type Bot = (
  socket: CountingSocket,
  text: string,
  later: (ms: number, work: () => void) => void,
) => void;

const BOTS: Record<string, Bot> = {
  twilio(socket, text) {
    const message = JSON.parse(text);
    if (message.event !== "start") return;
    const bytes = loudMulaw(2000);
    for (let at = 0; at < bytes.length; at += 160) {
      const payload = base64(bytes.subarray(at, at + 160));
      socket.send(
        JSON.stringify({ event: "media", streamSid: message.streamSid, media: { payload } }),
      );
    }
    // The REST hang-up: Twilio ends the stream, its socket closes.
    socket.close(1000, "hung up");
  },
  genesys: (() => {
    let seq = 0;
    return (
      socket: CountingSocket,
      text: string,
      later: (ms: number, work: () => void) => void,
    ) => {
      const message = JSON.parse(text);
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
      // As late as the test says: Genesys waits up to 10 s for it.
      else if (message.type === "close") later(closedLateMs, () => reply("closed"));
    };
  })(),
  asterisk(socket, text) {
    if (!text.startsWith("MEDIA_START")) return;
    const bytes = loudMulaw(2000);
    for (let at = 0; at < bytes.length; at += 160) socket.send(bytes.slice(at, at + 160));
    socket.send("HANGUP");
  },
  conversationrelay(socket, text) {
    const message = JSON.parse(text);
    if (message.type !== "setup") return;
    // "Goodbye!" spoken at the simulator's 60 ms a character: 480 ms.
    socket.send(JSON.stringify({ type: "text", token: "Goodbye!", last: true }));
    socket.send(JSON.stringify({ type: "end" }));
  },
};

/** The raw far end sends no text: the bot begins at the caller's first audio. */
function rawBot(socket: CountingSocket): void {
  const samples = new Int16Array(32000).fill(9000); // 2 s at 16 kHz
  for (let i = 0; i < samples.length; i += 2) samples[i] = -9000;
  socket.send(new Uint8Array(samples.buffer));
  socket.close(1000, "bye");
}

/** How long the Genesys bot takes to answer `close` with `closed`. */
let closedLateMs = 0;

async function call(protocol: string): Promise<CallReport> {
  const clock = new FakeClock();
  const later = (ms: number, work: () => void) => void clock.sleep(ms).then(work);
  const lockstep = new Lockstep(clock);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = lockstep.accept(request);
    let begun = false;
    socket.addEventListener("message", (event: MessageEvent) => {
      if (protocol === "raw") {
        if (!begun) rawBot(socket);
        begun = true;
      } else if (typeof event.data === "string") BOTS[protocol]!(socket, event.data, later);
    });
    return response;
  });
  try {
    return await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      protocol,
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

for (const protocol of ["twilio", "genesys", "asterisk", "raw"]) {
  Deno.test(`simulateCall as ${protocol}: the bot's hang-up with its 2 s goodbye queued leaves 2 s unheard, and fails`, async () => {
    const report = await call(protocol);
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(report.audio.receivedMs, 2000);
    assert.equal(report.audio.playedMs, 0);
    assert.equal(report.audio.unplayedAtEndMs, 2000);
    const failures = judgeCall(report).failures.filter((f) => f.reason === "unheard-goodbye");
    assert.equal(failures.length, 1);
    assert.match(
      failures[0]!.detail,
      /^the bot hung up with 2\.00 s of its audio unheard \(at 0\.\d\d s, with 2\.00 s received and 0\.00 s played\): more than the 60 ms a packet and jitter excuse \(allowUnheardGoodbye lets it pass\)$/,
    );
  });
}

Deno.test("simulateCall as conversationrelay: an end right after the goodbye's text cuts its speech", async () => {
  const report = await call("conversationrelay");
  assert.equal(report.ended.by, "bot", report.ended.detail);
  // The platform's speech of "Goodbye!", queued as the `end` came: none of it heard.
  assert.deepEqual(
    [report.audio.receivedMs, report.audio.playedMs, report.audio.unplayedAtEndMs],
    [480, 0, 480],
  );
  assert.deepEqual(judgeCall(report).failures.map((f) => f.reason), ["unheard-goodbye"]);
});

// After the bot ended the call, the caller hears nothing more: the far end's speaker stops at the
// end, whatever the socket still carries. Genesys's `close` follows the bot's `disconnect`, and
// the bot may take a while to answer it with `closed`: the goodbye the disconnect cut must not
// read as played through that wait (the far end reading its queue then, as it does at other
// messages, would move the speaker on).
Deno.test("simulateCall as genesys: the goodbye a disconnect cut stays unheard while the bot takes 1 s to answer close", async () => {
  closedLateMs = 1000;
  try {
    const report = await call("genesys");
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(report.audio.receivedMs, 2000);
    assert.equal(report.audio.playedMs, 0, "nothing plays after the call ended");
    assert.equal(report.audio.unplayedAtEndMs, 2000);
  } finally {
    closedLateMs = 0;
  }
});
