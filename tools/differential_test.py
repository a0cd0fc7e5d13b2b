#!/usr/bin/env python3
"""Checks tools/differential.py itself (CTest user-host.differential_tool):
a changed, missing or extra line is a difference; an allowed difference only
hides the part its rule names; serial logs split at the markers."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential  # noqa: E402

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "differential.py")


class Differences(unittest.TestCase):
    def test_equal_outputs(self):
        self.assertEqual(differential.differences("a: 1\nb: 2\n", "a: 1\nb: 2\n", []), [])

    def test_carriage_returns_from_a_terminal_are_ignored(self):
        self.assertEqual(differential.differences("a: 1\nb: 2\n", "a: 1\r\nb: 2\r\n", []), [])

    def test_changed_missing_and_extra_lines(self):
        self.assertEqual(len(differential.differences("a: 1\nb: 2\n", "a: 1\nb: 3\n", [])), 1)
        self.assertIn("<missing>", differential.differences("a: 1\nb: 2\n", "a: 1\n", [])[0])
        self.assertIn("<missing>", differential.differences("a: 1\n", "a: 1\nFAIL x\n", [])[0])

    def test_allowed_group_hides_only_that_part(self):
        rules = [differential.re.compile(r"release: (.*)")]
        self.assertEqual(differential.differences("release: 6.1\n", "release: 0.1\n", rules), [])
        self.assertEqual(len(differential.differences("release: 6.1\nx: 1\n", "release: 0.1\nx: 2\n", rules)), 1)
        rules = [differential.re.compile(r"size: (\d+) kind=file")]
        self.assertEqual(len(differential.differences("size: 1 kind=file\n", "size: 2 kind=dir\n", rules)), 1)

    def test_allowed_file_is_per_program(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("# comment\nprocess x: (.*)\n* y: .*\n")
        try:
            self.assertEqual(len(differential.load_allowed(f.name, "process")), 2)
            self.assertEqual(len(differential.load_allowed(f.name, "memory")), 1)
        finally:
            os.unlink(f.name)


class SerialLog(unittest.TestCase):
    LOG = ("kernel: ready\n@@user-test begin glibc/process\r\ngetpid>0: yes\r\n"
           "@@user-test end glibc/process status=0\r\nnoise\n@@user-test begin musl/process\ngetpid>0: yes\n"
           "@@user-test end musl/process status=1\n@@user-test begin glibc/memory\nmmap: ok\n")

    def test_split(self):
        sections = differential.split_log(self.LOG)
        self.assertEqual(sections[("glibc", "process")], (0, "getpid>0: yes\n"))
        self.assertEqual(sections[("musl", "process")], (1, "getpid>0: yes\n"))
        self.assertEqual(sections[("glibc", "memory")], (None, "mmap: ok\n"))  # never ended: a crash

    def test_kernel_mode_fails_on_status_and_missing_programs(self):
        with tempfile.TemporaryDirectory() as tmp:
            for flavour in ("glibc", "musl"):
                os.makedirs(os.path.join(tmp, "ref", flavour))
                with open(os.path.join(tmp, "ref", flavour, "process.out"), "w") as f:
                    f.write("getpid>0: yes\n")
            log = os.path.join(tmp, "serial.log")
            with open(log, "w") as f:
                f.write(self.LOG)
            result = subprocess.run([sys.executable, TOOL, "kernel", log, "--ref-dir", os.path.join(tmp, "ref")],
                                    capture_output=True, text=True)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("glibc/process: matches the host", result.stdout)
            self.assertIn("musl/process: FAILED", result.stdout)
            with open(log, "w") as f:
                f.write(self.LOG.replace("status=1", "status=0"))
            result = subprocess.run([sys.executable, TOOL, "kernel", log, "--ref-dir", os.path.join(tmp, "ref")],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stdout)


if __name__ == "__main__":
    unittest.main()
