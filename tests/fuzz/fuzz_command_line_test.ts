// The fuzz tools' command lines, run as users run them (a subprocess of `deno run`): `--help`
// lists every flag and exits 0 before any session runs, and a flag the tool does not know is
// refused with exit 2, named. Both used to start a default run instead (minutes of sessions,
// none of them the one asked for), so each run here is bounded and killed past its bound.
import assert from "node:assert/strict";
import { within } from "../_ws_client.ts";
import { KINDS } from "./surface_operations.ts";
import { PROTOCOLS } from "./protocols.ts";
import { BOTH_TRACKS_PROTOCOLS, IMPAIRMENTS } from "./generators_both_tracks.ts";

const INBOUND = new URL("./inbound_fuzz.ts", import.meta.url).pathname;
const SURFACE = new URL("./surface_operations.ts", import.meta.url).pathname;
/** Real ms a command line may take: type-checking and start-up, no session. */
const BOUND_MS = 30_000;

/** Runs `tool` with `args` to its exit, killed past `BOUND_MS`: its code and what it printed. */
async function run(tool: string, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", tool, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    const { code, stdout, stderr } = await within(output, BOUND_MS, `exit of ${args.join(" ")}`);
    const text = new TextDecoder();
    return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
  } catch (error) {
    child.kill();
    await output;
    throw error;
  }
}

Deno.test("inbound_fuzz --help lists its flags, protocols and what --skip takes, and exits 0 running nothing", async () => {
  const { code, stdout } = await run(INBOUND, ["--help"]);
  assert.equal(code, 0);
  for (const flag of ["protocol", "both-tracks", "seeds", "steps", "first-seed", "seed", "skip"]) {
    assert.match(stdout, new RegExp(`--${flag}\\b`), `--${flag} listed`);
  }
  for (const name of [...PROTOCOLS.keys(), ...BOTH_TRACKS_PROTOCOLS.keys(), ...IMPAIRMENTS]) {
    assert.ok(stdout.includes(name), `${name} listed`);
  }
  assert.doesNotMatch(stdout, /seeds \d+\.\.\d+/, "no protocol was run");
});

Deno.test("inbound_fuzz refuses a flag it does not know with exit 2, naming it, running nothing", async () => {
  const { code, stdout, stderr } = await run(INBOUND, ["--seedz", "3"]);
  assert.equal(code, 2);
  assert.match(stderr, /--seedz/);
  assert.equal(stdout, "");
});

Deno.test("inbound_fuzz refuses a --skip name it does not know with exit 2, naming it", async () => {
  const { code, stdout, stderr } = await run(INBOUND, ["--both-tracks", "--skip", "reordr"]);
  assert.equal(code, 2);
  assert.match(stderr, /--skip reordr/);
  assert.equal(stdout, "");
});

Deno.test("inbound_fuzz still runs what its flags ask: one seed, ten steps", async () => {
  const { code, stdout } = await run(INBOUND, [
    "--protocol",
    "twilio",
    "--seed",
    "1",
    "--steps=10",
  ]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^twilio +seeds 1\.\.1 × 10 steps: ok/);
});

Deno.test("surface_operations --help lists its flags and kinds, and exits 0 running nothing", async () => {
  const { code, stdout } = await run(SURFACE, ["--help"]);
  assert.equal(code, 0);
  for (const flag of ["kind", "seeds", "ops", "first", "seed", "verbose"]) {
    assert.match(stdout, new RegExp(`--${flag}\\b`), `--${flag} listed`);
  }
  for (const kind of KINDS) assert.ok(stdout.includes(kind), `${kind} listed`);
  assert.doesNotMatch(stdout, /seeds failed/, "no session was run");
});

Deno.test("surface_operations refuses a flag it does not know with exit 2, naming it, running nothing", async () => {
  const { code, stdout, stderr } = await run(SURFACE, ["--kindd", "raw"]);
  assert.equal(code, 2);
  assert.match(stderr, /--kindd/);
  assert.equal(stdout, "");
});

Deno.test("surface_operations refuses --verbose without --seed with exit 2 (it would print nothing more)", async () => {
  const { code, stderr } = await run(SURFACE, ["--verbose", "--seeds", "1"]);
  assert.equal(code, 2);
  assert.match(stderr, /--verbose needs --seed/);
});

Deno.test("surface_operations still runs what its flags ask: two seeds of five operations", async () => {
  const { code, stdout } = await run(SURFACE, ["--seeds", "2", "--ops", "5", "--kind", "raw"]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^0 of 2 seeds failed \(5 ops, kind raw,/);
});
