#!/usr/bin/env python3
"""A service on trcr's event bus over the TCP bridge, with nothing but Python's standard library.

    TRCR_TOKEN=<service token> python3 trcr_bus.py --host 127.0.0.1 --port 7001 \
        --team <teamId> --project <projectId> [--seconds 10]

It follows team.<teamId>.timers, starts a timer on the project with timers.start, and prints one line per thing that
happens: "subscribed <address>", "reply <address> <json>", "failed <address> <code> <message>",
"event <address> <json>", "error <code>", "closed <code> <reason>". Without --seconds it runs until interrupted.

The wire (vertx-tcp-eventbus-bridge's framing): every frame is a 4-byte big-endian length, then that many bytes of
UTF-8 JSON. The service sends {"type": "register" | "unregister" | "send" | "publish" | "ping", "address": ...,
"headers": {"authorization": "Bearer <token>"}, "body": ..., "replyAddress": ...}; the bridge answers
{"type": "message", "address": ..., "body": ...} for events and replies, {"type": "err", "message": <code>} for a
refused frame, {"type": "err", "address": <replyAddress>, "failureCode": ..., "message": ...} for a failed command,
and {"type": "pong"}. A service pings at least every few seconds (the bridge closes a silent socket).
"""
import argparse
import json
import os
import socket
import struct
import time
import uuid


class EventBus:
    """One TCP connection to a trcr node's event-bus bridge, authorised by a bearer token on every frame."""

    def __init__(self, host, port, token):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.headers = {"authorization": "Bearer " + token}
        self.buffer = b""

    def write(self, frame):
        data = json.dumps(frame).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def register(self, address, since=None):
        # With "since" (the last seq seen, or "-1" for none) the bridge first replays what was missed or sends a
        # {"type": "reset"} body: either way, from then on the subscription is live.
        headers = dict(self.headers, since=since) if since is not None else self.headers
        self.write({"type": "register", "address": address, "headers": headers})

    def send(self, address, body):
        """Sends a command; its reply comes back as a frame addressed to the returned reply address."""
        reply_address = str(uuid.uuid4())
        self.write({"type": "send", "address": address, "body": body, "headers": self.headers,
                    "replyAddress": reply_address})
        return reply_address

    def ping(self):
        self.write({"type": "ping"})

    def read(self, timeout):
        """The next frame, or None if none arrived within timeout seconds; raises EOFError when the bridge closed."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if len(self.buffer) >= 4:
                    (length,) = struct.unpack(">I", self.buffer[:4])
                    if len(self.buffer) >= 4 + length:
                        frame = json.loads(self.buffer[4:4 + length].decode("utf-8"))
                        self.buffer = self.buffer[4 + length:]
                        return frame
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError("the bridge closed the connection")
                self.buffer += chunk
        except socket.timeout:
            return None

    def close(self):
        self.sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("TRCR_TCP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TRCR_TCP_PORT", "7001")))
    parser.add_argument("--token", default=os.environ.get("TRCR_TOKEN"), help="a service token (or TRCR_TOKEN)")
    parser.add_argument("--team", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (default: run on)")
    args = parser.parse_args()
    if not args.token:
        parser.error("a service token is needed: --token or TRCR_TOKEN")

    bus = EventBus(args.host, args.port, args.token)
    stream = "team.%s.timers" % args.team
    pending = {}  # reply address -> the command it answers
    bus.register(stream, since="-1")
    deadline = time.monotonic() + args.seconds if args.seconds > 0 else None
    next_ping = time.monotonic() + 5
    started = False
    try:
        while deadline is None or time.monotonic() < deadline:
            wait = min(next_ping, deadline or next_ping) - time.monotonic()
            frame = bus.read(max(0.05, wait))
            if time.monotonic() >= next_ping:
                bus.ping()
                next_ping = time.monotonic() + 5
            if frame is None or frame.get("type") == "pong":
                continue
            address = frame.get("address")
            if frame["type"] == "err" and address in pending:
                print("failed", pending.pop(address), frame.get("failureCode"), frame.get("message"), flush=True)
            elif frame["type"] == "err":
                print("error", frame.get("message"), flush=True)
                if frame.get("message") == "socket_closed":
                    print("closed", frame.get("code"), frame.get("reason"), flush=True)
                    break
            elif address in pending:
                print("reply", pending.pop(address), json.dumps(frame["body"]), flush=True)
            elif isinstance(frame.get("body"), dict) and frame["body"].get("type") == "reset":
                print("subscribed", address, flush=True)
            else:
                print("event", address, json.dumps(frame["body"]), flush=True)
            if not started and frame["type"] in ("message", "err"):
                # Subscribed (or refused): now act, so that our own event cannot pass before we listen.
                started = True
                command = {"teamId": args.team, "projectId": args.project, "description": "started by a service"}
                pending[bus.send("timers.start", command)] = "timers.start"
    except EOFError as closed:
        print("closed", "-", closed, flush=True)
    finally:
        bus.close()


if __name__ == "__main__":
    main()
