// `--record` written after the call replaced whatever file it named, the caller's `--audio` too
// (`--audio heard.wav --record heard.wav`: a recording played back as the caller): the audio the
// call was made from was lost without a word. Refused as bad usage before any call, however the
// two names reach one file (the same name, `./` before it, a symbolic link, or one of --calls N's
// FILE-N.wav); another file is taken.
import assert from "node:assert/strict";
import { runCli } from "./_cli.ts";

const FIXTURE = new URL("../streams/fixtures/bill_16k.wav", import.meta.url).pathname;

Deno.test("the simulate CLI refuses a --record that would overwrite its --audio", async () => {
  const dir = Deno.realPathSync(await Deno.makeTempDir());
  // Port 9 refuses: a command line that is taken makes a call that fails to connect (exit 1).
  const url = "ws://127.0.0.1:9/";
  try {
    const audio = await Deno.readFile(FIXTURE);
    await Deno.writeFile(`${dir}/heard.wav`, audio);
    await Deno.writeFile(`${dir}/take-2.wav`, audio);
    await Deno.symlink(`${dir}/heard.wav`, `${dir}/link.wav`);
    const refused: string[][] = [
      ["--audio", "heard.wav", "--record", "heard.wav"],
      ["--audio", "heard.wav", "--record", "./heard.wav"],
      ["--audio", `${dir}/heard.wav`, "--record", "link.wav"],
      ["--audio", "take-2.wav", "--record", "take.wav", "--calls", "2"],
    ];
    for (const args of refused) {
      const { code, stdout, stderr } = await runCli(["-q", ...args, url], dir);
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(
        stderr,
        /^simulate: --record .* is --audio's file: the recording would overwrite/,
      );
      assert.equal(stdout, "", "no call, no report");
    }
    assert.deepEqual(await Deno.readFile(`${dir}/heard.wav`), audio, "the caller's audio kept");
    const taken = await runCli(["-q", "--audio", "heard.wav", "--record", "other.wav", url], dir);
    assert.equal(taken.code, 1, taken.stderr);
    assert.notEqual(taken.stdout, "", "a report");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
