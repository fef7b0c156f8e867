// A refused `--rate` named the flag that gives the rate asked for on Asterisk and Telnyx only. On
// Plivo the rate comes with the `<Stream>`'s `contentType` (Plivo's "Audio Stream" XML reference,
// its attributes table: audio/x-l16 at 8000 or 16000, audio/x-mulaw at 8000), and on Exotel μ-law
// is 8 kHz only while its PCM16 (`audio/x-raw`) takes 8, 16 or 24 kHz (the AgentStream pages):
// `-p plivo --encoding audio/x-mulaw --rate 16000` said only what Plivo streams, not `--encoding
// audio/x-l16` (Plivo's default, which takes 16000 as it is: `-p plivo --rate 16000`). A far end
// that refuses the rate as it is made is now asked, made without it, which setting gives it. And
// on a platform where no setting changes the rate (Genesys AudioHook's PCMU at 8 kHz,
// ConversationRelay, the pipecat client) the refusal said "(with these options)", sending the
// user looking for an option there is none of: it now says the platform's only rate(s). Where a
// setting could give a rate but none gives this one (Asterisk at 12345 Hz), it says so. Each is a
// subprocess of `deno run src/simulator/cli.ts`.
import assert from "node:assert/strict";
import { expectUsage, runCli } from "./_cli.ts";

Deno.test("the simulate CLI's refused --rate names the flag that gives it on every far end that has one", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [
      ["-p", "plivo", "--encoding", "audio/x-mulaw", "--rate", "16000"],
      /^simulate: --encoding audio\/x-mulaw --rate 16000: Plivo streams .*, got audio\/x-mulaw at 16000; for 16000 Hz, use --encoding audio\/x-l16\n/,
    ],
    [
      ["-p", "exotel", "--encoding", "audio/x-mulaw", "--rate", "24000"],
      /^simulate: --encoding audio\/x-mulaw --rate 24000: Exotel streams .*, got audio\/x-mulaw at 24000; for 24000 Hz, use --encoding audio\/x-raw\n/,
    ],
    // No encoding of Plivo's is at 24000 Hz, none of Exotel's at 12345: the rates it has, no hint.
    [
      ["-p", "plivo", "--rate", "24000"],
      /^simulate: --rate 24000: Plivo streams audio\/x-mulaw at 8000 Hz and audio\/x-l16 at 8000 or 16000 Hz, got audio\/x-l16 at 24000\n/,
    ],
    [
      ["-p", "exotel", "--encoding", "audio/x-mulaw", "--rate", "12345"],
      /, got audio\/x-mulaw at 12345\n/,
    ],
    // An encoding the platform refuses anyway: the encoding is what is wrong, no hint.
    [["-p", "plivo", "--encoding", "toString", "--rate", "16000"], /, got toString at 16000\n/],
    // No setting changes these platforms' rate: their only rate(s), no "with these options".
    [
      ["-p", "genesys", "--rate", "16000"],
      /^simulate: --rate 16000: genesys offers no choice of it: its only rate is 8000 Hz\n/,
    ],
    [
      ["-p", "conversationrelay", "--rate", "16000"],
      /^simulate: --rate 16000: conversationrelay offers no choice of it: its only rate is 8000 Hz\n/,
    ],
    [
      ["-p", "pipecat", "--rate", "24000"],
      /^simulate: --rate 24000: pipecat offers no choice of it: its only rates are 16000 Hz from the caller, 24000 Hz to it\n/,
    ],
    // A platform whose settings give other rates, but not this one.
    [
      ["-p", "asterisk", "--rate", "12345"],
      /: its audio is 8000 Hz; no setting of asterisk's gives 12345 Hz\n/,
    ],
  ];
  // What the hints name, with the --rate they were given for: taken; and Plivo's default L16 at
  // 16000 Hz, given the rate alone.
  const taken = [
    ["-p", "plivo", "--rate", "16000"],
    ["-p", "plivo", "--encoding", "audio/x-l16", "--rate", "16000"],
    ["-p", "exotel", "--encoding", "audio/x-raw", "--rate", "24000"],
  ];
  await expectUsage(url, refused, taken);
  // A rate the platform runs at with its options is taken, and a far end with a rate of its own
  // choosing names its rates itself (Vonage 8000 or 16000): neither gets a hint.
  const { stderr } = await runCli(["-p", "vonage", "--rate", "24000", url]);
  assert.match(
    stderr,
    /^simulate: --rate 24000: Vonage's audio\/l16 rate is 8000 or 16000, got 24000\n/,
  );
});
