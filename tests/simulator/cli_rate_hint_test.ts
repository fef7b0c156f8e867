// A `--rate` refused by a platform whose rate comes with another setting said only what rate the
// platform has, not how to get the one asked for: `-p asterisk --rate 16000` (Asterisk's rate is
// its format's: chan_websocket's slin16, or g722, at 16 kHz) and `-p telnyx --encoding L16 --rate
// 16000` (Telnyx's --rate is its L16 playback rate, TeXML <Stream>'s `bidirectionalSamplingRate`,
// read only with `bidirectionalCodec` L16). The far end names the setting (far_end.ts
// `optionsForRate`) and the refusal words it as flags; each way it names is then taken. A rate no
// setting gives is refused with no hint, saying that none gives it. Each is a subprocess of
// `deno run src/simulator/cli.ts`.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI's refused --rate names the flags that give the rate", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [
      ["-p", "asterisk", "--rate", "16000"],
      /^simulate: --rate 16000: asterisk .*: its audio is 8000 Hz; for 16000 Hz, use --encoding slin16 or --encoding g722\n/,
    ],
    [
      ["-p", "asterisk", "--encoding", "slin16", "--rate", "8000"],
      /^simulate: --rate 8000: asterisk .*: its audio is 16000 Hz; for 8000 Hz, use --encoding slin or --encoding ulaw or --encoding alaw\n/,
    ],
    [
      ["-p", "telnyx", "--encoding", "L16", "--rate", "16000"],
      /^simulate: --rate 16000: telnyx .*: its audio is 16000 Hz from the caller, 8000 Hz to it; for 16000 Hz, use --playback-encoding L16\n/,
    ],
    [
      ["-p", "telnyx", "--rate", "24000"],
      /^simulate: --rate 24000: telnyx .*: its audio is 8000 Hz; for 24000 Hz, use --playback-encoding L16\n/,
    ],
    // No format of Asterisk's is at 12345 Hz, and Telnyx plays L16 at none: nothing to name.
    [
      ["-p", "asterisk", "--rate", "12345"],
      /: its audio is 8000 Hz; no setting of asterisk's gives 12345 Hz\n/,
    ],
    [
      ["-p", "telnyx", "--rate", "12345"],
      /: its audio is 8000 Hz; no setting of telnyx's gives 12345 Hz\n/,
    ],
  ];
  // What the hints name, with the --rate they were given for: taken.
  const taken = [
    ["-p", "asterisk", "--encoding", "slin16", "--rate", "16000"],
    ["-p", "asterisk", "--encoding", "g722", "--rate", "16000"],
    ["-p", "asterisk", "--encoding", "slin", "--rate", "8000"],
    ["-p", "telnyx", "--encoding", "L16", "--playback-encoding", "L16", "--rate", "16000"],
    ["-p", "telnyx", "--playback-encoding", "L16", "--rate", "24000"],
  ];
  await expectUsage(url, refused, taken);
});
