#!/usr/bin/env python3
"""A stand-in upstream for trying the gateway examples.

Answers every request with 200 and, as plain text, the request line, every header it received (so you can
see X-ARR-ClientCert, Client-Cert, X-Forwarded-For, ... as the gateway forwarded them) and the body length.
With --cert/--key it serves HTTPS; with --client-ca it also requires a client certificate signed by that CA
and prints the subject of the one presented (the gateway's, in the upstream-mtls example).

    python3 echo-upstream.py 8080
    python3 echo-upstream.py 9443 --cert upstream/legacy-api-chain.pem --key upstream/legacy-api.key \
        --client-ca upstream-ca/root.pem

Listens on 127.0.0.1 only. Python 3.8 or later, standard library only.
"""
import argparse
import http.server
import ssl


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the gateway's upstream pool expects

    def _read_body(self):
        received = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return received
                while size > 0:
                    chunk = self.rfile.read(min(size, 65536))
                    if not chunk:
                        return received
                    received += len(chunk)
                    size -= len(chunk)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        while received < length:
            chunk = self.rfile.read(min(length - received, 65536))
            if not chunk:
                break
            received += len(chunk)
        return received

    def _answer(self, send_body=True):
        received = self._read_body()
        lines = [f"{self.command} {self.path} {self.request_version}"]
        peer = getattr(self.connection, "getpeercert", None)
        if peer is not None and peer():
            subject = ", ".join("=".join(item) for rdn in peer()["subject"] for item in rdn)
            lines.append(f"(TLS client certificate of the caller: {subject})")
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"(body: {received} bytes)")
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _answer

    def do_HEAD(self):
        self._answer(send_body=False)

    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description="Echo upstream for the TrustGate gateway examples.")
    parser.add_argument("port", type=int, nargs="?", default=8080)
    parser.add_argument("--cert", help="server certificate chain (PEM) for HTTPS")
    parser.add_argument("--key", help="its private key (PEM)")
    parser.add_argument("--client-ca", help="require a client certificate signed by this CA (PEM)")
    options = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Echo)
    scheme = "http"
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
        if options.client_ca:
            context.load_verify_locations(options.client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    print(f"echo upstream on {scheme}://127.0.0.1:{options.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
