#!/usr/bin/env python3
"""Tests of tools/check_layering.py on small made-up trees: it must refuse
every kind of violation and accept what the layers allow."""
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_layering  # noqa: E402


def make_tree(root, files):
    for path, text in files.items():
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)


class Layering(unittest.TestCase):
    def check(self, files):
        with tempfile.TemporaryDirectory() as directory:
            root = pathlib.Path(directory)
            make_tree(root, files)
            return check_layering.check(root)[1]

    def test_allowed_includes_pass(self):
        problems = self.check({
            "lib/span.hpp": "",
            "kernel/sync/spinlock.hpp": '#include "kernel/arch/x86_64/cpu.hpp"\n',
            "kernel/arch/x86_64/cpu.hpp": '#include "lib/span.hpp"\n#include "kernel/sync/spinlock.hpp"\n',
            "kernel/test/ktest.hpp": "",
            "kernel/arch/x86_64/cpu_ktests.cpp": '#include "kernel/test/ktest.hpp"\n',
            "kernel/mm/mm.hpp": '#include "kernel/arch/x86_64/cpu.hpp"\n',
            "kernel/main.cpp": '#include "kernel/mm/mm.hpp"\n',
        })
        self.assertEqual(problems, [])

    def test_a_lower_layer_including_a_higher_one_fails(self):
        problems = self.check({
            "kernel/mm/mm.hpp": "",
            "kernel/arch/x86_64/exceptions.cpp": '#include "kernel/mm/mm.hpp"\n',
            "lib/format.hpp": '#include "kernel/mm/mm.hpp"\n',
        })
        self.assertEqual(len(problems), 2)
        self.assertTrue(any("kernel/arch/x86_64/exceptions.cpp:1: the arch layer" in p for p in problems))
        self.assertTrue(any("lib/format.hpp:1: the lib layer" in p for p in problems))

    def test_only_the_test_framework_is_extra_for_tests(self):
        problems = self.check({
            "kernel/test/ktest.hpp": "",
            "kernel/boot/boot_info.hpp": "",
            "kernel/arch/x86_64/apic_ktests.cpp": '#include "kernel/test/ktest.hpp"\n#include "kernel/boot/boot_info.hpp"\n',
        })
        self.assertEqual(len(problems), 1)
        self.assertIn("kernel/boot/boot_info.hpp", problems[0])

    def test_includes_must_be_from_the_project_root(self):
        problems = self.check({"kernel/mm/heap.hpp": "", "kernel/mm/mm.cpp": '#include "mm/heap.hpp"\n'})
        self.assertEqual(len(problems), 1)
        self.assertIn("not a path from the project root", problems[0])

    def test_the_protocol_is_known_to_the_loader_and_kernel_boot_only(self):
        problems = self.check({
            "protocol/limine.hpp": "",
            "loader/main.cpp": '#include "protocol/limine.hpp"\n',
            "kernel/boot/limine.cpp": '#include "protocol/limine.hpp"\n',
            "kernel/mm/mm.cpp": '#include "protocol/limine.hpp"\n',
        })
        self.assertEqual(len(problems), 1)
        self.assertIn("kernel/mm/mm.cpp", problems[0])

    def test_a_file_outside_every_layer_is_reported(self):
        problems = self.check({"kernel/newthing/x.cpp": ""})
        self.assertEqual(len(problems), 1)
        self.assertIn("in no layer", problems[0])


if __name__ == "__main__":
    unittest.main()
