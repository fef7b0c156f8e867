"""A pipecat-style FastAPI/uvicorn echo for the load benchmark (tests/bench/load.ts).

It reproduces the send path of pipecat's FastAPIWebsocketTransport
(/work/shared/reference/pipecat_fastapi_websocket_transport.txt) without the rest of pipecat:

- input: ``websocket.receive()`` in a loop (pipecat's ``_WebSocketMessageIterator``), each binary
  message pushed onto a queue, as ``push_audio_frame`` hands audio to the output transport;
- output: one task per session takes audio off the queue, sends it (``_write_frame`` with
  ``_can_send``), then sleeps like ``_write_audio_sleep``: ``send_interval`` is
  ``(audio_chunk_size / sample_rate) / 2`` (the halved interval), and the next send time is
  reset to ``now + interval`` whenever the sleep was zero, else advanced by the interval.

Run: ``/usr/bin/python3 tests/bench/pipecat_echo.py [--ws auto|websockets|wsproto]
[--loop auto|asyncio|uvloop]`` with Debian's python3-fastapi and python3-uvicorn. The first stdout
line is ``listening 127.0.0.1:PORT``; it exits when stdin closes (the harness went away).
"""

import argparse
import asyncio
import os
import socket
import sys
import threading
import time

import uvicorn
from fastapi import FastAPI, WebSocket
from starlette.websockets import WebSocketState

SAMPLE_RATE = 16000
AUDIO_CHUNK_SIZE = 640  # bytes: 20 ms of 16 kHz 16-bit mono, as pipecat computes it
SEND_INTERVAL = (AUDIO_CHUNK_SIZE / SAMPLE_RATE) / 2  # pipecat's halved interval: 0.02 s here

app = FastAPI()


class _Output:
    """The output half: pipecat's write_audio_frame -> _write_frame -> _write_audio_sleep."""

    def __init__(self, websocket: WebSocket):
        self._websocket = websocket
        self._next_send_time = 0.0

    def _can_send(self) -> bool:
        return (
            self._websocket.client_state == WebSocketState.CONNECTED
            and self._websocket.application_state != WebSocketState.DISCONNECTED
        )

    async def write_audio(self, data: bytes) -> None:
        try:
            if self._can_send():
                await self._websocket.send_bytes(data)
        except Exception as e:  # pipecat logs and goes on
            print(f"send failed: {e!r}", file=sys.stderr)
        await self._write_audio_sleep()

    async def _write_audio_sleep(self) -> None:
        current_time = time.monotonic()
        sleep_duration = max(0, self._next_send_time - current_time)
        await asyncio.sleep(sleep_duration)
        if sleep_duration == 0:
            self._next_send_time = time.monotonic() + SEND_INTERVAL
        else:
            self._next_send_time += SEND_INTERVAL


async def _output_loop(queue: "asyncio.Queue[bytes]", output: _Output) -> None:
    while True:
        data = await queue.get()
        await output.write_audio(data)


@app.websocket("/ws")
async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    queue: "asyncio.Queue[bytes]" = asyncio.Queue()
    writer = asyncio.create_task(_output_loop(queue, _Output(websocket)))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            if data is not None:
                queue.put_nowait(data)
    finally:
        writer.cancel()


def _exit_when_stdin_closes() -> None:
    # The harness holds our stdin open; EOF means it is gone (even if it was SIGKILLed).
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ws", default="auto", choices=["auto", "websockets", "wsproto"])
    parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listen before saying so: uvicorn only starts its loop later, and a client connecting in
    # between must wait in the backlog, not be refused.
    sock.listen(2048)
    config = uvicorn.Config(
        app, ws=args.ws, loop=args.loop, lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    print(f"listening 127.0.0.1:{sock.getsockname()[1]}", flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
