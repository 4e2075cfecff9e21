#!/usr/bin/env python3
"""A WebSocket subscriber that stops reading: the slow consumer of tests/robustness.

Node cannot set SO_RCVBUF on a TCP socket, so this helper does it (before connecting, so the window
stays tiny). Usage: stalled_reader.py PORT APP_KEY CHANNEL [RCVBUF]

Protocol on stdio (one line each):
  -> "READY <socket_id>"          subscribed; from now on nothing is read
  <- "DRAIN"                      (on stdin) read everything until the server closes, bounded
  -> {"close_code": N | null, "close_reason": "...", "bytes": N, "frames": N, "ended": bool}
"""
import base64
import json
import os
import select
import socket
import struct
import sys
import time

DRAIN_SECONDS = 15


def masked_text(payload: bytes) -> bytes:
    mask = os.urandom(4)
    head = bytes([0x81])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_until(sock, marker, deadline):
    data = b""
    while marker not in data:
        if time.time() > deadline:
            raise TimeoutError("handshake timed out")
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed during handshake")
        data += chunk
    return data


def parse_frames(buf):
    """Yields (opcode, payload) of complete unmasked server frames; returns the unparsed rest."""
    frames = []
    offset = 0
    while len(buf) - offset >= 2:
        b0, b1 = buf[offset], buf[offset + 1]
        length = b1 & 0x7F
        pos = offset + 2
        if length == 126:
            if len(buf) - pos < 2:
                break
            length = struct.unpack(">H", buf[pos:pos + 2])[0]
            pos += 2
        elif length == 127:
            if len(buf) - pos < 8:
                break
            length = struct.unpack(">Q", buf[pos:pos + 8])[0]
            pos += 8
        if len(buf) - pos < length:
            break
        frames.append((b0 & 0x0F, buf[pos:pos + length]))
        offset = pos + length
    return frames, buf[offset:]


def main():
    port, key, channel = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rcvbuf = int(sys.argv[4]) if len(sys.argv) > 4 else 4096
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    ws_key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /app/{key}?protocol=7&client=py&version=1.0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {ws_key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    deadline = time.time() + 10
    data = read_until(sock, b"\r\n\r\n", deadline)
    head, rest = data.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head.decode(errors="replace"))
    socket_id = None
    while socket_id is None:
        frames, rest = parse_frames(rest)
        for opcode, payload in frames:
            message = json.loads(payload)
            if message.get("event") == "pusher:connection_established":
                socket_id = json.loads(message["data"])["socket_id"]
        if socket_id is None:
            rest += sock.recv(4096)
    subscribe = {"event": "pusher:subscribe", "data": {"channel": channel}}
    sock.sendall(masked_text(json.dumps(subscribe).encode()))
    subscribed = False
    while not subscribed:
        frames, rest = parse_frames(rest)
        for opcode, payload in frames:
            if opcode == 1 and b"subscription_succeeded" in payload:
                subscribed = True
        if not subscribed:
            rest += sock.recv(4096)
    print(f"READY {socket_id}", flush=True)

    # Stalled: read nothing until told to drain (or stdin closes).
    sys.stdin.readline()

    sock.setblocking(False)
    total = len(rest)
    buf = rest
    frames_seen = 0
    close = None
    ended = False
    stop_at = time.time() + DRAIN_SECONDS
    while time.time() < stop_at and not ended:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            ended = True
            break
        except BlockingIOError:
            continue
        if not chunk:
            ended = True
            break
        total += len(chunk)
        buf += chunk
        frames, buf = parse_frames(buf)
        for opcode, payload in frames:
            frames_seen += 1
            if opcode == 8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                close = (code, payload[2:].decode(errors="replace"))
    print(json.dumps({
        "close_code": close[0] if close else None,
        "close_reason": close[1] if close else "",
        "bytes": total,
        "frames": frames_seen,
        "ended": ended,
    }), flush=True)


if __name__ == "__main__":
    main()
