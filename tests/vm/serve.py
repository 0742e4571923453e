#!/usr/bin/env python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Serve a directory to the VM over HTTPS, HTTPS with client certificates (mTLS) and plain HTTP
on the host's loopback.

QEMU user networking maps the host's 127.0.0.1 to 10.0.2.2 in the guest. Ports are chosen by the
kernel and written to PORTS_FILE as shell assignments once both sockets listen.
usage: serve.py DIR CERT KEY CLIENT_CA PORTS_FILE ACCESS_LOG
"""
import functools
import http.server
import os
import ssl
import sys
import threading


def main() -> None:
    root, cert, key, client_ca, ports_file, access_log = sys.argv[1:7]
    log = open(access_log, "a", buffering=1)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt: str, *args: object) -> None:
            log.write("%s %s\n" % (self.server.server_port, fmt % args))

    handler = functools.partial(Handler, directory=root)
    https = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    https.socket = ctx.wrap_socket(https.socket, server_side=True)
    mtls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    mctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    mctx.load_cert_chain(cert, key)
    mctx.load_verify_locations(client_ca)
    mctx.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no handshake
    mtls.socket = mctx.wrap_socket(mtls.socket, server_side=True)
    http_ = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tmp = ports_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("HTTPS_PORT=%d\nMTLS_PORT=%d\nHTTP_PORT=%d\n"
                % (https.server_port, mtls.server_port, http_.server_port))
    os.rename(tmp, ports_file)
    threading.Thread(target=http_.serve_forever, daemon=True).start()
    threading.Thread(target=mtls.serve_forever, daemon=True).start()
    https.serve_forever()


if __name__ == "__main__":
    main()
