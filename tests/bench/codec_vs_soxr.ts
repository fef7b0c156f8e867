/**
 * Codec speed side by side with the oracle: our `Resampler` and Twilio serializer against soxr
 * driven as pipecat drives it (tests/bench/codec_soxr_oracle.py: `soxr.ResampleStream`, VHQ,
 * int16, through numpy, and pipecat's Twilio serializer audio path with `audioop` and `base64`).
 *
 * Run: `npx deno run -A tests/bench/codec_vs_soxr.ts [--rounds 9] [--seconds 20] [--only TEXT]`
 * (needs python3 with numpy and soxr: `pip install soxr`; `--only` keeps the cases whose name
 * contains TEXT). Prints one markdown table; BENCHMARKS.md holds it.
 *
 * Method: the same signal both sides (a 1 kHz tone at 12000 peak) in the same chunks, `seconds`
 * seconds of audio per round; rounds alternate between the two processes (ours first in odd
 * rounds, soxr first in even ones), so the machine's other load falls on both alike. Each side's
 * figure is the median over rounds of the CPU time its own process spent per second of audio
 * (Deno: `process.cpuUsage()`, all threads, so garbage collection and compilation count;
 * Python: `time.process_time()`); "× soxr" is soxr's median over ours (> 1: we are faster).
 * The wall-clock ratio is printed beside it as a check.
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { Resampler } from "@x/ws-transport/audio";
import { TwilioSerializer } from "@x/ws-transport/twilio";
import { mulawEncode } from "@x/ws-transport/audio";
import { sine } from "../audio/tone.ts";
import { SoxrOracle, toneFrames, twilioSerializer } from "./codec_oracle.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "9" },
    seconds: { type: "string", default: "20" },
    only: { type: "string", default: "" },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);

interface Case {
  name: string;
  oracle: Record<string, unknown>;
  /** Processes one second of audio, chunk by chunk. */
  ours: () => void;
}

function resampleCase(inputRate: number, outputRate: number, chunkMs: number): Case {
  const input = sine(1000, inputRate, inputRate, 12000);
  const chunk = (inputRate * chunkMs) / 1000;
  const resampler = new Resampler({ inputRate, outputRate });
  return {
    name: `resample ${inputRate / 1000}k → ${outputRate / 1000}k, ${chunkMs} ms chunks`,
    oracle: { op: "speed", case: "resample", inRate: inputRate, outRate: outputRate, chunkMs },
    ours: () => {
      for (let i = 0; i < input.length; i += chunk) {
        resampler.process(input.subarray(i, i + chunk));
      }
    },
  };
}

function twilioOutCase(inputRate: number, chunkMs: number): Case {
  const twilio = twilioSerializer(inputRate);
  const frames = toneFrames(inputRate, chunkMs);
  return {
    name: `Twilio serialize ${inputRate / 1000}k → μ-law 8k, ${chunkMs} ms frames`,
    oracle: { op: "speed", case: "twilio-out", inRate: inputRate, outRate: 8000, chunkMs },
    ours: () => {
      for (const frame of frames) twilio.serialize(frame);
    },
  };
}

function twilioInCase(outputRate: number, chunkMs: number): Case {
  const codes = mulawEncode(sine(1000, 8000, 8000, 12000));
  const chunk = (8000 * chunkMs) / 1000;
  const twilio = new TwilioSerializer({ streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0" });
  twilio.setup({
    inputSampleRate: outputRate,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  const messages = Array.from({ length: 8000 / chunk }, (_, i) =>
    JSON.stringify({
      event: "media",
      sequenceNumber: "3",
      media: {
        track: "inbound",
        chunk: "1",
        timestamp: "5",
        payload: codes.subarray(i * chunk, (i + 1) * chunk).toBase64(),
      },
      streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0",
    }));
  return {
    name: `Twilio deserialize μ-law 8k → ${outputRate / 1000}k, ${chunkMs} ms frames`,
    oracle: { op: "speed", case: "twilio-in", inRate: 8000, outRate: outputRate, chunkMs },
    ours: () => {
      for (const message of messages) twilio.deserialize(message);
    },
  };
}

function measureOurs(run: () => void): { cpuUs: number; wallUs: number } {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < SECONDS; i++) run();
  const used = process.cpuUsage(cpu);
  return {
    cpuUs: (used.user + used.system) / SECONDS,
    wallUs: ((performance.now() - wall) * 1000) / SECONDS,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const cases: Case[] = [
  twilioOutCase(24000, 20),
  twilioOutCase(16000, 20),
  twilioOutCase(24000, 40),
  twilioOutCase(16000, 40),
  twilioInCase(16000, 20),
  resampleCase(24000, 8000, 20),
  resampleCase(16000, 8000, 20),
  resampleCase(24000, 8000, 40),
  resampleCase(16000, 8000, 40),
  resampleCase(8000, 16000, 20),
  resampleCase(8000, 24000, 20),
  resampleCase(48000, 8000, 20),
  resampleCase(48000, 16000, 20),
  resampleCase(24000, 16000, 20),
  resampleCase(44100, 16000, 20),
];

const oracle = await SoxrOracle.open();
if (oracle === null) throw new Error("needs python3 with numpy and soxr (pip install soxr)");
const hello = oracle.versions;
const load = Deno.loadavg();
console.log(
  `soxr ${hello.soxr} (numpy ${hello.numpy}, Python ${hello.python}) vs Deno ${Deno.version.deno}` +
    ` (V8 ${Deno.version.v8}); ${ROUNDS} rounds of ${SECONDS} s of audio per side; ` +
    `load average at start ${load.map((x) => x.toFixed(2)).join(" ")}\n`,
);
console.log(
  "| case | ours, CPU µs per s of audio | soxr (pipecat), CPU µs per s | × soxr's speed (CPU) | × soxr (wall) |",
);
console.log("|---|---|---|---|---|");
for (const c of cases.filter((c) => c.name.includes(values.only))) {
  for (let i = 0; i < 30; i++) c.ours(); // warm up the JIT
  const ours: { cpuUs: number; wallUs: number }[] = [];
  const theirs: { cpuUs: number; wallUs: number }[] = [];
  const request = { ...c.oracle, seconds: SECONDS };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      ours.push(measureOurs(c.ours));
      theirs.push((await oracle.ask(request)) as { cpuUs: number; wallUs: number });
    } else {
      theirs.push((await oracle.ask(request)) as { cpuUs: number; wallUs: number });
      ours.push(measureOurs(c.ours));
    }
  }
  const ourCpu = median(ours.map((x) => x.cpuUs));
  const theirCpu = median(theirs.map((x) => x.cpuUs));
  const wallRatio = median(theirs.map((x) => x.wallUs)) / median(ours.map((x) => x.wallUs));
  console.log(
    `| ${c.name} | ${ourCpu.toFixed(0)} | ${theirCpu.toFixed(0)} | ${
      (theirCpu / ourCpu).toFixed(2)
    } | ` +
      `${wallRatio.toFixed(2)} |`,
  );
}
await oracle.close();
console.log(`\nload average at end ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
