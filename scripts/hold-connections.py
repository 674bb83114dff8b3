import socket, sys, time, subprocess
host, port, n, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1])
def stat(name):
    s = socket.create_connection((host, port)); s.sendall(b"stats\r\n"); buf=b""
    while not buf.endswith(b"END\r\n"): buf += s.recv(65536)
    s.close()
    for l in buf.decode().split("\r\n"):
        if l.startswith("STAT "+name+" "): return l.split()[2]
time.sleep(1)
r0 = rss()
socks = []
t0 = time.time()
for i in range(n):
    s = socket.create_connection((host, port), timeout=10); socks.append(s)
for s in socks: s.sendall(b"mn\r\n")
for i, s in enumerate(socks):
    d = b""
    while len(d) < 4: d += s.recv(4)
    assert d == b"MN\r\n", (i, d)
t1 = time.time()
time.sleep(2)
r1 = rss()
print(f"connections={n} held, all answered MN; connect+answer {t1-t0:.1f}s; curr_connections={stat('curr_connections')}")
print(f"server RSS before={r0} KiB after={r1} KiB delta={r1-r0} KiB per-connection={(r1-r0)*1024/n:.0f} bytes")
for s in socks: s.close()
time.sleep(3)
print(f"after close: curr_connections={stat('curr_connections')} RSS={rss()} KiB")
