#!/usr/bin/env python3
"""Memory of `qiao serve` under many requests for one big page.

Serves the `trilingual` test fixture plus a static HTML page of --mb megabytes, then
measures the server's resident memory (VmRSS, and its peak VmHWM, from /proc; Linux only)
before, with --clients connections that request the page and stop reading, and after as
many clients read it whole at once. It also checks that the server leaves nothing in its
temporary directory after SIGTERM.

    cargo build
    python3 bench/serve_memory.py --qiao target/debug/qiao --mb 53 --clients 50
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qiao", default=os.path.join(ROOT, "target/debug/qiao"))
    ap.add_argument("--mb", type=int, default=53)
    ap.add_argument("--clients", type=int, default=50)
    args = ap.parse_args()

    site = tempfile.mkdtemp()
    shutil.copytree(os.path.join(ROOT, "tests/fixtures/trilingual"), site, dirs_exist_ok=True)
    os.makedirs(f"{site}/static", exist_ok=True)
    line = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n"
    size = args.mb * 1_000_000
    with open(f"{site}/static/big.html", "w") as f:
        f.write("<html><body>\n" + line * (size // len(line)) + "</body></html>\n")
    tmp = tempfile.mkdtemp()
    p = subprocess.Popen(
        [args.qiao, "serve", "--port", "0", "--root", site],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": tmp},
        text=True,
    )
    m = None
    for out in p.stdout:
        m = re.search(r"http://([\d.]+):(\d+)/", out)
        if m:
            break
    assert m, "qiao serve printed no URL"
    addr = (m.group(1), int(m.group(2)))
    request = f"GET /big.html HTTP/1.1\r\nHost: {addr[0]}:{addr[1]}\r\n"

    def memory() -> str:
        status = open(f"/proc/{p.pid}/status").read()
        mb = {k: int(re.search(k + r":\s+(\d+)", status).group(1)) // 1024 for k in ("VmRSS", "VmHWM")}
        return f"{mb['VmRSS']} MB resident, peak {mb['VmHWM']} MB"

    print(f"idle: {memory()}")
    slow = []
    for _ in range(args.clients):
        s = socket.create_connection(addr)
        s.sendall((request + "\r\n").encode())
        s.recv(4096)
        slow.append(s)
    time.sleep(1)
    print(f"{args.clients} clients that stopped reading a {args.mb} MB page: {memory()}")
    for s in slow:
        s.close()

    def read_whole() -> None:
        s = socket.create_connection(addr)
        s.sendall((request + "Connection: close\r\n\r\n").encode())
        n = 0
        while chunk := s.recv(1 << 20):
            n += len(chunk)
        assert n > size, n

    readers = [threading.Thread(target=read_whole) for _ in range(args.clients)]
    start = time.time()
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    print(f"{args.clients} clients reading it whole at once ({time.time() - start:.1f} s): {memory()}")
    p.terminate()
    p.wait()
    print(f"left in TMPDIR after SIGTERM: {os.listdir(tmp) or 'nothing'}")
    shutil.rmtree(site)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
