// Preloaded (`node --import`) before a README server block: whatever address the block asks a
// server to listen on (`server.listen(8000)`, `new WebSocketServer({ port })`, Hono's `serve`), it
// listens on 127.0.0.1 port 0 and prints `listening <port>`, so the test finds it and no example
// ever needs port 8000 to be free.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const callback = typeof args.at(-1) === "function" ? args.pop() : undefined;
  this.once("listening", () => console.log(`listening ${this.address().port}`));
  return listen.call(this, { host: "127.0.0.1", port: 0 }, callback);
};
