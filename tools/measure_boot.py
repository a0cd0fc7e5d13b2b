#!/usr/bin/env python3
"""Measures boot costs (run by `make bench`; figures go into the README).

Guest-side costs use QEMU's -icount shift=0,align=off,sleep=off: guest time
advances with executed instructions, so a TSC difference read inside the
guest is a repeatable count (docs/architecture.md §6). We read:
  - the loader's banner   `cxxkernel-loader ... (tsc=N)`  (first thing it does)
  - the kernel's line     `timing: entry_tsc=A ready_tsc=B` (entry.S and just
    before `kernel: ready`)
so loader cost = A - N and kernel boot = B - A, in virtual nanoseconds
(with shift=0, one instruction each). Medians of several boots.

Wall-clock time from QEMU's start to `kernel: ready` under plain TCG is
measured too (noisy: it depends on the machine's load).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

LOADER = re.compile(rb"cxxkernel-loader \S+ \(tsc=(\d+)\)")
TIMING = re.compile(rb"timing: entry_tsc=(\d+) ready_tsc=(\d+)")
READY = b"kernel: ready"


def one_boot(image, icount, timeout):
    with tempfile.TemporaryDirectory(prefix="measure-") as tmp:
        vars_file = qemu.fresh_vars(tmp)
        extra = ["-icount", "shift=0,align=off,sleep=off"] if icount else []
        cmd = qemu.qemu_command(image, vars_file, smp=1, mem="256M", extra=extra)
        start = time.monotonic()
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        os.set_blocking(process.stdout.fileno(), False)
        output = b""
        ready_at = None
        while time.monotonic() - start < timeout:
            chunk = process.stdout.read()
            if chunk:
                output += chunk
            if READY in output:
                ready_at = time.monotonic() - start
                break
            if process.poll() is not None:
                break
            time.sleep(0.05)
        process.kill()
        process.wait()
    loader = LOADER.search(output)
    timing = TIMING.search(output)
    if ready_at is None or not loader or not timing:
        tail = output.decode(errors="replace")[-2000:]
        sys.exit(f"measure_boot: the boot did not show the banner, timing and ready lines:\n{tail}")
    loader_tsc = int(loader.group(1))
    entry_tsc, ready_tsc = int(timing.group(1)), int(timing.group(2))
    return entry_tsc - loader_tsc, ready_tsc - entry_tsc, ready_at


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", default="build/disk.img")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    if not os.path.exists(args.image):
        sys.exit(f"measure_boot: no image at {args.image}: run make first")

    icount_runs = [one_boot(args.image, True, args.timeout) for _ in range(args.runs)]
    wall_runs = [one_boot(args.image, False, args.timeout) for _ in range(args.runs)]
    loader_ticks = statistics.median(r[0] for r in icount_runs)
    kernel_ticks = statistics.median(r[1] for r in icount_runs)
    wall = statistics.median(r[2] for r in wall_runs)
    spread = max(r[0] for r in icount_runs) - min(r[0] for r in icount_runs)
    print(f"loader: its entry to the kernel's entry: {loader_ticks:,.0f} virtual ns "
          f"(median of {args.runs}, icount shift=0, spread {spread:,} ns)")
    print(f"kernel: its entry to 'kernel: ready': {kernel_ticks:,.0f} virtual ns (median of {args.runs})")
    print(f"wall: QEMU start to 'kernel: ready' under TCG: {wall:.2f} s (median of {args.runs})")


if __name__ == "__main__":
    main()
