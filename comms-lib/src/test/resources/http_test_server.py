"""A small HTTP/1.1 server for the socket factory test: run by the test inside its network namespace.

GET /bytes/N   N bytes, byte i being i mod 256 (Content-Length, keep-alive)
GET /sleep/MS  waits MS milliseconds, then answers "slept"
POST /echo     the request body back
Prints "ready <port>" once it listens; ends when its standard input closes (the test went away).
"""
import http.server
import socketserver
import sys
import threading
import time

PATTERN = bytes(range(256))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body, status=200):
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "bytes":
            n = int(parts[1])
            self.answer((PATTERN * (n // 256 + 1))[:n])
        elif len(parts) == 2 and parts[0] == "sleep":
            time.sleep(int(parts[1]) / 1000)
            self.answer(b"slept")
        else:
            self.answer(b"no such path", 404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.answer(self.rfile.read(length))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server((sys.argv[1], int(sys.argv[2])), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", server.server_address[1], flush=True)
    sys.stdin.read()  # until the test closes it or dies
    server.shutdown()


if __name__ == "__main__":
    main()
