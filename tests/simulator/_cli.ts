/**
 * The simulate CLI as users run it: a subprocess of `deno run src/simulator/cli.ts`, with the
 * permissions its `deno task simulate` gives it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { within } from "../_ws_client.ts";
import { main } from "../../src/simulator/cli.ts";

/** The CLI's entry point. */
export const CLI = new URL("../../src/simulator/cli.ts", import.meta.url).pathname;

/** `deno run`'s arguments before the CLI's own. */
export const RUN_CLI = ["run", "--allow-net", "--allow-read", "--allow-write", CLI];

/** Runs the CLI with `args` to its exit (in `cwd`, else this process's): its code and output. */
export async function runCli(
  args: string[],
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...RUN_CLI, ...args],
    ...(cwd === undefined ? {} : { cwd }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/**
 * Runs the CLI and sends it SIGINT (Ctrl-C) once `ready` (the bot saw the call: the CLI listens
 * for SIGINT from before its first call) and `afterMs` more have passed; `ms` is from SIGINT to
 * the exit.
 */
export async function runCliInterrupted(
  args: string[],
  ready: Promise<void>,
  afterMs = 0,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...RUN_CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    await within(ready, 10_000, "call reaching the bot");
    await new Promise((resolve) => setTimeout(resolve, afterMs));
  } finally {
    child.kill("SIGINT");
  }
  const at = performance.now();
  const { code, stdout, stderr } = await output;
  const text = new TextDecoder();
  const ms = performance.now() - at;
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr), ms };
}

/**
 * Runs the CLI once per case, all at once: each of `refused` is bad usage (exit 2, its message on
 * stderr, no report), each of `taken` makes a call to `url` (a port that never answers: exit 1 with
 * a report, not usage).
 */
export async function expectUsage(
  url: string,
  refused: [string[], RegExp][],
  taken: string[][],
): Promise<void> {
  await Promise.all([
    ...refused.map(async ([args, message]) => {
      const { code, stdout, stderr } = await runCli([...args, url]);
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, message);
      assert.equal(stdout, "", "no call, no report");
    }),
    ...taken.map(async (args) => {
      const { code, stdout, stderr } = await runCli(["-q", ...args, url]);
      assert.equal(code, 1, `${args.join(" ")}: ${stderr}`);
      assert.notEqual(stdout, "", "a report");
    }),
  ]);
}

/**
 * What the CLI's `--help` prints (its `main`, in this process), after checking it exits 0.
 */
export async function printedHelp(): Promise<string> {
  const log = console.log;
  const printed: string[] = [];
  console.log = (text: string) => printed.push(text);
  try {
    assert.equal(await main(["--help"]), 0);
  } finally {
    console.log = log;
  }
  return printed.join("\n");
}

/**
 * A bot on 127.0.0.1 that accepts a call and stays quiet, so the call lingers until the caller
 * ends it; `heard` settles at the first message it receives (the call is under way).
 */
export function quietBot(): { server: Deno.HttpServer<Deno.NetAddr>; heard: Promise<void> } {
  const heard = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => heard.resolve();
    return response;
  });
  return { server, heard: heard.promise };
}
