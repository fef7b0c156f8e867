// A fault of the simulator's own had no exit status of its own: one thrown while the calls ran
// exited 2, which the CLI's --help gives to bad usage (the user's fault), and one thrown after
// them (writing the report) left `main` rejected, the runtime's uncaught error exiting 1, which
// --help gives to a call that failed (the bot's fault, as a CI job reads it). Either now exits 3,
// "the simulator itself failed", said on stderr, and --help says so.
// The fault is injected in this process (`main`, not a subprocess): a built-in the simulator
// relies on made to throw, as a bug of its own would.
import assert from "node:assert/strict";
import { main } from "../../src/simulator/cli.ts";
import { printedHelp } from "./_cli.ts";

/** `main(args)` with `console.log` and `console.error` caught: its status and what it printed. */
async function mainCaught(
  args: string[],
  log: (text: string) => void = () => {},
): Promise<{ code: number; stderr: string }> {
  const { log: oldLog, error: oldError } = console;
  const errors: string[] = [];
  console.log = log;
  console.error = (text: string) => errors.push(text);
  try {
    return { code: await main(args), stderr: errors.join("\n") };
  } finally {
    console.log = oldLog;
    console.error = oldError;
  }
}

/** A URL of 127.0.0.1 where nothing listens (a port just given back): a call fails at once. */
function closedPortUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return `ws://127.0.0.1:${port}/`;
}

const INTERNAL =
  /^simulate: internal error \(the simulator's own fault, not the bot's nor the command line's\): Error: injected fault\n/;

Deno.test("a fault of the simulator's own while the calls run exits 3, not 2 (bad usage)", async () => {
  // The first thing a call does is note when it started: a fault there is inside the calls.
  const toISOString = Date.prototype.toISOString;
  Date.prototype.toISOString = () => {
    throw new Error("injected fault");
  };
  let run;
  try {
    run = await mainCaught(["-q", "-p", "raw", closedPortUrl()]);
  } finally {
    Date.prototype.toISOString = toISOString;
  }
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, INTERNAL);
});

Deno.test("a fault of the simulator's own after the calls (printing the report) exits 3", async () => {
  const run = await mainCaught(
    ["-q", "-p", "raw", "--connect-timeout", "5000", closedPortUrl()],
    () => {
      throw new Error("injected fault");
    },
  );
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, INTERNAL);
});

Deno.test("the simulate CLI's --help gives exit status 3 to the simulator's own faults", async () => {
  const text = (await printedHelp()).replace(/\s+/g, " ");
  assert.match(text, /; 2 for bad usage; 3 when the simulator itself failed \(an internal error/);
});
