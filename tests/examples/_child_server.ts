/**
 * A server run as a child process, as a user starts it: its output kept (stdout and stderr), its
 * port read from the line it prints when it listens, every wait bounded and woken by the output
 * itself, never by polling.
 *
 * @module
 */

import { within } from "../_ws_client.ts";

/** What `deno serve` and the suite's servers print once they listen (`listening <port>`). */
const LISTENING = /(?:^|\n)(?:listening |deno serve: Listening on https?:\/\/\S*?:)(\d+)/;

/** How a {@linkcode launchServer} child is started. */
export interface LaunchOptions {
  cwd?: string;
  env: Record<string, string>;
  /** Start it with `env` alone, none of the test's own environment. */
  clearEnv?: boolean;
  /** Removes what was built for it, once it has gone. */
  cleanup?: () => Promise<void>;
  /** How long it may take to listen. */
  listenTimeoutMs: number;
}

/** A child server that listens. */
export interface ChildServer extends AsyncDisposable {
  /** The 127.0.0.1 port it listens on. */
  port: number;
  /** What it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Settles once it has printed a line matching `pattern` (bounded: rejects after 10 s). */
  printed(pattern: RegExp): Promise<void>;
  /** Stops it (SIGTERM, SIGKILL after 5 s) and removes what was built for it. */
  close(): Promise<void>;
}

/**
 * Starts `command args…` and waits until it says which port it listens on. Rejects, with what it
 * printed, when it exits first (the error's `code` is then its exit code) or takes too long.
 */
export async function launchServer(
  command: string,
  args: string[],
  options: LaunchOptions,
): Promise<ChildServer> {
  const child = new Deno.Command(command, {
    args,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env,
    clearEnv: options.clearEnv ?? false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const waiter of waiters) waiter();
  };
  const drain = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      log += text;
      wakeAll();
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let code: number | undefined;
  const status = child.status.then(async (s) => {
    // Its last words may still be in the pipes when its exit is known: read them first, or a
    // refusal is reported with an empty log (bounded: a grandchild may hold a pipe open).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([drained, new Promise((resolve) => timer = setTimeout(resolve, 2000))]);
    clearTimeout(timer);
    code = s.code;
    wakeAll();
  });
  /** Settles when `check` says so, looked at again on each output and at the exit. */
  const until = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> => {
    let waiter = () => {};
    const seen = new Promise<T>((resolve, reject) => {
      waiter = () => {
        try {
          const found = check();
          if (found !== undefined) resolve(found);
        } catch (error) {
          reject(error);
        }
      };
      waiters.add(waiter);
      waiter();
    });
    return within(seen, ms, what).finally(() => waiters.delete(waiter));
  };
  const close = async () => {
    if (code === undefined) child.kill("SIGTERM");
    // `deno serve` shuts down gracefully on SIGTERM, waiting for open requests: a hung one
    // would keep it forever. What has not gone after a few seconds is killed.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([status, new Promise((resolve) => timer = setTimeout(resolve, 5000))]);
    clearTimeout(timer);
    if (code === undefined) child.kill("SIGKILL");
    await status;
    await drained;
    await options.cleanup?.();
  };
  try {
    const port = await until(
      () => {
        const found = LISTENING.exec(log)?.[1];
        if (found) return Number(found);
        if (code !== undefined) {
          throw Object.assign(
            new Error(`${command} ended before listening (exit ${code}):\n${log}`),
            {
              code,
            },
          );
        }
        return undefined; // not yet
      },
      options.listenTimeoutMs,
      `listening line from ${command} ${args.join(" ")}`,
    );
    const printed = (pattern: RegExp) =>
      until(() => pattern.test(log) || undefined, 10000, `${pattern} in the output:\n${log}`)
        .then(() => {});
    return { port, output: () => log, printed, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}
