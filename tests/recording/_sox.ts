/**
 * Runs Debian's `sox` (an oracle independent of this module: its own G.711 decoder, resampler and
 * WAV reader) on bytes piped in, and returns what it writes out.
 *
 * @module
 */

import assert from "node:assert/strict";

/** `sox` with `args`, `input` on its stdin; its stdout. Fails naming sox's complaint. */
export async function sox(args: string[], input?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("sox", {
    args,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read while writing: sox writes as it reads, and with its output unread it stops reading once
  // the pipe is full (64 KB), and the write waits for ever.
  const output = child.output();
  if (input !== undefined) {
    // sox may stop reading once it has what it needs (`--i` reads a header alone): the pipe it
    // closed is no failure, its exit status says whether it was.
    const writer = child.stdin.getWriter();
    await writer.write(input).then(() => writer.close()).catch((error) => {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    });
  }
  const { code, stdout, stderr } = await output;
  assert.equal(code, 0, `sox ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  return stdout;
}

/** sox's options for headerless 16-bit signed mono PCM at `rate`. */
export function rawPcm(rate: number): string[] {
  return ["-t", "raw", "-r", String(rate), "-e", "signed", "-b", "16", "-c", "1"];
}

/** The samples in `bytes` (16-bit little-endian), copied to an aligned array. */
export function samplesOf(bytes: Uint8Array): Int16Array {
  return new Int16Array(bytes.slice().buffer);
}
