/**
 * A whole-frames serializer (Vonage, Asterisk) that answers later (a subclass of the user's that
 * awaits something first, in order: ours answer at once) pads the partial frame it holds at a
 * bot's mark as it answers. An interruption that comes while that answer is awaited is answered
 * after it, in order: the padded frame reaches the far end before the clear, which drops it with
 * everything it holds (developer.vonage.com, Voice API, WebSockets: `{"action":"clear"}` clears
 * all buffered audio; docs.asterisk.org, Channel Drivers → WebSocket: `FLUSH_MEDIA` discards all
 * queued media). Its padding then never plays: the next response is heard to begin as it leaves,
 * not that padding later.
 */
import assert from "node:assert/strict";
import {
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

/** `call`, its serializer made to answer every frame in order, a bot's mark once let go. */
function answeringLater(call: (typeof WHOLE_FRAME_CALLS)[number]) {
  let letGo = (): void => {};
  const markLetGo = new Promise<void>((resolve) => letGo = resolve);
  return {
    letGo: () => letGo(),
    call: {
      ...call,
      serializer: () => {
        const serializer = call.serializer();
        const answer = serializer.serialize.bind(serializer);
        let answered: Promise<unknown> = Promise.resolve();
        serializer.serialize = (frame) => {
          const waits = frame.type === "mark" && frame.name === "after-a" ? markLetGo : undefined;
          const answering = answered.then(() => waits).then(() => answer(frame));
          answered = answering;
          return answering;
        };
        return serializer;
      },
    },
  };
}

// 1000 bytes (31.25 ms) of response "a": one 640-byte frame, 360 bytes held, padded with 280
// (8.75 ms) at the mark, whose answer is let go at 100 ms, after the interruption at 50 ms.
for (const base of WHOLE_FRAME_CALLS) {
  Deno.test(`${base.name} answering later: a bot mark's padding that an interruption cleared is not placed`, async () => {
    const { call, letGo } = answeringLater(base);
    const { clock, pair, transport } = await openWholeFrameSession(call);
    const wire: string[] = []; // "padded" for a binary message ending in silence, then the text
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") wire.push(data);
      else if (new Uint8Array(data as ArrayBuffer).at(-1) === 0) wire.push("padded");
    });
    const starts: [string | undefined, number][] = [];
    transport.addEventListener("speakingstart", (event) => {
      starts.push([(event as SpeakingEvent).responseId, clock.now()]);
    });
    void transport.send(botAudio(1000, "a"));
    void transport.send({ type: "mark", name: "after-a" });
    await clock.tick(50);
    void transport.interrupt();
    void transport.send(botAudio(1000, "b"));
    await clock.tick(50);
    letGo();
    await clock.tick(0);
    const padded = wire.indexOf("padded");
    const clear = wire.findIndex((text) => /"clear"|FLUSH_MEDIA/.test(text));
    assert.ok(padded >= 0 && clear > padded, `the padded frame, then the clear: ${wire}`);
    await clock.tick(3000);
    await transport.close();
    await clock.tick(60_000);
    // Before: "b" began at 108.75 ms, after the cleared padding.
    assert.deepEqual(starts, [["a", 0], ["b", 100]]);
  });
}
