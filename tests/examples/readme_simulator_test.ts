/**
 * The README's caller simulator, run as a user runs it ("Test your bot without a phone"): its
 * `simulateCall` block, which the README runner shows only (it is marked `(a fragment)`: it calls
 * a server at port 8000 and reads a `caller.wav` of the user's), so neither its type check nor its
 * run was tested; and its `npm run simulate --` command lines, which no test ran as written. Both
 * run as the README says to use them: against `npm start`'s demo (`/phone` speaks Twilio, `/ws`
 * raw PCM), with the checkout's `bill_16k.wav` as `caller.wav`; the block in a project that uses
 * the checkout, the commands from the checkout's root as the `simulate` task runs them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { type ChildServer, launchServer } from "./_child_server.ts";
import { codeBlocks, where } from "./_markdown.ts";
import { projectDir } from "./_readme_run.ts";

const ROOT = new URL("../../", import.meta.url);
/** The address the block calls: the demo's Twilio line at `npm start`'s port. */
const DEMO_PHONE = "ws://127.0.0.1:8000/phone";

/**
 * The demo as `npm start` runs it (deno.json's `start` task's permissions), on port 0: the
 * preload prints the port it listens on.
 */
function startDemo(): Promise<ChildServer> {
  return launchServer(Deno.execPath(), [
    "run",
    "--allow-net",
    "--allow-read=examples/demo/public",
    "--allow-env=HOST,PORT,ORIGINS",
    "--preload",
    fromFileUrl(new URL("./_listen_deno.ts", import.meta.url)),
    "examples/demo/main.ts",
  ], { cwd: fromFileUrl(ROOT), env: { PORT: "0" }, listenTimeoutMs: 60000 });
}

/** The README's one block that calls `simulateCall` from `@x/ws-transport/simulator`. */
async function simulatorBlock() {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const found = codeBlocks(readme, "README.md").filter((block) =>
    /from "@x\/ws-transport\/simulator"/.test(block.code) && /\bsimulateCall\(/.test(block.code)
  );
  assert.equal(found.length, 1, "one README block calls simulateCall");
  const block = found[0]!;
  assert.ok(block.code.includes(DEMO_PHONE), `${where(block)} calls ${DEMO_PHONE}`);
  return block;
}

Deno.test("the README's simulateCall block calls the demo's phone line and prints its report", async () => {
  const block = await simulatorBlock();
  await using demo = await startDemo();
  const url = `ws://127.0.0.1:${demo.port}/phone`;
  // The block as shown, at the demo's port; then what the block promises besides its printout:
  // `record: true` fills `report.recording` (a stereo WAV), the DTMF press is sent.
  const code = block.code.replace(DEMO_PHONE, url) +
    'if (!(report.recording instanceof Uint8Array)) throw new Error("no recording");\n' +
    "if (report.dtmf.sent !== 1) throw new Error(`dtmf sent: ${report.dtmf.sent}`);\n";
  const dir = await projectDir({ "simulate.ts": code });
  try {
    await Deno.copyFile(
      new URL("tests/streams/fixtures/bill_16k.wav", ROOT),
      join(dir, "caller.wav"),
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--check",
        "--config",
        join(dir, "deno.json"),
        "--allow-net",
        "--allow-read",
        "simulate.ts",
      ],
      cwd: dir,
      stdin: "null",
      signal: AbortSignal.timeout(60000),
    }).output();
    const output = new TextDecoder().decode(run.stdout);
    const all = `${where(block)}:\n${output}${new TextDecoder().decode(run.stderr)}\n` +
      `demo:\n${demo.output()}`;
    assert.equal(run.code, 0, all);
    // The report names the call and uses the block's speech segment (500–1700 ms of the caller's
    // audio) for #1: on the call's timeline, which counts from the socket's opening, it starts
    // as far past 0.50 s as the caller's audio began after it (Twilio's opening messages).
    assert.match(output, new RegExp(`^twilio call to ${url.replaceAll(/[/.?]/g, "\\$&")}: `), all);
    const segment = /#1 segments (\d+\.\d\d) s–(\d+\.\d\d) s/.exec(output);
    assert.ok(segment, all);
    const [from, to] = [Number(segment[1]), Number(segment[2])];
    assert.ok(from >= 0.5 && from < 1, all);
    assert.ok(Math.abs(to - from - 1.2) < 0.015, all);
    assert.match(output, /dtmf {13}1 sent/, all);
    // `bargeIn: { afterMs: 800 }`: the caller spoke over the parrot's answer 800 ms into it.
    assert.match(output, /barge-ins {8}[1-9]/, all);
    assert.match(output, /injected: stopped in/, all);
    assert.match(output, /violations {7}none/, all);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The README's sentence naming what `npm run simulate --` stands for, as a command line. */
const STANDS_FOR = /`npm run simulate --` stands for\s+`([^`]+)`/;

/** A shell line's words: double-quoted words unquoted, a trailing `# comment` left out. */
function words(line: string): string[] {
  const command = line.replace(/\s+#.*$/, "");
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

Deno.test("the README's simulator command lines run from a checkout against the demo", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  // What `npm run simulate --` runs: the README's words for it are deno.json's `simulate` task.
  const task = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks.simulate;
  const standsFor = STANDS_FOR.exec(readme.replace(/\n/g, " "))?.[1];
  assert.equal(standsFor, task, "the README's `npm run simulate --` is the simulate task");
  const lines = codeBlocks(readme, "README.md")
    .filter((block) => block.lang === "sh")
    .flatMap((block) => block.code.split("\n"))
    .filter((line) => line.startsWith("npm run simulate -- "));
  assert.ok(lines.length >= 3, `found ${lines.length} simulator command lines`);
  await using demo = await startDemo();
  const dir = await Deno.makeTempDir({ prefix: "readme-simulate-" });
  try {
    const [deno, ...taskArgs] = words(task);
    assert.equal(deno, "deno");
    for (const line of lines) {
      // From the checkout's root, as the README says; the user's files given as absolute paths.
      const heard = join(dir, "heard.wav");
      const args = words(line).slice("npm run simulate --".split(" ").length).map((word) =>
        word === "caller.wav"
          ? fromFileUrl(new URL("tests/streams/fixtures/bill_16k.wav", ROOT))
          : word === "heard.wav"
          ? heard
          : word.replace("127.0.0.1:8000", `127.0.0.1:${demo.port}`)
      );
      const run = await new Deno.Command(Deno.execPath(), {
        args: [...taskArgs, ...args],
        cwd: fromFileUrl(ROOT),
        stdin: "null",
        signal: AbortSignal.timeout(90000),
      }).output();
      const output = new TextDecoder().decode(run.stdout);
      const all = `${line}\n${output}${
        new TextDecoder().decode(run.stderr)
      }\ndemo:\n${demo.output()}`;
      assert.equal(run.code, 0, all);
      if (args.includes("--help")) {
        assert.match(output, /^Usage: simulate \[options\] <ws-url>$/m, all);
        continue;
      }
      assert.match(output, /^ {2}result {11}(passed|\d+ passed)$/m, all);
      const calls = args.indexOf("--calls");
      if (calls >= 0) assert.match(output, new RegExp(`^${args[calls + 1]} calls \\(`), all);
      if (args.includes("--record")) {
        // The stereo WAV the README promises: left the caller, right what the caller heard.
        const wav = await Deno.readFile(heard);
        assert.equal(new TextDecoder().decode(wav.subarray(0, 4)), "RIFF", all);
        assert.equal(new DataView(wav.buffer).getUint16(22, true), 2, "two channels");
        await Deno.remove(heard);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
