// --encoding or --playback-encoding given to a protocol whose platform offers no choice of
// encoding was refused as "twilio offers no choice of it (with these options)": words meant for a
// rate that another option opens (Telnyx's L16 playback rate), where no option opens an encoding
// on these platforms (Twilio's Media Streams are μ-law at 8 kHz alone: "Media Streams – WebSocket
// Messages", `mediaFormat`), so the user went looking for one, and the message never said where
// the flag belongs. It now names the protocols that take it, found from the far ends themselves.
// Subprocesses of the CLI, refused before any call is made.
import assert from "node:assert/strict";
import { expectUsage, runCli } from "./_cli.ts";

const TAKE_ENCODING = "-p telnyx, plivo, exotel, asterisk or asterisk-json takes --encoding";

Deno.test("the simulate CLI refuses an encoding elsewhere naming the protocols that take it", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  await expectUsage(url, [
    [
      ["-p", "twilio", "--encoding", "PCMA"],
      new RegExp(`^simulate: --encoding PCMA: twilio offers no choice of it: ${TAKE_ENCODING}\n`),
    ],
    [
      ["-p", "genesys", "--encoding", "PCMU"],
      new RegExp(`^simulate: --encoding PCMU: genesys offers no choice of it: ${TAKE_ENCODING}\n`),
    ],
    [
      ["-p", "vonage", "--playback-encoding", "L16"],
      /^simulate: --playback-encoding L16: vonage offers no choice of it: -p telnyx takes --playback-encoding\n/,
    ],
  ], [["-p", "plivo", "--encoding", "audio/x-l16"]]);
  const { stderr } = await runCli(["-p", "twilio", "--encoding", "PCMA", url]);
  assert.doesNotMatch(stderr.split("\n")[0]!, /with these options/);
});
