#!/usr/bin/env python3
"""Checks the pieces of `make bench`'s Linux comparison that the
linux-ref.user_programs_on_linux_6_1 boot does not (CTest
linux-ref.bench_harness):
  - ubench runs every operation on the host and prints parseable lines;
  - the hand-off probe boots through SeaBIOS as a bzImage and reports a TSC
    (a plausible one: after the firmware, long before any kernel);
  - our kernel runs ubench as PID 1 (run_ours) and reports figures;
  - the table shows "—" for our kernel until run_ours() returns figures,
    and the ratio once it does.
Usage: linux_reference_test.py <build dir>"""
import os
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
    def test_our_kernel_runs_ubench_as_pid_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            ours = ref.run_ours(os.path.join(BUILD, "user", "ubench"), "--dir /tmp --runs 1", 1, 300, tmp, BUILD,
                                "null_syscall,page_fault")
        self.assertIsNotNone(ours)
        figures = ref.parse(ours[1])
        self.assertEqual(sorted(figures), ["null_syscall", "page_fault"])
        self.assertGreater(figures["null_syscall"], 0)
        self.assertIn("ubench end status=0", ours[1])


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


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BUILD = sys.argv.pop(1)
    unittest.main()
