// The part every test socket in front of a `MemorySocket` end shares: its state and binary type
// are the end's; each wrapper decides how its messages travel.
import type { WebSocketLike } from "../src/socket.ts";
import type { MemorySocket } from "../src/testing/memory_socket.ts";

/** A socket that stands in front of `inner`, an end of a `MemorySocketPair`. */
export abstract class MemorySocketWrapper extends EventTarget implements WebSocketLike {
  protected readonly inner: MemorySocket;

  constructor(inner: MemorySocket) {
    super();
    this.inner = inner;
  }

  get readyState(): number {
    return this.inner.readyState;
  }
  get binaryType(): string {
    return this.inner.binaryType;
  }
  set binaryType(value: string) {
    this.inner.binaryType = value;
  }

  /** Hands on every event of `inner` as it comes (a copy: an event is dispatched once). */
  protected forwardInnerEvents(): void {
    for (const type of ["message", "close", "open", "error"]) {
      this.inner.addEventListener(type, (event) => {
        const { data, code, reason, wasClean } = event as MessageEvent & CloseEvent;
        this.dispatchEvent(Object.assign(new Event(type), { data, code, reason, wasClean }));
      });
    }
  }

  abstract send(data: string | ArrayBuffer | ArrayBufferView): void;
  abstract close(code?: number, reason?: string): void;
}
