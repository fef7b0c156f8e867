// The bot on this package's transport, on each platform the other goodbye tests leave out,
// saying a 2 s goodbye and ending with an `end`, which waits for it to play (README "A goodbye
// that is heard") before the platform's own hang-up: nothing may read as unheard, or the
// `unheard-goodbye` gate fails a good bot. The bot and the simulator share one FakeClock over
// real sockets (tests/_lockstep.ts).
import assert from "node:assert/strict";
import { upgrade } from "../../src/adapters/deno.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import {
  type CallReport,
  judgeCall,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

interface Platform {
  protocol: string;
  serializer: () => FrameSerializer;
  rate: number;
  /** Each chunk's length; 20 ms but where the platform wants more. */
  chunkMs?: number;
  transport?: TransportOptions;
}

const PLATFORMS: Platform[] = [
  { protocol: "telnyx", serializer: () => new TelnyxSerializer(), rate: 8000 },
  { protocol: "plivo", serializer: () => new PlivoSerializer(), rate: 8000 },
  // Exotel's chunks are 3,200 bytes at least (developer.exotel.com/docs/agentstream/, "Working
  // with the Stream and Voicebot Applet": the chunk size window): 200 ms at 8 kHz.
  { protocol: "exotel", serializer: () => new ExotelSerializer(), rate: 8000, chunkMs: 200 },
  { protocol: "vonage", serializer: () => new VonageSerializer(), rate: 16000 },
  { protocol: "jambonz", serializer: () => new JambonzSerializer(), rate: 8000 },
  { protocol: "freeswitch", serializer: () => new FreeSwitchSerializer(), rate: 8000 },
];

/** A loud 2 s goodbye (a 440 Hz tone), and 1 s of digital silence padding it. */
function goodbye(rate: number): Uint8Array {
  const samples = new Int16Array(3 * rate);
  for (let i = 0; i < 2 * rate; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return new Uint8Array(samples.buffer);
}

async function goodbyeCall(platform: Platform): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const done: Promise<unknown>[] = [];
  const { rate } = platform;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      clock,
      serializer: platform.serializer(),
      audioIn: { sampleRate: rate, channels: 1 },
      audioOut: { sampleRate: rate, channels: 1, chunkMs: platform.chunkMs ?? 20 },
      ...platform.transport,
    });
    if (!transport) return response;
    lockstep.register(transport);
    const bot = (async () => {
      const reader = transport.readable.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        if (value.type === "start" || value.type === "audio") break;
      }
      await clock.sleep(100);
      const writer = transport.writable.getWriter();
      await writer.write({ type: "audio", audio: goodbye(rate), sampleRate: rate, channels: 1 });
      await writer.write({ type: "end", reason: "goodbye" });
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
    }));
  } finally {
    await Promise.all(done);
    await server.shutdown();
  }
}

for (const platform of PLATFORMS) {
  Deno.test(`simulateCall as ${platform.protocol}: a bot whose end waits for its goodbye to play leaves none unheard`, async () => {
    const report = await goodbyeCall(platform);
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(report.audio.unplayedAtEndMs, 0);
    assert.deepEqual(judgeCall(report).failures, []);
  });
}
