// `npm run simulate` and `deno task simulate` run the CLI in the checkout's root, not in the
// shell's directory: `--audio caller.wav` typed in a subdirectory, where the file is, was refused
// as "cannot read caller.wav", naming a file the user could see. A relative name is told with the
// path it was taken as, for --audio and --record alike; an absolute one as it was typed.
import assert from "node:assert/strict";
import { RUN_CLI } from "./_cli.ts";

/** Runs the CLI in `cwd` with `args` to its exit. */
async function runIn(cwd: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...RUN_CLI, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

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
      const { code, stdout, stderr } = await runIn(dir, ["-q", ...args, url]);
      assert.equal(code, 2, stderr);
      assert.ok(stderr.startsWith(`simulate: ${message}`), stderr.split("\n")[0] ?? "");
      assert.equal(stdout, "", "no call, no report");
    }
    // Absolute: as typed, no path beside it.
    const absolute = await runIn(dir, ["-q", "--audio", `${dir}/caller.wav`, url]);
    assert.ok(
      absolute.stderr.startsWith(`simulate: --audio: cannot read ${dir}/caller.wav: `),
      absolute.stderr.split("\n")[0] ?? "",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
