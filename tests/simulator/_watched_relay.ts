// A ConversationRelay serializer that notes what it sends: through its context, outside the
// outbound queue (`sentAtOnce`: the platform's interrupt answered at once), and everything
// (`sent`: those and what `serialize` returns), for the simulated calls' tests.
import type { Frame } from "../../src/frames.ts";
import type { SerializerContext } from "../../src/serializer.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";

export class WatchedRelay extends ConversationRelaySerializer {
  readonly sent: string[] = [];
  readonly sentAtOnce: string[] = [];
  override bind(context: SerializerContext): void {
    const watched: SerializerContext = Object.create(context);
    watched.send = (message) => {
      this.sent.push(message as string);
      this.sentAtOnce.push(message as string);
      context.send(message);
    };
    super.bind(watched);
  }
  override serialize(frame: Extract<Frame, { type: "end" }>): string | Promise<string> | null;
  override serialize(frame: Exclude<Frame, { type: "end" }>): string | null;
  override serialize(frame: Frame): string | Promise<string> | null;
  override serialize(frame: Frame): string | Promise<string> | null {
    const message = super.serialize(frame);
    // An `end` held until the goodbye before it has been spoken is noted as it leaves.
    if (message instanceof Promise) return message.then((m) => (this.sent.push(m), m));
    if (message !== null) this.sent.push(message);
    return message;
  }
}
