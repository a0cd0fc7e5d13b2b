#!/usr/bin/env python3
"""Checks the pieces of `make bench`'s Linux comparison that the
linux-ref.user_programs_on_linux_6_1 boot does not (CTest
linux-ref.bench_harness):
  - ubench runs every operation on the host and prints parseable lines;
  - the hand-off probe boots through SeaBIOS as a bzImage and reports a TSC
    (a plausible one: after the firmware, long before any kernel);
  - our kernel boots the reference initramfs, its /init script's
    `setsid cttyhack sh` reaches the prompt, and the ubench command typed
    there reports figures, the file rows on /tmp included, and the
    hand-off-to-prompt figure (run_ours);
  - PID 1 starts in session 0 and process group 0 and its setsid()
    succeeds under Linux 6.1 (tests/user/kernel/procs.c as rdinit=), as the
    scenario user_procs_pid1 checks in our kernel;
  - the table shows "—" for a side or row without a figure, and the ratio
    otherwise.
Usage: linux_reference_test.py <build dir>"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linux_reference as ref  # noqa: E402

BUILD = "build"


class Ubench(unittest.TestCase):
    def test_every_operation_reports_a_figure(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([os.path.join(BUILD, "user", "ubench"), "--dir", tmp, "--runs", "1"],
                                 capture_output=True, text=True, timeout=300).stdout
        self.assertIn("ubench end status=0", out)
        figures = ref.parse(out)
        cpus = int(out.split("cpus=")[1].split()[0])
        for name, _ in ref.OPERATIONS:
            if cpus < 2 and name in ("futex_wake_cross_cpu", "mutex_handoff"):
                self.assertIn(f"ubench {name} skipped reason=one_cpu", out)
                continue
            self.assertIn(name, figures)
            self.assertGreater(figures[name], 0)

    def test_only_selects(self):
        out = subprocess.run([os.path.join(BUILD, "user", "ubench"), "--only", "null_syscall", "--runs", "1"],
                             capture_output=True, text=True, timeout=60).stdout
        self.assertEqual(list(ref.parse(out)), ["null_syscall"])


class Probe(unittest.TestCase):
    def test_probe_reports_the_firmware_hand_off(self):
        with tempfile.TemporaryDirectory() as tmp:
            probe = ref.build_probe(tmp)
            initrd = os.path.join(tmp, "empty.cpio")
            open(initrd, "wb").close()
            guest = ref.Guest(ref.qemu_linux(probe, initrd, 1), os.path.join(tmp, "probe.log"))
            tsc = int(guest.wait_for(ref.PROBE, 120).group(1), 16)
            guest.stop()
        # SeaBIOS needs some millions of instructions; a kernel's boot needs
        # more than a billion.
        self.assertGreater(tsc, 1_000_000)
        self.assertLess(tsc, 500_000_000)


class Ours(unittest.TestCase):
    def test_our_kernel_runs_the_reference_initramfs(self):
        with tempfile.TemporaryDirectory() as tmp:
            initramfs = ref.build_initramfs(os.path.join(tmp, "initramfs.cpio"), ref.static_busybox(),
                                            os.path.join(BUILD, "user", "ubench"))
            handoff, text = ref.run_ours(initramfs, "--dir /tmp --runs 1 --only null_syscall,open_close,stat", 1,
                                         400, tmp, BUILD)
        figures = ref.parse(text)
        self.assertEqual(sorted(figures), ["null_syscall", "open_close", "stat"])
        self.assertGreater(figures["open_close"], 0)
        self.assertIn("ubench end status=0", text)
        # The shell is the /init script's process (PID 1 is still alive:
        # no "init: ... exited" before the prompt).
        self.assertNotIn("init: /init (pid 1)", text.split("@@prompt")[0])
        # The kernel's boot and busybox's start take millions of
        # instructions; a whole Linux boot is below two billion.
        self.assertGreater(handoff, 1_000_000)
        self.assertLess(handoff, 5_000_000_000)


class Pid1OnLinux(unittest.TestCase):
    def test_procs_checks_hold_for_linux_init(self):
        cache = os.path.join(BUILD, "linux-ref")
        vmlinuz, _ = ref.debian_vmlinuz(cache)
        with tempfile.TemporaryDirectory() as tmp:
            # As the reference /init: the console from devtmpfs, then procs
            # in PID 1's place (exec: the same process, group and session).
            script = os.path.join(tmp, "procs-init")
            with open(script, "w") as f:
                f.write("#!/bin/sh\nmount -t devtmpfs devtmpfs /dev\nexec 0<>/dev/console 1>&0 2>&0\n"
                        "exec /bin/procs\n")
            os.chmod(script, 0o755)
            initramfs = ref.build_initramfs(os.path.join(tmp, "procs.cpio"), ref.static_busybox(),
                                            os.path.join(BUILD, "user", "ubench"),
                                            {"/bin/procs": os.path.join(BUILD, "user", "kernel", "procs"),
                                             "/procs-init": script})
            cmd = ref.qemu_linux(vmlinuz, initramfs, 1, icount=False, append=ref.APPEND + " rdinit=/procs-init")
            guest = ref.Guest(cmd, os.path.join(tmp, "procs.log"))
            guest.wait_for(re.compile(rb"procs: (ok|FAILED)"), 240)
            guest.stop()
        text = guest.output.decode(errors="replace")
        self.assertIn("procs: in session 0 and process group 0: yes", text)
        self.assertIn("procs: setsid() as pid 1 returns 1: yes", text)
        self.assertNotRegex(text, r"procs: .*: no\r?\n")
        self.assertIn("procs: ok", text)


class Table(unittest.TestCase):
    def test_ours_missing_then_present(self):
        linux = {"null_syscall": 300, "page_fault": 7000}
        text = ref.table(linux, None, 1_000_000, None, "linux-image-test")
        self.assertIn("| null syscall (getppid)", text)
        row = next(line for line in text.splitlines() if "null syscall" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["300", "—", "—"])
        text = ref.table(linux, {"null_syscall": 100}, 1_000_000, 500_000, "linux-image-test")
        row = next(line for line in text.splitlines() if "null syscall" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["300", "100", "0.33"])
        row = next(line for line in text.splitlines() if "first shell prompt" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["1,000,000", "500,000", "0.50"])

    def test_linux_not_run(self):
        text = ref.table(None, {"stat": 900}, None, 500_000, "kernel not run")
        row = next(line for line in text.splitlines() if "stat (tmpfs)" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["—", "900", "—"])
        row = next(line for line in text.splitlines() if "first shell prompt" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["—", "500,000", "—"])

    def test_wall_time(self):
        text = ref.wall_table(8.0, 12.04, 5.5, 3)
        row = next(line for line in text.splitlines() if "first shell prompt" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["8.0 s", "12.0 s", "1.50"])
        row = next(line for line in text.splitlines() if "the firmware" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["—", "5.5 s", "—"])
        row = next(line for line in ref.wall_table(None, 12.0, 5.5, 3).splitlines() if "first shell prompt" in line)
        self.assertEqual([c.strip() for c in row.split("|")[2:5]], ["—", "12.0 s", "—"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BUILD = sys.argv.pop(1)
    unittest.main()
