// The simulate CLI refuses flags one of which it would silently ignore, as it refuses --pcm-rate
// without --audio: --wait-for-bot with --hang-up-at, --linger with either, --ramp without --calls,
// and a call id or custom parameters given to a protocol that carries none (raw PCM, pipecat).
// Each is a subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI refuses contradictory flags, and takes each alone", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused; refused at once when called
  const refused: [string[], RegExp][] = [
    [
      ["--wait-for-bot", "--hang-up-at", "5000"],
      /^simulate: --wait-for-bot and --hang-up-at contradict each other/,
    ],
    [
      ["--hang-up-at", "5000", "--linger", "100"],
      /^simulate: --linger does nothing with --hang-up-at/,
    ],
    [["--wait-for-bot", "--linger", "100"], /^simulate: --linger does nothing with --wait-for-bot/],
    [["--ramp", "1000"], /^simulate: --ramp needs --calls/],
    [["-p", "raw", "--call-id", "c1"], /^simulate: --call-id c1: raw carries no call id/],
    [["-p", "pipecat", "--param", "a=b"], /^simulate: --param: pipecat carries no custom param/],
  ];
  const taken = [
    ["--hang-up-at", "5000"],
    ["--wait-for-bot"],
    ["--linger", "100"],
    [
      "--calls",
      "2",
      "--ramp",
      "10",
    ],
    ["-p", "vonage", "--call-id", "c1", "--param", "a=b"],
    ["-p", "raw"],
  ];
  await expectUsage(url, refused, taken);
});
