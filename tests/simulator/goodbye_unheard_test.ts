// The bot on this package's transport, for each platform, saying a goodbye and hanging up. With
// an `end` the transport waits for the goodbye to play before it hangs up (README "A goodbye that
// is heard"; its platform's own hang-up then: Twilio's socket close, Genesys's `disconnect`,
// Asterisk's `HANGUP`, raw PCM's close; Telnyx, Plivo, Exotel, Vonage, jambonz and FreeSWITCH
// with it only): nothing is left unheard and the call passes. With
// `transport.close()` right after the goodbye was written, what the far end had queued of it is
// cut: the report says how much (`audio.unplayedAtEndMs`, the text report's "the bot hung up
// with … of its audio unheard") and `judgeCall` fails the call (`unheard-goodbye`) unless
// `allowUnheardGoodbye`. The bot and the simulator share one FakeClock over real sockets
// (tests/_lockstep.ts).
import assert from "node:assert/strict";
import { upgrade } from "../../src/adapters/deno.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import {
  type CallReport,
  formatReport,
  judgeCall,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

/**
 * How the bot hangs up once its goodbye is written: with an `end`, which waits for it to play,
 * or by closing the socket (`transport.close()`), which does not: with `sendAheadMs` of 3 s the
 * goodbye went to the far end at once, and the close comes while it plays.
 */
type HangUp = "end" | "close";

interface Platform {
  protocol: string;
  serializer: () => FrameSerializer;
  /** The line's rate; 8 kHz but where the platform's is another. */
  rate?: number;
  /** Each chunk's length; 20 ms but where the platform wants more. */
  chunkMs?: number;
  transport?: TransportOptions;
  /** Only the `end` that waits for the goodbye is tried (a good bot must pass everywhere). */
  endOnly?: boolean;
}

const PLATFORMS: Platform[] = [
  { protocol: "twilio", serializer: () => new TwilioSerializer() },
  { protocol: "raw", serializer: () => new RawPcmSerializer() },
  // Genesys takes 5 binary messages a second: 200 ms packets, as a bot must send.
  {
    protocol: "genesys",
    serializer: () => new GenesysSerializer(),
    transport: { fixedAudioPacketSize: 1600, padByte: 0xff },
  },
  { protocol: "asterisk", serializer: () => new AsteriskSerializer() },
  { protocol: "telnyx", serializer: () => new TelnyxSerializer(), endOnly: true },
  { protocol: "plivo", serializer: () => new PlivoSerializer(), endOnly: true },
  // Exotel's chunks are 3,200 bytes at least (developer.exotel.com/docs/agentstream/, "Working
  // with the Stream and Voicebot Applet": the chunk size window): 200 ms at 8 kHz.
  { protocol: "exotel", serializer: () => new ExotelSerializer(), chunkMs: 200, endOnly: true },
  { protocol: "vonage", serializer: () => new VonageSerializer(), rate: 16000, endOnly: true },
  { protocol: "jambonz", serializer: () => new JambonzSerializer(), endOnly: true },
  { protocol: "freeswitch", serializer: () => new FreeSwitchSerializer(), endOnly: true },
];

/** A loud 2 s goodbye (a 440 Hz tone) at `rate`, and 1 s of digital silence padding it. */
function goodbye(rate: number): Uint8Array {
  const samples = new Int16Array(3 * rate);
  for (let i = 0; i < 2 * rate; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return new Uint8Array(samples.buffer);
}

/**
 * One call in which the bot says its goodbye 100 ms after the call starts and hangs up: at once
 * (`transport.close()`, which drops what is queued, as a REST hang-up does), or with an `end`
 * (which waits for the goodbye to play, then hangs up as the platform does). The caller waits
 * for the bot (`waitForBotHangUp`).
 */
async function goodbyeCall(platform: Platform, hangUp: HangUp): Promise<CallReport> {
  const rate = platform.rate ?? 8000;
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const done: Promise<unknown>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      clock,
      serializer: platform.serializer(),
      audioIn: { sampleRate: rate, channels: 1 },
      audioOut: { sampleRate: rate, channels: 1, chunkMs: platform.chunkMs ?? 20 },
      ...platform.transport,
      ...(hangUp === "close" ? { sendAheadMs: 3000, maxQueuedMs: 3000 } : {}),
    });
    if (!transport) return response;
    lockstep.register(transport);
    const bot = (async () => {
      const reader = transport.readable.getReader();
      // The session has begun (Genesys: its `open` answered) once the start frame is read.
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        // Raw PCM has no start message: its first audio is the session's beginning.
        if (value.type === "start" || value.type === "audio") break;
      }
      await clock.sleep(100);
      const writer = transport.writable.getWriter();
      await writer.write({ type: "audio", audio: goodbye(rate), sampleRate: rate, channels: 1 });
      if (hangUp === "close") await transport.close(1000, "bot hung up");
      else await writer.write({ type: "end", reason: "goodbye" });
      // Drained to the end, so the transport's close is not held up by unread frames.
      while (!(await reader.read()).done);
    })();
    done.push(bot.catch(() => {}), transport.closed);
    return response;
  });
  try {
    return await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      protocol: platform.protocol,
      clock,
      connect: lockstep.connectCaller,
      audio: syntheticCaller({ utterancesMs: [], pauseMs: 0 }),
      waitForBotHangUp: true,
      maxDurationMs: 20_000,
      // Raw PCM's rate is the bot's to agree: the transport's 8 kHz.
      ...(platform.protocol === "raw" ? { platform: { sampleRate: 8000 } } : {}),
    }));
  } finally {
    await Promise.all(done);
    await server.shutdown();
  }
}

for (const platform of PLATFORMS) {
  Deno.test(`simulateCall as ${platform.protocol}: a bot whose end waits for its goodbye to play passes`, async () => {
    const report = await goodbyeCall(platform, "end");
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(report.audio.playedMs, 3000);
    assert.equal(report.audio.unplayedAtEndMs, 0);
    assert.deepEqual(judgeCall(report), { passed: true, failures: [] });
    assert.doesNotMatch(formatReport(report), /unheard/);
  });

  if (platform.endOnly) continue;
  Deno.test(`simulateCall as ${platform.protocol}: a bot that closes over its goodbye fails, the amount said`, async () => {
    const report = await goodbyeCall(platform, "close");
    assert.equal(report.ended.by, "bot", report.ended.detail);
    const { receivedMs, playedMs, unplayedAtEndMs } = report.audio;
    // What had not played of the tone: the 1 s of silence padding it is no loss.
    assert.equal(unplayedAtEndMs, Math.max(0, 2000 - playedMs), JSON.stringify(report.audio));
    assert.ok(receivedMs - playedMs > 1000, JSON.stringify(report.audio));
    assert.ok(unplayedAtEndMs > 1000, `${unplayedAtEndMs} ms unheard`);
    const unheard = `the bot hung up with ${
      (unplayedAtEndMs / 1000).toFixed(2)
    } s of its audio unheard`;
    const failures = judgeCall(report).failures.filter((f) => f.reason === "unheard-goodbye");
    assert.equal(failures.length, 1);
    assert.ok(failures[0]!.detail.startsWith(unheard), failures[0]!.detail);
    assert.ok(formatReport(report).includes(unheard), formatReport(report));
    assert.deepEqual(
      judgeCall(report, { allowUnheardGoodbye: true }).failures.filter((f) =>
        f.reason === "unheard-goodbye"
      ),
      [],
    );
  });
}
