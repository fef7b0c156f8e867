// The Genesys far end driven by hand on a FakeClock, no socket: the test plays the AudioHook
// server's side message by message, at the times it sets, and reads what the far end sent,
// reported and noted. Server messages as Genesys's reference implementation types them
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/message.ts:
// `{version: "2", type, seq, clientseq, id, parameters}`, `seq` counting from 1).
import type { EndCallOptions } from "../../src/simulator/far_end.ts";
import { GenesysFarEnd } from "../../src/simulator/far_ends/genesys.ts";
import { IDLE_CONTEXT } from "../../src/simulator/_idle_context.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

/** A client message the far end sent, as parsed. */
export interface ClientMessage {
  type: string;
  seq: number;
  id: string;
  parameters: Record<string, unknown>;
}

/** A far end under a test's hand. */
export interface AudioHookSession {
  farEnd: GenesysFarEnd;
  /** The far end's clock (call time from 0). */
  clock: FakeClock;
  /** What it sent, in order. */
  sent: ClientMessage[];
  /** Its violations, as `rule: detail`. */
  rules: string[];
  /** Its notes, one entry each time. */
  notes: string[];
  /** The calls it ended (`FarEndContext.endCall`), in order. */
  ended: { by: string; reason: string; options: EndCallOptions | undefined }[];
  /**
   * Delivers the server's next message of `type` (the next `seq`), answering the client's
   * message `clientseq` (default: the last it sent).
   */
  server(
    type: string,
    options?: { parameters?: Record<string, unknown>; clientseq?: number },
  ): void;
}

/** Opens a Genesys far end (its `open` sent) with nothing answered yet. */
export function openAudioHookSession(): AudioHookSession {
  const clock = new FakeClock();
  const sent: ClientMessage[] = [];
  const rules: string[] = [];
  const notes: string[] = [];
  const ended: AudioHookSession["ended"] = [];
  const farEnd = new GenesysFarEnd({});
  farEnd.open({
    ...IDLE_CONTEXT,
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    send: (message) => void sent.push(JSON.parse(message as string)),
    violation: (rule, detail) => void rules.push(`${rule}: ${detail}`),
    note: (what) => void notes.push(what),
    endCall: (by, reason, options) => void ended.push({ by, reason, options }),
  });
  let seq = 0;
  const server: AudioHookSession["server"] = (type, options = {}) => {
    const { parameters = {}, clientseq = sent.at(-1)!.seq } = options;
    const id = sent[0]!.id;
    farEnd.receive(JSON.stringify({ version: "2", type, seq: ++seq, clientseq, id, parameters }));
  };
  return { farEnd, clock, sent, rules, notes, ended, server };
}
