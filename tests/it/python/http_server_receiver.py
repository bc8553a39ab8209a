"""The receiver of issue 23: Python's own http.server (ThreadingHTTPServer, HTTP/1.1, its
default accept queue of 5), answering 200 to a POST that carries the auth header given as the
first argument (`Name: value`) and 401 otherwise. Prints its port, then serves until killed."""

import http.server
import sys

name, _, value = sys.argv[1].partition(":")
name, value = name.strip(), value.strip()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200 if self.headers.get(name) == value else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
