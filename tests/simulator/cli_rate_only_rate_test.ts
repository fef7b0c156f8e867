// `--rate` given to a platform whose one rate it is: `-p twilio --rate 8000` was taken (Twilio's
// far end reads the rate, for SignalWire's choice of it) while `-p genesys --rate 8000` was
// refused as "genesys offers no choice of it", though the call runs at 8000 Hz either way. A
// rate the platform runs at both ways is now taken wherever it is given; any other is refused,
// naming the rate the platform has (its only one where no setting changes it). Each is a
// subprocess of `deno run src/simulator/cli.ts`.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI takes --rate at a platform's one rate and refuses others naming it", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [
      ["-p", "genesys", "--rate", "16000"],
      /^simulate: --rate 16000: genesys offers no choice of it: its only rate is 8000 Hz\n/,
    ],
    [
      ["-p", "conversationrelay", "--rate", "16000"],
      /^simulate: --rate 16000: conversationrelay offers .*: its only rate is 8000 Hz\n/,
    ],
    // Pipecat's client sends 16 kHz and plays 24 kHz: no one rate to take.
    [
      ["-p", "pipecat", "--rate", "16000"],
      /^simulate: --rate 16000: pipecat .*: its only rates are 16000 Hz from the caller, 24000 Hz to it/,
    ],
    // Telnyx's --rate is its L16 playback rate: with PCMU played back (its default) it has none,
    // though the caller's L16 is 16 kHz.
    [
      ["-p", "telnyx", "--encoding", "L16", "--rate", "16000"],
      /^simulate: --rate 16000: telnyx .*: its audio is 16000 Hz from the caller, 8000 Hz to it/,
    ],
    [["-p", "twilio", "--rate", "16000"], /^simulate: --rate 16000: Twilio streams 8000 Hz/],
  ];
  const taken = [
    ["-p", "genesys", "--rate", "8000"],
    ["-p", "conversationrelay", "--rate", "8000"],
    ["-p", "telnyx", "--rate", "8000"],
    ["-p", "twilio", "--rate", "8000"],
  ];
  await expectUsage(url, refused, taken);
});
