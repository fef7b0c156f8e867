// The ConversationRelay far end's simulated recognizer hears the caller's speech by the call's
// speechThresholdDbfs, as the report does. It had -45 dBFS of its own: over a caller's -40 dBFS
// background it heard one utterance lasting the whole audio, so a threshold raised above the
// background gave the report two utterances and the bot one prompt, at the end.
// Bot and simulator on one FakeClock over real sockets (tests/_lockstep.ts).
import assert from "node:assert/strict";
import { simulateCall } from "../../../src/simulator/mod.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { Lockstep } from "../../_lockstep.ts";

/** 3.2 s at 8 kHz: steady noise at about -40 dBFS, two loud utterances (0.5–1.3 s, 2.0–2.6 s). */
function noisyCaller(): { pcm: Uint8Array; sampleRate: number } {
  const rate = 8000;
  const s = new Int16Array(rate * 3.2);
  let seed = 7;
  for (let i = 0; i < s.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const noise = ((seed / 0x7fffffff) * 2 - 1) * 327 * Math.sqrt(3); // RMS ≈ 327: -40 dBFS
    const t = i / rate;
    const loud = (t >= 0.5 && t < 1.3) || (t >= 2.0 && t < 2.6);
    s[i] = Math.round(noise + (loud ? 9000 * Math.sin(2 * Math.PI * 300 * t) : 0));
  }
  return { pcm: new Uint8Array(s.buffer), sampleRate: rate };
}

for (const protocol of ["conversationrelay", "telnyx-conversationrelay"]) {
  Deno.test(`${protocol}: speechThresholdDbfs above the caller's background gives a prompt per utterance`, async () => {
    const clock = new FakeClock();
    const lockstep = new Lockstep(clock);
    const prompts: string[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      const { socket, response } = lockstep.accept(request);
      socket.addEventListener("message", (e: MessageEvent) => {
        const m = JSON.parse(e.data);
        if (m.type === "prompt") prompts.push(m.voicePrompt);
      });
      return response;
    });
    try {
      const report = await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
        protocol,
        audio: noisyCaller(),
        speechThresholdDbfs: -30,
        lingerMs: 500,
        clock,
        connect: lockstep.connectCaller,
      }));
      assert.equal(report.utterances.length, 2);
      assert.deepEqual(prompts, ["utterance 1", "utterance 2"]);
    } finally {
      await server.shutdown();
    }
  });
}
