// Ctrl-C under `npm run simulate`: the terminal sends SIGINT to the whole foreground process
// group, and npm passes the one it gets on to its script too, so the simulator gets two SIGINTs
// about 2 ms apart (measured: npm 11, `npm run` → `deno task` → `deno run`; npm now runs
// `deno run` itself, which relays it all the same). It took the second for the user's second
// press, "the shell's again", and died without its report. A copy within RELAYED_SIGINT_MS of the
// first is now the same Ctrl-C; a later one still ends the run at once.
import assert from "node:assert/strict";
import { CtrlC, RELAYED_SIGINT_MS, type SigintSource } from "../../src/simulator/_ctrl_c.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { quietBot, RUN_CLI } from "./_cli.ts";

Deno.test("the simulate CLI given Ctrl-C twice 2 ms apart, as npm relays it, still prints its report and exits 130", async () => {
  // A bot that accepts and stays quiet: the call would linger on until Ctrl-C.
  const { server, heard } = quietBot();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [...RUN_CLI, "-p", "raw", "-q", `ws://127.0.0.1:${server.addr.port}/`],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    try {
      await within(heard, 10_000, "the caller's first message");
    } finally {
      child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 2));
      child.kill("SIGINT");
    }
    const { code, signal, stdout, stderr } = await output;
    const text = new TextDecoder();
    assert.equal(signal, null, `killed by ${signal}: ${text.decode(stderr)}`);
    assert.equal(code, 130);
    assert.match(text.decode(stdout), /raw call to ws:\/\/127\.0\.0\.1:\d+\/: aborted at /);
  } finally {
    await server.shutdown();
  }
});

/** A SIGINT of the test's: `fire()` is a signal; `listening` says whether anyone listens. */
function fakeSigint(): SigintSource & { fire(): void; readonly listening: number } {
  const listeners = new Set<() => void>();
  return {
    add: (listener) => void listeners.add(listener),
    remove: (listener) => void listeners.delete(listener),
    fire: () => [...listeners].forEach((listener) => listener()),
    get listening() {
      return listeners.size;
    },
  };
}

Deno.test("Ctrl-C interrupts once; copies within the window are taken as relayed; then the shell's again", async () => {
  const clock = new FakeClock();
  const source = fakeSigint();
  let interrupts = 0;
  const ctrlC = new CtrlC({ clock, source, onInterrupt: () => interrupts++ });
  try {
    assert.equal(source.listening, 1, "listening from the start");
    assert.equal(ctrlC.interrupted, false);
    source.fire();
    assert.equal(interrupts, 1);
    assert.equal(ctrlC.interrupted, true);
    await clock.tick(2);
    source.fire();
    await clock.tick(RELAYED_SIGINT_MS - 3);
    source.fire();
    assert.equal(interrupts, 1, "the copies are the same Ctrl-C");
    assert.equal(ctrlC.relayed, 2);
    assert.equal(source.listening, 1, "still listening within the window");
    await clock.tick(1);
    assert.equal(source.listening, 0, "past the window, a Ctrl-C is the shell's: the run ends");
  } finally {
    ctrlC.stop();
  }
  ctrlC.stop();
  assert.equal(source.listening, 0);
});

Deno.test("Ctrl-C stopped before any SIGINT listens no more, and leaves no timer", async () => {
  const clock = new FakeClock();
  const source = fakeSigint();
  let interrupts = 0;
  const ctrlC = new CtrlC({ clock, source, onInterrupt: () => interrupts++ });
  ctrlC.stop();
  assert.equal(source.listening, 0);
  source.fire();
  await clock.tick(RELAYED_SIGINT_MS * 2);
  assert.equal(interrupts, 0);
  assert.equal(ctrlC.interrupted, false);
});
