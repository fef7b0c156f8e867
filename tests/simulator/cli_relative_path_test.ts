// `npm run simulate` and `deno task simulate` run the CLI in the checkout's root, not in the
// shell's directory: `--audio caller.wav` typed in a subdirectory, where the file is, was refused
// as "cannot read caller.wav", naming a file the user could see. A relative name is told with the
// path it was taken as, for --audio and --record alike; an absolute one as it was typed.
import assert from "node:assert/strict";
import { runCli } from "./_cli.ts";

Deno.test("the simulate CLI names the path a relative --audio or --record was taken as", async () => {
  const dir = Deno.realPathSync(await Deno.makeTempDir());
  const url = "ws://127.0.0.1:9/"; // never reached: refused first
  try {
    const cases: [string[], string][] = [
      [["--audio", "caller.wav"], `--audio: cannot read caller.wav (${dir}/caller.wav): `],
      [
        ["--record", "missing/heard.wav"],
        `--record: cannot write missing/heard.wav (${dir}/missing/heard.wav): `,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await runCli(["-q", ...args, url], dir);
      assert.equal(code, 2, stderr);
      assert.ok(stderr.startsWith(`simulate: ${message}`), stderr.split("\n")[0] ?? "");
      assert.equal(stdout, "", "no call, no report");
    }
    // Absolute: as typed, no path beside it.
    const absolute = await runCli(["-q", "--audio", `${dir}/caller.wav`, url], dir);
    assert.ok(
      absolute.stderr.startsWith(`simulate: --audio: cannot read ${dir}/caller.wav: `),
      absolute.stderr.split("\n")[0] ?? "",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
