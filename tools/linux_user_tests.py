#!/usr/bin/env python3
"""Runs the user test programs (tests/user/) inside Debian's Linux 6.1 in
QEMU and compares every output with the host's reference: the whole path a
kernel under test takes (initramfs, run-all.sh markers on the serial
console, tools/differential.py kernel), exercised on Linux itself.

This checks two things: that the programs' expectations hold on the Linux
version whose ABI our kernel follows (not only on the host's newer kernel),
and that the differential machinery works end to end before our kernel can
run it. CTest runs it as linux-ref.user_programs_on_linux_6_1.

The guest is the one tools/linux_reference.py boots (same kernel package,
busybox, QEMU machine); the programs go to /usr/tests/{glibc,musl}/ with
/usr/tests/run-all.sh, and the harness types at the first prompt:
    /usr/tests/run-all.sh /usr/tests; poweroff -f
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import linux_reference as ref  # noqa: E402

ALL_DONE = re.compile(rb"@@user-test all done")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--source", default=os.path.dirname(HERE))
    parser.add_argument("--smp", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    user = os.path.join(args.build, "user")
    refs = os.path.join(args.build, "user-ref")
    if not os.path.isdir(refs):
        sys.exit(f"linux_user_tests: no references in {refs}: run the user-host tests first")
    cache = os.path.join(args.build, "linux-ref")
    logs = os.path.join(cache, "logs")
    os.makedirs(logs, exist_ok=True)
    vmlinuz, package = ref.debian_vmlinuz(cache)
    extra = {"/usr/tests/run-all.sh": os.path.join(user, "run-all.sh")}
    for flavour in ("glibc", "musl"):
        for name in sorted(os.listdir(os.path.join(user, flavour))):
            extra[f"/usr/tests/{flavour}/{name}"] = os.path.join(user, flavour, name)
    initramfs = ref.build_initramfs(os.path.join(cache, "initramfs-user-tests.cpio"), ref.static_busybox(),
                                    os.path.join(user, "ubench"), extra)

    log_path = os.path.join(logs, "user-tests.log")
    start = time.monotonic()
    guest = ref.Guest(ref.qemu_linux(vmlinuz, initramfs, args.smp), log_path)
    guest.wait_for(ref.PROMPT, args.timeout)
    guest.type("/usr/tests/run-all.sh /usr/tests; poweroff -f\n")
    guest.wait_for(ALL_DONE, args.timeout)
    guest.stop()
    print(f"linux_user_tests: {package}, {time.monotonic() - start:.0f} s wall; serial log {log_path}")
    result = subprocess.run([sys.executable, os.path.join(HERE, "differential.py"), "kernel", log_path,
                             "--ref-dir", refs,
                             "--allowed", os.path.join(args.source, "tests", "user", "allowed_differences.txt")])
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
