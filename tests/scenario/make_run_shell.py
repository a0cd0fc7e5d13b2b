#!/usr/bin/env python3
"""What `make run` promises (README "Two commands"), checked as a person
would see it: `tools/qemu.py run` (make run's command: the release kernel's
disk image, its own limine.conf, the serial console on the terminal) on a
pseudo-terminal; the boot must end at busybox's prompt, Ctrl-C typed there
must reach the shell's foreground job (not QEMU), and `poweroff` must end
QEMU with status 0.

  make_run_shell.py --source DIR --image build/disk.img
"""
import argparse
import os
import pty
import re
import select
import signal
import sys
import time

PROMPT = rb"root@cxxkernel \[cxxkernel\] ~ # "


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--log", help="save what the terminal showed here")
    parser.add_argument("--timeout", type=float, default=150.0)
    args = parser.parse_args()
    qemu_py = os.path.join(os.path.abspath(args.source), "tools", "qemu.py")

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.executable, [sys.executable, qemu_py, "run", "--image", args.image, "--smp", "2",
                                   "--mem", "512M"])
    seen = bytearray()
    deadline = time.monotonic() + args.timeout
    failures = []

    def wait_for(pattern, after=0, seconds=60):
        """Reads the terminal until `pattern` appears past offset `after` (at
        most `seconds`, and not past the test's deadline); the match or None."""
        regex = re.compile(pattern)
        until = min(deadline, time.monotonic() + seconds)
        while time.monotonic() < until:
            match = regex.search(bytes(seen), after)
            if match:
                return match
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return None
                if not data:
                    return None
                seen.extend(data)
        return None

    def type_text(text):
        for byte in text.encode():
            os.write(fd, bytes([byte]))
            time.sleep(0.02)

    status = None
    try:
        if not wait_for(PROMPT, seconds=args.timeout):
            failures.append("no shell prompt on the terminal")
        else:
            mark = len(seen)
            type_text("sleep 100\r")
            time.sleep(3)  # sleep runs in its own foreground group by then
            type_text("\x03")
            if not wait_for(rb"\^C", mark):
                failures.append("Ctrl-C was not echoed as ^C")
            mark = len(seen)
            type_text("echo $?\r")
            # (the guest's CR LF reaches us as CR CR LF: the pty adds a CR)
            if not wait_for(rb"\n130\r*\n", mark):
                failures.append("after Ctrl-C, $? is not 130 (SIGINT did not end sleep)")
            type_text("poweroff\r")
            while time.monotonic() < deadline:
                done, code = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = os.waitstatus_to_exitcode(code)
                    break
                wait_for(rb"(?!)", seconds=0.5)  # keep reading (the pty must not fill up)
            if status is None:
                failures.append("QEMU did not exit after poweroff")
            elif status != 0:
                failures.append(f"QEMU exited with status {status}, wanted 0 (ACPI power off)")
    finally:
        if status is None:
            try:
                os.killpg(pid, signal.SIGKILL)  # qemu.py and its QEMU: this test's own process group
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        if args.log:
            with open(args.log, "wb") as f:
                f.write(bytes(seen))
    if failures:
        print("make run: FAILED")
        for failure in failures:
            print(f"  - {failure}")
        print("--- the terminal's last 2000 bytes ---")
        print(bytes(seen[-2000:]).decode(errors="replace"))
        return 1
    print("make run: the prompt came, Ctrl-C reached the shell's job, poweroff ended QEMU with 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
