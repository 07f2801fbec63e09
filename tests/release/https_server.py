#!/usr/bin/env python3
"""A static HTTPS file server on 127.0.0.1 for the release tests (a provider network mirror).

    https_server.py --root DIR --cert CERT.pem --key KEY.pem [--log FILE]

Listens on a free loopback port and prints "READY <port> <pid>" once it accepts
connections; serves DIR read-only; runs until SIGTERM (the test stops it by PID). With
--log, appends one line per request ("GET /path 200") so the test can show which files
Terraform fetched.
"""
import argparse
import functools
import http.server
import os
import signal
import ssl
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log")
    args = ap.parse_args()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            if args.log:
                with open(args.log, "a") as f:
                    f.write(f"{self.command} {self.path} {code}\n")

        def log_message(self, *a):
            pass

    handler = functools.partial(Handler, directory=args.root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {server.server_address[1]} {os.getpid()}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
