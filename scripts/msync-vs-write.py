#!/usr/bin/env python3
"""Why SYNC_FLUSH is slow on mapped segments: the same 48 KiB chunks made durable three ways.

Pages dirtied through a shared mapping sync far slower than pages written with pwrite(), even when both end in
fdatasync and the mapping stays open. Usage: scripts/msync-vs-write.py [folder]  (default: the system temp folder)
"""
import mmap, os, sys, tempfile, time

folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
path = os.path.join(folder, "akkabroker-msync-vs-write.test")
size, chunk = 128 * 1024 * 1024, 48 * 1024
with open(path, "wb") as f:  # written zeros, not fallocate: no unwritten extents to convert
    block = b"\0" * (1 << 20)
    for _ in range(size >> 20):
        f.write(block)
    f.flush()
    os.fsync(f.fileno())
fd = os.open(path, os.O_RDWR)
mapping = mmap.mmap(fd, size)
data = os.urandom(chunk)


def run(name, step, seconds=4):
    done, offset, start = 0, 0, time.time()
    while time.time() - start < seconds:
        step(offset)
        offset = 0 if offset + 2 * chunk > size else offset + chunk
        done += 1
    print(f"{name:32} {done / seconds:8.0f} syncs/s {done * chunk / seconds / 1e6:7.1f} MB/s")


def mapped_msync(offset):
    mapping[offset:offset + chunk] = data
    mapping.flush(offset - offset % mmap.PAGESIZE, chunk + offset % mmap.PAGESIZE)


def mapped_fdatasync(offset):
    mapping[offset:offset + chunk] = data
    os.fdatasync(fd)


def pwrite_fdatasync(offset):
    os.pwrite(fd, data, offset)
    os.fdatasync(fd)


try:
    run("mapped write + msync", mapped_msync)
    run("mapped write + fdatasync", mapped_fdatasync)
    run("pwrite + fdatasync", pwrite_fdatasync)
finally:
    mapping.close()
    os.close(fd)
    os.remove(path)
