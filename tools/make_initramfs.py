#!/usr/bin/env python3
"""Writes the initramfs (a cpio newc archive, docs/cpio.md) from the tree's
rootfs/ skeleton, the project's user programs and an optional overlay
folder (make ROOTFS_OVERLAY=<dir>), in that order: later sources replace
earlier entries of the same name. Every entry is owned by root; modes come
from the files (directories 0755 unless the source says otherwise, /tmp
1777); times are fixed (0) so the archive is reproducible. Files named
.keep only make their directory exist.

  make_initramfs.py --out build/initramfs.cpio --tree rootfs \
      [--busybox build/deps/busybox-static/bin/busybox] \
      --file usr/test/glibc/files=build/user/glibc/files ... [--overlay DIR]

--package-file PACKAGE:PATH adds the host's file PATH, which the installed
Debian package PACKAGE must own (`dpkg -L PACKAGE` lists it), at the same
path; a symbolic link stays one (its target is added by its own
--package-file). glibc's ld.so and libc.so.6 come in this way.

--busybox adds Debian's busybox as /bin/busybox and one symbolic link to it
per applet, at the paths `busybox --list-full` names (/bin/sh, /sbin/init,
/usr/bin/awk, ...), as Debian's busybox --install would (docs/busybox.md).
"""
import argparse
import os
import stat
import subprocess
import sys


def header(ino, mode, nlink, size, name, rdev=(0, 0)):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(data):
    return data + b"\0" * (-len(data) % 4)


class Archive:
    def __init__(self):
        self.entries = {}  # name -> (mode, data), insertion order kept

    def add_dir(self, name, mode=0o755):
        parts = name.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in self.entries:
                self.entries[parent] = (stat.S_IFDIR | 0o755, b"")
        self.entries[name] = (stat.S_IFDIR | mode, b"")

    def add(self, name, mode, data):
        parent = os.path.dirname(name)
        if parent and parent not in self.entries:
            self.add_dir(parent)
        self.entries.pop(name, None)
        self.entries[name] = (mode, data)

    def add_tree(self, root):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root)
            if rel != ".":
                st = os.lstat(dirpath)
                self.add_dir(rel, 0o1777 if rel == "tmp" else stat.S_IMODE(st.st_mode) | 0o755)
            for f in sorted(filenames):
                if f == ".keep":
                    continue
                path = os.path.join(dirpath, f)
                name = os.path.normpath(os.path.join(rel, f))
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    self.add(name, stat.S_IFLNK | 0o777, os.readlink(path).encode())
                elif stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as fh:
                        self.add(name, stat.S_IFREG | stat.S_IMODE(st.st_mode), fh.read())

    def bytes(self):
        out = bytearray()
        for ino, (name, (mode, data)) in enumerate(self.entries.items(), start=1):
            encoded = name.encode()
            out += pad(header(ino, mode, 2 if stat.S_ISDIR(mode) else 1, len(data), encoded) + encoded + b"\0")
            out += pad(data)
        out += pad(header(0, 0, 1, 0, b"TRAILER!!!") + b"TRAILER!!!\0")
        out += b"\0" * (-len(out) % 512)
        return bytes(out)


def add_busybox(archive, binary):
    # The binary is the host's architecture (x86_64 Linux), so it can list
    # its own applets.
    applets = subprocess.run([binary, "--list-full"], check=True, capture_output=True, text=True).stdout.split()
    with open(binary, "rb") as fh:
        archive.add("bin/busybox", stat.S_IFREG | 0o755, fh.read())
    for name in applets:
        if name != "bin/busybox":
            archive.add(name.strip("/"), stat.S_IFLNK | 0o777, b"/bin/busybox")


def package_paths(package, cache={}):
    if package not in cache:
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
        if listed.returncode != 0:
            sys.exit(f"make_initramfs: dpkg -L {package} failed (is it installed?): {listed.stderr.strip()}")
        cache[package] = set(listed.stdout.split("\n"))
    return cache[package]


def add_package_file(archive, item):
    package, path = item.split(":", 1)
    if path not in package_paths(package):
        sys.exit(f"make_initramfs: {path} is not a file of the installed package {package} (dpkg -L {package})")
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        archive.add(path.strip("/"), stat.S_IFLNK | 0o777, os.readlink(path).encode())
    else:
        with open(path, "rb") as fh:
            archive.add(path.strip("/"), stat.S_IFREG | stat.S_IMODE(st.st_mode), fh.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--tree", required=True)
    parser.add_argument("--file", action="append", default=[], help="NAME=SOURCE: a file at NAME in the archive")
    parser.add_argument("--package-file", action="append", default=[],
                        help="PACKAGE:PATH: the host's file PATH of an installed Debian package, at PATH")
    parser.add_argument("--overlay", default="")
    parser.add_argument("--busybox", default="", help="a busybox binary: /bin/busybox and its applet links")
    args = parser.parse_args()
    archive = Archive()
    archive.add_tree(args.tree)
    if args.busybox:
        add_busybox(archive, args.busybox)
    for item in args.file:
        name, source = item.split("=", 1)
        if not os.path.exists(source):
            continue
        with open(source, "rb") as fh:
            archive.add(name.strip("/"), stat.S_IFREG | stat.S_IMODE(os.stat(source).st_mode), fh.read())
    for item in args.package_file:
        add_package_file(archive, item)
    if args.overlay:
        if not os.path.isdir(args.overlay):
            sys.exit(f"make_initramfs: ROOTFS_OVERLAY={args.overlay} is not a directory")
        archive.add_tree(args.overlay)
    data = archive.bytes()
    # Unchanged archives keep their time stamp, so the ESPs and disk images
    # that hold it are not rebuilt for nothing.
    if os.path.exists(args.out):
        with open(args.out, "rb") as fh:
            if fh.read() == data:
                return
    with open(args.out + ".tmp", "wb") as fh:
        fh.write(data)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
