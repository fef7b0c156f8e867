// A `cancel` taken while the bot's `end` waits for an asynchronous serializer's answer (a goodbye
// held until the far end has played what came before it, as Genesys AudioHook's and
// ConversationRelay's are): the serializer is told of the cancel and answers that goodbye itself,
// at once. The cancel drops every other answer still due (`LateAnswers.dropDue`), but not the
// `end`'s: its message leaves, and it is not counted dropped at the close.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  JsonSerializer,
  type SerializerContext,
} from "../mod.ts";
import { dueSession } from "./_answers_due.ts";

/**
 * JSON whose `end` is held until a `cancel` lets it go, as Genesys's is: the goodbye is then sent
 * through the context at once (`SerializerContext.send`), the `end`'s promise answers with no
 * message, and the cancel with none of its own.
 */
function holdsEndUntilCancel(): FrameSerializer {
  const json = new JsonSerializer();
  const serialize = json.serialize.bind(json);
  let context: SerializerContext | undefined;
  let letGo: (() => void) | undefined;
  return Object.assign(json, {
    bind: (bound: SerializerContext) => {
      context = bound;
    },
    serialize: (frame: Frame) => {
      if (frame.type === "end") {
        return new Promise<null>((settle) =>
          letGo = () => {
            context?.send(serialize(frame) as string);
            settle(null);
          }
        );
      }
      if (frame.type === "cancel" && letGo !== undefined) {
        letGo();
        return null;
      }
      return serialize(frame);
    },
  }) as FrameSerializer;
}

Deno.test("a cancel while the end's answer is due: the end's message leaves, not counted dropped", async () => {
  const { clock, pair, transport, errors } = await dueSession(holdsEndUntilCancel(), false);
  const received: string[] = [];
  pair.client.addEventListener("message", (e) => received.push(String((e as MessageEvent).data)));
  void transport.send({ type: "end", reason: "goodbye" });
  await clock.tick(10);
  transport.send({ type: "cancel", closeCode: 1000, reason: "bye" });
  await clock.tick(10);
  const closed = await transport.closed;
  await clock.runAll();
  assert.equal(closed.code, 1000);
  assert.deepEqual(errors.map((e) => e.message), []);
  assert.equal(received.filter((m) => m.includes('"end"')).length, 1, "the end's message left");
  assert.equal(transport.stats.framesDroppedOnClose, 0);
  assert.equal(transport.stats.encodeErrors, 0);
  assert.equal(clock.pendingTimers, 0);
});
