// The simulate CLI's numeric flags take numbers as its --help writes them (MS, N, HZ, DB: decimal
// digits, perhaps a fraction; a negative level for --speech-threshold) and refuse anything else
// as bad usage naming the flag. Number() took hexadecimal, binary, exponents, a sign and spaces
// around: `--calls 0x2` ran two calls, `--linger 1e3` lingered a second.
// Each is a subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI refuses numbers written in forms its help does not offer", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [["--calls", "0x2"], /^simulate: --calls must be a whole number from 1 to 1000, got 0x2/],
    [["--calls", "2e0"], /^simulate: --calls must be a whole number from 1 to 1000, got 2e0/],
    [["--calls", "2", "--ramp", "0b10"], /^simulate: --ramp must be milliseconds, got 0b10/],
    [["--linger", "1e3"], /^simulate: --linger must be milliseconds, got 1e3/],
    [["--hang-up-at", "0x10"], /^simulate: --hang-up-at must be milliseconds, got 0x10/],
    [["--max-duration", " 5000"], /^simulate: --max-duration must be milliseconds, got {2}5000/],
    [["--barge-in", "+800"], /^simulate: --barge-in must be milliseconds, got \+800/],
    [
      ["--barge-in", "800", "--barge-in-for", "1.2e3"],
      /^simulate: --barge-in-for must be milliseconds, got 1\.2e3/,
    ],
    [
      ["--barge-in", "800", "--barge-ins", "0o1"],
      /^simulate: --barge-ins must be a whole number, got 0o1/,
    ],
    [["-p", "raw", "--rate", "0x3e80"], /^simulate: --rate must be a rate in Hz .* got 0x3e80/],
    [["--pcm-rate", "8e3"], /^simulate: --pcm-rate must be a rate in Hz .* got 8e3/],
    [["--speed", "0x2"], /^simulate: --speed must be a number above 0 or max, got 0x2/],
    [["--speed", "Infinity"], /^simulate: --speed must be a number above 0 or max, got Infinity/],
    [["--speech-threshold=-3e1"], /^simulate: --speech-threshold must be a level .* got -3e1/],
  ];
  // The forms the help writes still pass: a call is made (to a port that never answers).
  const taken = [
    ["--calls", "2", "--ramp", "10.5"],
    ["--linger", "1500.5"],
    ["--speed", ".5"],
    ["--speech-threshold", "-30.5"],
    ["--barge-in", "800", "--barge-ins", "2"],
  ];
  await expectUsage(url, refused, taken);
});
