#!/usr/bin/env python3
"""Measures the costs of running on many CPUs (run by `make bench`; figures
go into the README).

Boots the kernel with `bench=smp` under QEMU -icount shift=0,align=off,
sleep=off, where guest time advances with executed instructions, so a TSC
difference read inside the guest counts guest instructions (docs/
architecture.md §6). QEMU then runs the virtual CPUs in turn on one host
thread, and a CPU that spins with PAUSE gives the turn away, so a figure is
the instructions all CPUs executed during the operation. The kernel prints

  bench: smp cpus=N call_round_trip=A lock_hand_off=B unmap_page_with_shootdown=C

A: a call to another CPU and its answer (send the IPI, run the function
there, acknowledge; median of 64); B: one hand-off of a spinlock between
two CPUs taking turns (mean of 512); C: unmapping one kernel page with its
TLB shootdown to every other CPU (median of 64; on 1 CPU no shootdown is
needed, which gives the local cost beside it).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

BENCH = re.compile(rb"bench: smp cpus=(\d+) call_round_trip=(\d+) lock_hand_off=(\d+) "
                   rb"unmap_page_with_shootdown=(\d+)")


def one_boot(esp, cpus, timeout):
    return qemu.bench_boot(esp, "bench=smp", BENCH, cpus, timeout, "measure_smp")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--esp", default="build/esp")
    parser.add_argument("--cpus", default="1,2,4")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    if not os.path.isdir(args.esp):
        sys.exit(f"measure_smp: no ESP tree at {args.esp}: run make first")
    print("SMP costs in guest instructions (QEMU -icount shift=0):")
    print(f"{'CPUs':>5} {'call round trip':>16} {'lock hand-off':>14} {'unmap 1 page + shootdown':>25}")
    for cpus in (int(n) for n in args.cpus.split(",")):
        online, round_trip, hand_off, unmap = one_boot(args.esp, cpus, args.timeout)
        if online != cpus:
            sys.exit(f"measure_smp: {online} CPUs online, {cpus} started")
        dash = "-"
        print(f"{cpus:>5} {round_trip if cpus > 1 else dash:>16} {hand_off if cpus > 1 else dash:>14} {unmap:>25}")


if __name__ == "__main__":
    main()
