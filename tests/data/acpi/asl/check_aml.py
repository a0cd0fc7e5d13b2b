#!/usr/bin/env python3
"""Checks that every committed .aml here matches its .asl/.dsl source: each
source is compiled with iasl into a scratch directory and compared byte for
byte, except the two fields that depend on the iasl version rather than on
the source (the header's Checksum, offset 9, and Creator/ASL Compiler
Revision, offsets 32..35; ACPI 6.5 §5.2.6 Table 5.4). Registered as a CTest
test when iasl is installed (kernel/acpi/host_tests.cmake)."""
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION_DEPENDENT = {9, 32, 33, 34, 35}


def main():
    iasl = sys.argv[1] if len(sys.argv) > 1 else "iasl"
    stale = []
    sources = sorted(glob.glob(os.path.join(HERE, "*.asl")) + glob.glob(os.path.join(HERE, "*.dsl")))
    with tempfile.TemporaryDirectory(prefix="acpi-aml-") as tmp:
        for source in sources:
            name = os.path.splitext(os.path.basename(source))[0]
            subprocess.run([iasl, "-vs", "-vi", "-p", os.path.join(tmp, name), source], check=True,
                           stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, name + ".aml"), "rb") as f:
                fresh = f.read()
            with open(os.path.join(HERE, name + ".aml"), "rb") as f:
                committed = f.read()
            same = len(fresh) == len(committed) and all(
                a == b for i, (a, b) in enumerate(zip(fresh, committed)) if i not in VERSION_DEPENDENT)
            print(f"{'ok   ' if same else 'STALE'} {name}.aml")
            if not same:
                stale.append(name)
    if stale:
        sys.exit(f"rerun tests/data/acpi/asl/build.sh: {', '.join(stale)} out of date")


if __name__ == "__main__":
    main()
