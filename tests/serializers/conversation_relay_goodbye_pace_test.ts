// How long a held `end` waits for a goodbye in Chinese, Japanese or Korean. Twilio's "Getting and
// sending WebSocket messages" (twilio.com/docs/voice/conversationrelay/websocket-messages): a
// "Text tokens message" carries text of any language the voice speaks (its `lang`, and the
// "Language message"'s `ttsLanguage`, switch it), and no message says when it has been spoken; the
// serializer holds the `end` for the text's estimated speaking time. These scripts are written
// about a syllable a character, not a letter: read fast, as broadcast news, Mandarin goes at
// 250–270 characters a minute (CCTV's "News and Newspaper Digest") and Japanese at 300 (NHK's
// news), 200–240 ms a character; at the 70 ms an English letter takes, the `end` would leave with
// two thirds of the goodbye unspoken.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { WebSocketTransport } from "../../src/transport.ts";

/** When the `end` reached the platform after the goodbye `text` was written, and the errors. */
async function endAfter(text: string): Promise<{ endAtMs: number; errors: TransportError[] }> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new ConversationRelaySerializer(),
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const startedAt = clock.now();
  let endAtMs: number | undefined;
  pair.client.addEventListener("message", (event) => {
    const message = JSON.parse((event as MessageEvent).data as string);
    if (message.type === "end") endAtMs ??= clock.now() - startedAt;
  });
  transport.send({ type: "text", text });
  transport.send({ type: "end" });
  for (let t = 0; t < 6000 && endAtMs === undefined; t += 10) await clock.tick(10);
  await transport.closed;
  assert.ok(endAtMs !== undefined, "the end went out");
  return { endAtMs, errors };
}

/** The fastest broadcast pace cited above: 270 characters a minute (Mandarin), 300 (Japanese). */
const FASTEST_MS = { mandarin: 60_000 / 270, japanese: 60_000 / 300 };

Deno.test("ConversationRelay: an `end` after a Mandarin goodbye waits as long as a newsreader takes to say it", async () => {
  const goodbye = "感谢您的来电，再见！"; // 8 characters and 2 marks
  const { endAtMs, errors } = await endAfter(goodbye);
  assert.ok(endAtMs >= 8 * FASTEST_MS.mandarin, `end at ${endAtMs} ms`);
  assert.deepEqual(errors, []);
});

Deno.test("ConversationRelay: an `end` after a Japanese goodbye waits as long as a newsreader takes to say it", async () => {
  const goodbye = "お電話ありがとうございました。"; // 14 characters and a mark
  const { endAtMs, errors } = await endAfter(goodbye);
  assert.ok(endAtMs >= 14 * FASTEST_MS.japanese, `end at ${endAtMs} ms`);
  assert.deepEqual(errors, []);
});

Deno.test("ConversationRelay: an `end` after a Korean goodbye waits at least a Mandarin newsreader's time a syllable", async () => {
  const goodbye = "감사합니다. 안녕히 계세요."; // 10 syllables, one written each
  const { endAtMs } = await endAfter(goodbye);
  assert.ok(endAtMs >= 10 * FASTEST_MS.mandarin, `end at ${endAtMs} ms`);
});

Deno.test("ConversationRelay: an English goodbye is still timed at 70 ms a letter, not as syllables", async () => {
  const goodbye = "Goodbye!";
  const { endAtMs } = await endAfter(goodbye);
  assert.ok(endAtMs >= goodbye.length * 70 && endAtMs < goodbye.length * 70 + 20, `${endAtMs}`);
});
