// The demo as `npm start` runs it, in a child process a test can kill (the server dying under a
// page): shared by the demo page tests that need that.
import { within } from "../_ws_client.ts";

/** How long the child may take to say it listens (a cold start type-checks the demo). */
const LISTEN_MS = 15000;

/** The demo as `npm start` runs it, in a child process that can die: its origin, and the child. */
export async function demoProcess(): Promise<{ child: Deno.ChildProcess; origin: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read=examples/demo/public",
      "--allow-env=HOST,PORT,ORIGINS",
      "examples/demo/main.ts",
    ],
    // From the repository's root, as `npm start` runs it (its read permission is relative).
    cwd: new URL("../../", import.meta.url),
    env: { PORT: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream());
  const origin = (async () => {
    let text = "";
    for await (const part of lines) {
      text += part;
      const found = /Barge-in demo on (http:\/\/\S+?)\//.exec(text)?.[1];
      if (found) return found;
    }
    throw new Error(`the demo ended before listening:\n${text}`);
  })();
  try {
    return { child, origin: await within(origin, LISTEN_MS, "the demo's listening line") };
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  }
}
