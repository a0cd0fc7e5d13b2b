"""The scenario tests: each is one boot of QEMU with a given machine shape,
kernel command line and ESP contents, and what the serial log and the exit
status must show. tests/scenario/run.py runs them; CTest registers one test
per name (cmake/scenario_tests.cmake).

Keys of a scenario:
  name        CTest name (scenario.<name>)
  cmdline     kernel command line (default conf); or
  conf        the whole limine.conf text (False: no limine.conf at all; True:
              the build's own boot/limine.conf, as make run boots it)
  modules     [(path on the ESP, module_cmdline)] added to the default conf
  resolution  `resolution:` of the default conf (default 1280x800; None: none)
  files       {path on the ESP: content} written into the ESP
  build_files {path on the ESP: path in the build directory} copied into the ESP
  patch_kernel  function(bytearray) editing the kernel file on the ESP
  smp, mem, cpu, machine, qemu_args   the machine shape
  exit        "pass" (kernel wrote 0x10), "fail" (0x11), "reset" (the guest
              reset, which -no-reboot turns into QEMU exit status 0), "poweroff"
              (ACPI soft-off: QEMU exits with status 0 too), or None: the boot
              must keep running; QEMU is stopped once every `expect` matched
  expect      regexes the serial log must contain
  reject      regexes it must not contain
  keys        [(regex, [QEMU key names][, seconds])]: once regex is in the
              serial log (and `seconds` later, if given), type the keys
              through the QEMU monitor (sendkey); typed() spells text
  serial      [(regex, bytes[, seconds])]: once regex is in the serial log
              (and `seconds` later, if given), type the bytes into the serial
              port (QEMU's stdin), one by one
  timeout     seconds
  our_loader  True: the scenario checks our loader's own messages or choices,
              so it is skipped when the ESP boots through another loader
              (make LIMINE_EFI=...)
  check       function(serial text, build dir) -> [failure]: run after the
              boot passed the checks above (user_program_scenario: the
              program's output against the host's)
  screen      function(width, height, rgb bytes) -> [failure]: once every
              `expect` matched, the screen is dumped and judged (failures
              are reported as "screen: ..." lines, which `reject` catches)
  kernel      a test kernel to boot instead of ours, relative to the build
              directory (e.g. "test-kernels/revision_check.elf")
  ours        False: only the real-Limine variants run (default True)
  real_limine True (or a list of versions): also run it through each real Limine in
              REAL_LIMINE_VERSIONS (as NAME.limine-<version>; tests/scenario/run.py
              says where the binaries are and skips when they are absent).
              Not for 64 MiB machines: both Limines stop there with "High
              memory allocator: Out of memory" before loading anything.
  opt_in      True (or a list of variants: "ours" and Limine versions): those
              variants carry the CTest label "opt-in" and are left out of
              `make test` (run them with `make test OPT_IN=1` or `ctest -L opt-in`):
              more machine shapes of what `make test` already covers once
  limine_overrides  {version: {key: value}}: keys replaced when running
              through that real Limine (each use says why where it is listed)
"""
import gzip
import hashlib
import os
import re
import struct
import subprocess
import sys

# The real Limine releases the kernel is checked against: the last 8.x (base
# revisions up to 2) and a 12.x (up to 6).
REAL_LIMINE_VERSIONS = ["8.2.0", "12.5.2"]

def newc(name, mode, data=b"", nlink=1, ino=1):
    """One cpio newc entry (docs/cpio.md)."""
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    entry = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
    entry += b"\0" * (-len(entry) % 4) + data
    return entry + b"\0" * (-len(entry) % 4)


# Two good files around a "../" name, then an entry cut short.
BROKEN_CPIO = (newc("good", 0o100644, b"kept\n") + newc("../escape", 0o100644, b"x") +
               newc("after", 0o100600, b"also kept\n") + newc("cut", 0o100644, b"y" * 100)[:150])


# --- kernel-file patches, for the loader's bad-input scenarios ----------------

COMMON_MAGIC = struct.pack("<QQ", 0xC7B1DD30DF4C8B88, 0x0A82E883A194F07B)
HHDM_ID = COMMON_MAGIC + struct.pack("<QQ", 0x48DCF1CB8AD2B852, 0x63984E959A98244B)
FIRMWARE_TYPE_ID = COMMON_MAGIC + struct.pack("<QQ", 0x8C2F75D90BEF28A8, 0x7045A4688EAC00C3)
PAGING_MODE_ID = COMMON_MAGIC + struct.pack("<QQ", 0x95C1A0EDAB0944CB, 0xA4E5CB3842F7488A)
BASE_REVISION_MAGIC = struct.pack("<QQ", 0xF9562B2D5C95A6C8, 0x6A7B384944536BDC)


def find_once(data, needle, what):
    at = data.find(needle)
    if at < 0 or data.find(needle, at + 1) >= 0:
        raise RuntimeError(f"kernel file: expected exactly one {what}")
    return at


def duplicate_hhdm_request(data):
    """Turns the Firmware Type request into a second HHDM request."""
    at = find_once(data, FIRMWARE_TYPE_ID, "firmware type request")
    data[at:at + 32] = HHDM_ID


def with_base_revision(revision):
    """A patch asking for another base revision (the tag's third word)."""
    def patch(data):
        at = find_once(data, BASE_REVISION_MAGIC, "base revision tag")
        data[at + 16:at + 24] = struct.pack("<Q", revision)
    return patch


def demand_5_level_paging(data):
    """Paging Mode request: mode, max_mode and min_mode all 5-level."""
    at = find_once(data, PAGING_MODE_ID, "paging mode request")
    data[at + 48:at + 72] = struct.pack("<QQQ", 1, 1, 1)


def program_headers(data):
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return [phoff + i * phentsize for i in range(phnum)]


def load_headers(data):
    return [at for at in program_headers(data) if struct.unpack_from("<I", data, at)[0] == 1]  # PT_LOAD


def move_first_segment_low(data):
    """The first PT_LOAD linked at 2 MiB, below 0xffffffff80000000."""
    at = load_headers(data)[0]
    struct.pack_into("<QQ", data, at + 16, 0x200000, 0x200000)  # p_vaddr, p_paddr


def overlap_second_segment(data):
    """The second PT_LOAD placed on top of the first."""
    first, second = load_headers(data)[:2]
    vaddr, = struct.unpack_from("<Q", data, first + 16)
    struct.pack_into("<QQ", data, second + 16, vaddr, vaddr)


def huge_bss(data):
    """The last PT_LOAD asks for 512 MiB of zeroed memory: more than a 256 MiB VM has."""
    at = load_headers(data)[-1]
    struct.pack_into("<Q", data, at + 40, 0x20000000)  # p_memsz


# --- the scenarios -----------------------------------------------------------

ACPI_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "acpi")

READY = r"^kernel: ready"
SUMMARY = (r'^boot: loader="[^"]+" rev=\d hhdm=0x[0-9a-f]+ memmap=\d+ usable=\d+ fb=(\d+x\d+x\d+|none) cpus=\d+ '
           r'rsdp=0x[0-9a-f]+ kernel=0x[0-9a-f]+@0xffffffff80000000 cmdline="[^"]*"')
ALL_PASSED = r"^tests: [1-9]\d* passed, 0 failed"
NO_PANIC = r"panic:"
NOTHING_SKIPPED = r"^\[ SKIP \]"  # on q35 with a framebuffer every case has something to check
LOADER_ERROR = r"^loader: error: "

TWO_ENTRIES = """timeout: {timeout}
default_entry: {default}

/first
    protocol: limine
    kernel_path: boot():/boot/kernel
    cmdline: entry=one

/second
    protocol: limine
    kernel_path: boot():/boot/kernel
    kernel_cmdline: entry=two
"""

MODULE_ONE = "hello from module one\n"
MODULE_TWO = "second module, with a longer body " * 100 + "\n"

# CPU exceptions (kernel/arch/x86_64, faulttest=<what>): each deliberate fault
# is reported with its name, decoded error code, registers and a backtrace
# naming the trigger, and ends the run with the failure status.
FAULT_REPORT = [r"^registers:", r"^\s+rip=0x[0-9a-f]{16}", r"^backtrace:"]
NESTED = r"nested panic"
CPU_SCENARIOS = [
    dict(name="fault_page_fault_is_reported", cmdline="faulttest=pf", exit="fail", reject=[NESTED],
         expect=[r"^panic: page fault \(#PF, vector 14\) at rip=0x[0-9a-f]+: cr2=0x0000000000000010 "
                 r"error_code=0x0 \(not-present read supervisor\)",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::read_byte\+0x", r"arch::run_fault_selftest\+0x"] + FAULT_REPORT),
    dict(name="fault_page_fault_write_to_rodata", cmdline="faulttest=pf_write", exit="fail", reject=[NESTED],
         expect=[r"^panic: page fault \(#PF, vector 14\) at rip=0x[0-9a-f]+: cr2=0xffffffff8[0-9a-f]{7} "
                 r"error_code=0x3 \(protection-violation write supervisor\)",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::write_byte\+0x"] + FAULT_REPORT),
    dict(name="fault_general_protection_is_reported", cmdline="faulttest=gp", exit="fail", reject=[NESTED],
         expect=[r"^panic: general protection fault \(#GP, vector 13\) at rip=0x[0-9a-f]+: error_code=0x0 "
                 r"\(no selector\)", r"#0 0x[0-9a-f]+ arch::fault_triggers::read_byte\+0x"] + FAULT_REPORT),
    dict(name="fault_selector_error_code_is_decoded", cmdline="faulttest=gp_selector", exit="fail", reject=[NESTED],
         expect=[r"^panic: general protection fault \(#GP, vector 13\) .*error_code=0x1238 "
                 r"\(GDT index 583 \(selector 0x1238\)\)",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::load_bad_data_selector\+0x"] + FAULT_REPORT),
    dict(name="fault_invalid_opcode_is_reported", cmdline="faulttest=ud", exit="fail", reject=[NESTED],
         expect=[r"^panic: invalid opcode \(#UD, vector 6\) at rip=0x[0-9a-f]+",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::invalid_opcode\+0x"] + FAULT_REPORT),
    dict(name="fault_divide_error_is_reported", cmdline="faulttest=de", exit="fail", reject=[NESTED],
         expect=[r"^panic: divide error \(#DE, vector 0\) at rip=0x[0-9a-f]+",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::divide_by_zero\+0x"] + FAULT_REPORT),
    dict(name="stack_overflow_is_reported_as_double_fault", cmdline="faulttest=stack_overflow", exit="fail",
         reject=[NESTED],
         expect=[r"^panic: double fault \(#DF, vector 8\): kernel stack overflow: the fault test's guarded stack "
                 r"\[0x[0-9a-f]+, 0x[0-9a-f]+\) ran out, rsp=0x[0-9a-f]+ cr2=0x[0-9a-f]{16}",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::\(anonymous namespace\)::recurse\+0x"] + FAULT_REPORT),
    dict(name="fault_report_after_mm_describes_the_address", cmdline="test=demo_fail_cpu", exit="fail",
         reject=[NESTED],
         expect=[r"^panic: page fault \(#PF, vector 14\) at rip=0x[0-9a-f]+: cr2=0x0000000000000010 error_code=0x0 "
                 r"\(not-present read supervisor\); address 0x0000000000000010 \(.*\): not mapped",
                 r"#0 0x[0-9a-f]+ arch::fault_triggers::read_byte\+0x", r"^\[ FAIL \] demo_fail_cpu\.unexpected_page_fault: panicked",
                 r"^tests: 0 passed, 1 failed"] + FAULT_REPORT),
    dict(name="faulttest_unknown_is_refused", cmdline="faulttest=nonsense", exit="fail",
         expect=[r"^panic: faulttest: unknown fault test 'nonsense'"]),
]

# Interrupt routing, time and the keyboard (kernel/arch/x86_64/irq*, kernel/time,
# kernel/dev), and machine shapes that must all reach `kernel: ready`.
def time_line(reference):
    return (r"^\[\s*\d+\.\d{6}\] info: time: TSC \d+ MHz.*, LAPIC timer \d+ MHz, calibrated against "
            + reference + r" \([\d.]+ MHz\)")


IOAPIC_LINE = r"^info: ioapic: id \d+ version 0x[0-9a-f]+ at 0xfec00000: GSIs 0-23, all masked"
KEYBOARD_LINE = r"info: keyboard: PS/2 keyboard on the i8042, ISA IRQ 1 -> vector 0x[0-9a-f]+"
TIME_SUITES = "test=time,irq,keyboard"
TIME_SCENARIOS = [
    dict(name="keyboard_echo", cmdline="", smp=2,
         keys=[(READY, ["h", "i", "shift-a", "spc", "caps_lock", "a", "caps_lock", "b", "ctrl-c", "ret"])],
         expect=[READY, IOAPIC_LINE, time_line("HPET"), KEYBOARD_LINE, r"^hiA Ab\^C\r?$"], reject=[NO_PANIC]),
    # Ctrl+Alt+F12 dumps the scheduler's threads and CPUs into the log.
    dict(name="keyboard_ctrl_alt_f12_dumps_threads", cmdline="", smp=2, keys=[(READY, ["ctrl-alt-f12"])],
         expect=[READY, r"info: sched: \d+ threads", r"^.*\d+ idle/0\s+\S+\s+cpu 0 run \d+ us",
                 r"^.*\d+ kworker/1\s+blocked\s+cpu 1 run \d+ us waits on work", r"cpu 1: \d+ runnable, load \d+, \d+ switches"],
         reject=[NO_PANIC]),
    dict(name="keyboard_echo_without_framebuffer", cmdline="", qemu_args=["-vga", "none"],
         keys=[(READY, ["shift-h", "e", "y", "ret"])], expect=[READY, r"^Hey\r?$"], reject=[NO_PANIC]),
    dict(name="time_q35_hpet", cmdline=TIME_SUITES, smp=2, exit="pass", expect=[ALL_PASSED, time_line("HPET")],
         reject=[NO_PANIC]),
    dict(name="time_q35_without_hpet", cmdline=TIME_SUITES, machine="q35,hpet=off", exit="pass",
         expect=[ALL_PASSED, time_line("ACPI PM timer")], reject=[NO_PANIC]),
    dict(name="time_pc_without_hpet", real_limine=True, cmdline=TIME_SUITES, machine="pc,hpet=off", exit="pass",
         expect=[ALL_PASSED, time_line("ACPI PM timer")], reject=[NO_PANIC]),
    dict(name="time_pc_hpet", cmdline=TIME_SUITES, machine="pc", exit="pass", expect=[ALL_PASSED, time_line("HPET")],
         reject=[NO_PANIC]),
    dict(name="time_calibrated_against_pit", cmdline=TIME_SUITES + " clocksource=pit", exit="pass",
         expect=[ALL_PASSED, time_line("PIT")], reject=[NO_PANIC]),
    dict(name="time_oneshot_mode", cmdline=TIME_SUITES + " timer=oneshot", exit="pass",
         expect=[ALL_PASSED, r"deadlines in one-shot mode"], reject=[NO_PANIC]),
    dict(name="time_qemu64_cpu", cmdline=TIME_SUITES, cpu="qemu64", exit="pass", expect=[ALL_PASSED],
         reject=[NO_PANIC]),
    dict(name="ready_1cpu_64m", cmdline="", smp=1, mem="64M", expect=[READY, time_line("HPET")], reject=[NO_PANIC]),
    dict(name="ready_16cpu_16g", cmdline="", smp=16, mem="16G", expect=[READY, time_line("HPET")],
         reject=[NO_PANIC], timeout=240),
    dict(name="ready_pc_4cpu_2g", real_limine=True, cmdline="", machine="pc", smp=4, mem="2G", expect=[READY, IOAPIC_LINE],
         reject=[NO_PANIC]),
]

# Base revisions 0 to 6 through our loader: the small test kernel
# tests/kernels/revision_check asks for the revision named on its command line
# (the patch puts the same number in its tag) and checks that revision's rules.
REVISION_CHECK = "test-kernels/revision_check.elf"
REVISION_SCENARIOS = [
    dict(name=f"base_revision_{revision}", real_limine=["12.5.2"], kernel=REVISION_CHECK,
         patch_kernel=with_base_revision(revision), cmdline=f"revision={revision}", exit="pass", timeout=60,
         expect=[rf"^revision-check: revision {revision}: [1-9]\d* passed, 0 failed"],
         # From 5 on every CPU's local APIC state is checked: two of them.
         smp=2 if revision >= 5 else 1)
    for revision in range(7)
] + [
    # QEMU's VT-d unit (the firmware leaves it off, so this checks that the
    # loader finds it and that it is off at entry; the sequence that turns a
    # running unit off is host-tested, loader/core/iommu_test.cpp).
    dict(name="base_revision_6_iommu_off", real_limine=["12.5.2"], kernel=REVISION_CHECK,
         patch_kernel=with_base_revision(6), cmdline="revision=6 iommu=1", qemu_args=["-device", "intel-iommu"],
         exit="pass", timeout=60,
         expect=[r"^revision-check: revision 6: [1-9]\d* passed, 0 failed",
                 r"^loader: IOMMU: VT-d unit at 0xfed90000 was off"],
         limine_overrides={"12.5.2": dict(expect=[r"^revision-check: revision 6: [1-9]\d* passed, 0 failed"])}),
]


def blake2b_512(data):
    return hashlib.blake2b(data if isinstance(data, bytes) else data.encode(), digest_size=64).hexdigest()


def conf_with(lines, globals_=""):
    return f"timeout: 0\n{globals_}\n/cxxkernel\n    protocol: limine\n" + "".join(f"    {l}\n" for l in lines)


def minimal_device_tree():
    """An empty root node (Devicetree Specification 0.4 §5: header, memory
    reservation block, structure block, strings block; big endian)."""
    reservations = struct.pack(">QQ", 0, 0)
    structure = struct.pack(">II", 1, 0) + struct.pack(">I", 2) + struct.pack(">I", 9)  # BEGIN_NODE "", END_NODE, END
    strings = b""
    header_size = 40
    total = header_size + len(reservations) + len(structure) + len(strings)
    header = struct.pack(">10I", 0xD00DFEED, total, header_size + len(reservations),
                         header_size + len(reservations) + len(structure), header_size, 17, 16, 0, len(strings),
                         len(structure))
    return header + reservations + structure + strings


MODULE_ONE_HASH = blake2b_512(MODULE_ONE.encode())
# mtime 0: the same bytes on every run.
MODULE_ONE_GZ = gzip.compress(MODULE_ONE.encode(), mtime=0)


def gzip_whole_file(data):
    """The kernel file replaced by its gzip (for a '$' path)."""
    data[:] = gzip.compress(bytes(data), mtime=0)
MODULE_WRONG_HASH = blake2b_512(b"not the module")

# limine.conf as Limine 11 reads it, and its bad input.
CONFIG_SCENARIOS = [
    # Macros, a directory of sub-entries, default_entry by path, path: with a
    # BLAKE2b-512 hash on the module, module_string: the kernel checks the
    # module and its string. Limine 12.5.2 reads the same file.
    dict(name="config_modern_limine_conf", real_limine=["12.5.2"], smp=1,
         conf=("${KERNEL}=boot():/boot/kernel\n${CMD}=test=boot_protocol expect_modules=1\n"
               "timeout: 0\ndefault_entry: Tests/Modern\n"
               "/Plain\n    protocol: limine\n    path: ${KERNEL}\n    cmdline: entry=plain\n"
               "/+Tests\n//Modern\n    protocol: limine\n    path: ${KERNEL}\n    cmdline: ${CMD}\n"
               f"    module_path: boot():/boot/modules/one.txt#{MODULE_ONE_HASH}\n"
               "    module_string: hello from module one\n"),
         files={"/boot/modules/one.txt": MODULE_ONE}, exit="pass", expect=[ALL_PASSED],
         reject=[NO_PANIC, r"entry=plain"]),
    dict(name="loader_hash_mismatch_names_the_file", our_loader=True,
         conf=conf_with(["path: boot():/boot/kernel", f"module_path: boot():/boot/modules/one.txt#{MODULE_WRONG_HASH}"]),
         files={"/boot/modules/one.txt": MODULE_ONE},
         expect=[LOADER_ERROR + r"hash mismatch \(BLAKE2b-512\) \(/boot/modules/one\.txt\)"], reject=[READY]),
    dict(name="loader_hash_mismatch_only_warns_when_told", our_loader=True,
         conf=conf_with(["path: boot():/boot/kernel", f"module_path: boot():/boot/modules/one.txt#{MODULE_WRONG_HASH}"],
                        "hash_mismatch_panic: no"),
         files={"/boot/modules/one.txt": MODULE_ONE},
         expect=[r"^loader: warning: hash mismatch \(BLAKE2b-512\) \(/boot/modules/one\.txt\); booting anyway", READY]),
    dict(name="loader_kernel_blake3_hash_is_checked", our_loader=True,
         conf=conf_with(["path: boot():/boot/kernel#" + "0" * 64]),
         expect=[LOADER_ERROR + r"hash mismatch \(BLAKE3-256\) \(/boot/kernel\)"], reject=[READY]),
    dict(name="loader_malformed_hash", our_loader=True, conf=conf_with(["path: boot():/boot/kernel#12ab"]),
         expect=[LOADER_ERROR + r"path: a path's '#' must be followed by a hash of 64, 128 or 256 hexadecimal digits"],
         reject=[READY]),
    dict(name="loader_unterminated_macro", our_loader=True, conf=conf_with(["path: ${KERNEL"]),
         expect=[LOADER_ERROR + r"a '\$\{' without its '\}' on the same line"], reject=[READY]),
    # '$' paths: gzip decompressed by the loader (RFC 1952). The kernel itself
    # and a module, each gzipped, the module's hash over its compressed bytes;
    # the kernel checks the module's contents. Limine 12.5.2 reads the same.
    dict(name="config_gzip_kernel_and_module", real_limine=["12.5.2"], smp=1,
         conf=conf_with(["path: $boot():/boot/kernel", "cmdline: test=boot_protocol expect_modules=1",
                         f"module_path: $boot():/boot/modules/one.txt.gz#{blake2b_512(MODULE_ONE_GZ)}",
                         "module_string: hello from module one"]),
         patch_kernel=gzip_whole_file, files={"/boot/modules/one.txt.gz": MODULE_ONE_GZ}, exit="pass",
         expect=[ALL_PASSED], reject=[NO_PANIC]),
    dict(name="loader_corrupt_gzip_names_the_file", our_loader=True,
         conf=conf_with(["path: boot():/boot/kernel", "module_path: $boot():/boot/modules/bad.gz"]),
         files={"/boot/modules/bad.gz": MODULE_ONE_GZ[:-8] + bytes([MODULE_ONE_GZ[-8] ^ 0x40]) + MODULE_ONE_GZ[-7:]},
         expect=[LOADER_ERROR + r"gzip: CRC-32 mismatch: the data is corrupt \(/boot/modules/bad\.gz\)"],
         reject=[READY]),
    dict(name="loader_not_gzip_names_the_file", our_loader=True,
         conf=conf_with(["path: boot():/boot/kernel", "module_path: $boot():/boot/modules/plain.txt"]),
         files={"/boot/modules/plain.txt": MODULE_ONE},
         expect=[LOADER_ERROR + r"gzip: not a gzip file \(/boot/modules/plain\.txt\)"], reject=[READY]),
    # dtb_path answers the Device Tree Blob request (checked by the test kernel).
    dict(name="loader_device_tree_from_dtb_path", our_loader=True, kernel=REVISION_CHECK, exit="pass",
         conf=conf_with(["path: boot():/boot/kernel", "dtb_path: boot():/boot/test.dtb", "cmdline: revision=2 dtb=1"]),
         files={"/boot/test.dtb": minimal_device_tree()}, expect=[r"^revision-check: revision 2: [1-9]\d* passed, 0 failed"]),
    dict(name="loader_bad_device_tree", our_loader=True, kernel=REVISION_CHECK,
         conf=conf_with(["path: boot():/boot/kernel", "dtb_path: boot():/boot/bad.dtb", "cmdline: revision=2 dtb=1"]),
         files={"/boot/bad.dtb": b"this is no device tree" * 4},
         expect=[LOADER_ERROR + r"dtb_path: not a flattened device tree \(no 0xd00dfeed magic\) \(/boot/bad\.dtb\)"],
         reject=[r"revision-check: revision"]),
]

def template_drawing(width, height, rgb):
    """What tests/kernels/template draws on a framebuffer cleared at hand-over:
    a white diagonal from (0,0), an orange square at x 300-399, y 200-299,
    black elsewhere (the loader's own text must be gone)."""
    def pixel(x, y):
        at = (y * width + x) * 3
        return tuple(rgb[at:at + 3])
    failures = []
    for i in range(0, 100, 7):
        if pixel(i, i) != (255, 255, 255):
            failures.append(f"diagonal pixel ({i},{i}) is {pixel(i, i)}, not white")
    for x, y in ((300, 200), (350, 250), (399, 299)):
        if pixel(x, y) != (255, 128, 32):
            failures.append(f"square pixel ({x},{y}) is {pixel(x, y)}, not orange")
    for y in range(2, 64, 3):
        for x in range(0, 640, 5):
            if x != y and pixel(x, y) != (0, 0, 0):
                failures.append(f"pixel ({x},{y}) is {pixel(x, y)}: the framebuffer was not cleared")
                return failures
    return failures


# A kernel in the style of the official templates (base revision 6, a
# framebuffer, `path:` in its limine.conf) boots and draws.
TEMPLATE_SCENARIOS = [
    dict(name="template_kernel_draws", real_limine=["12.5.2"], kernel="test-kernels/template.elf",
         conf="timeout: 0\n/Template\n    protocol: limine\n    path: boot():/boot/kernel\n    resolution: 1280x800\n",
         expect=[r"template: drew a diagonal and a square"], screen=template_drawing, reject=[r"^screen: "]),
]

# Every CPU (kernel/smp/, docs/smp.md): the smp suite, most of whose checks
# run on all CPUs at once; the bring-up line and the boot summary count the
# CPUs online. `make test` boots 2 CPUs on pc and 16 on q35 (the 16 also
# through Limine 12.5.2: bring-up relies only on the protocol's goto_address);
# ktest_all_* runs the suite with 1, 2 and 4 CPUs on q35 (through both real
# Limines) and 8 on pc. The other counts of the 1/2/4/8/16 x q35/pc
# grid are opt-in (label opt-in).
def smp_online(n):
    return r"^info: smp: %d CPUs online \(APIC ids [\d ]+\)" % n


# (machine, CPUs, real Limine variants, opt-in variants)
SMP_SHAPES = [("q35", 2, (), True), ("q35", 8, (), True), ("q35", 16, True, ["8.2.0"]),
              ("pc", 1, (), True), ("pc", 2, (), False), ("pc", 4, (), True), ("pc", 8, (), True),
              ("pc", 16, True, True)]
SMP_SCENARIOS = [
    dict(name=f"smp_{machine}_{n}cpu", real_limine=real, opt_in=opt_in, cmdline=f"test=smp expect_cpus={n}",
         machine=machine, smp=n, mem="512M",
         exit="pass", expect=[ALL_PASSED, smp_online(n), rf"^boot: .* cpus={n} "], reject=[NO_PANIC, r"klog: \d+ records lost"],
         timeout=240 if n >= 8 else 120)
    for machine, n, real, opt_in in SMP_SHAPES
] + [
    # A panic on an AP: every other CPU stops (NMI), the report comes out
    # once, whole, naming the CPU; nothing the boot CPU logs lands inside it.
    dict(name="smp_panic_on_an_ap", real_limine=True, opt_in=["8.2.0"], cmdline="test=demo_fail_smp", smp=4, exit="fail",
         expect=[r"^panic: deliberate panic on CPU 3\r?$", r"^  on CPU 3 \(APIC id 3\)\r?$", r"^backtrace:",
                 r"^\[ FAIL \] demo_fail_smp\.panic_on_an_ap_stops_everything: panicked",
                 r"^panic: test mode, exiting QEMU"],
         reject=[r"(?s)^panic: deliberate.*^demo: CPU 0 still running", r"(?s)^panic: deliberate.*^panic: deliberate",
                 NESTED]),
    # More CPUs in the MADT than QEMU starts (-smp 2,maxcpus=4 lists two
    # hot-pluggable, disabled slots): they are left out with a warning.
    dict(name="smp_madt_lists_more_cpus_than_run", real_limine=True, opt_in=["8.2.0"],
         cmdline="test=smp expect_cpus=2", smp="2,maxcpus=4",
         exit="pass",
         expect=[ALL_PASSED, smp_online(2), r"warn: smp: CPU with APIC id 2 left out: disabled in the MADT",
                 r"warn: smp: CPU with APIC id 3 left out: disabled in the MADT", r"^boot: .* cpus=2 "],
         reject=[NO_PANIC]),
]

CPU_READY = [r"^info: cpu: GDT, TSS \(IST: #DF #NMI #MC\) and IDT \(256 vectors\) loaded",
             r"^info: cpu: 8259 PICs remapped to 0x20-0x2f and masked",
             r"^info: cpu: local APIC x2?APIC id \d+, spurious vector 0xff"]

# User space (kernel/proc, kernel/syscall): a static test program of
# tests/user/ handed over as a Limine module runs as PID 1 (init=); what it
# prints on the serial console must be what the same binary prints on the
# host Linux (tools/differential.py's comparison, kernel log lines left
# out), it must exit 0, and the kernel then powers the machine off.
KLOG_LINE = re.compile(r"^(\[\s*\d+\.\d+\] )?(debug|info|warn|warning|error): ")
# A timestamped kernel log record that landed inside a line of the
# program's: the log drains on a worker thread of its own, so its records
# may come out between two writes of the program (each record is one whole
# line, written at once, so taking it out restores the program's line).
KLOG_RECORD_INSIDE = re.compile(r"(?<=[^\n])\[\s*\d+\.\d+\] (debug|info|warn|warning|error): [^\n]*\n")
TOOLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")


def init_output(text, path):
    """The lines PID 1 printed: between the kernel's "init: starting <path>"
    and "init: <path> (pid 1) ..." lines, without the kernel's own log lines."""
    lines, inside = [], False
    text = text.replace("\r\n", "\n")
    text = KLOG_RECORD_INSIDE.sub("", text)  # records at a line's start stay (KLOG_LINE below)
    for line in text.split("\n"):
        if re.search(r"init: starting " + re.escape(path) + r" as pid 1$", line.rstrip("\r")):
            inside = True
        elif inside and re.search(r"init: " + re.escape(path) + r" \(pid 1\) ", line):
            break
        elif inside and not KLOG_LINE.match(line):
            lines.append(line.rstrip("\r"))
    return "".join(x + "\n" for x in lines)


def cut_at(output, stop):
    """The output's lines before the first that starts with `stop`."""
    lines = output.splitlines(True)
    for i, line in enumerate(lines):
        if line.startswith(stop):
            return "".join(lines[:i])
    return output


def matches_host(flavour, program, stop=None):
    """A scenario check: PID 1's output equals the host's for the same binary
    (up to the first line starting with `stop`, when given: the parts that
    need what the kernel does not have yet)."""
    def check(text, build_dir):
        sys.path.insert(0, TOOLS_DIR)
        import differential
        binary = os.path.join(build_dir, "user", flavour, program)
        status, expected, error = differential.run(binary, 120)
        if status != 0:
            return [f"{flavour}/{program} failed on the host (status {status}): {error.strip()[:200]}"]
        actual = init_output(text, f"/boot/modules/{program}")
        if stop:
            expected, actual = cut_at(expected, stop), cut_at(actual, stop)
        rules = differential.load_allowed(
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "user", "allowed_differences.txt"),
            program)
        problems = differential.differences(expected, actual, rules)
        return [f"{flavour}/{program} differs from the host:"] + problems if problems else []
    return check


def user_program_scenario(flavour, program, **extra):
    path = f"/boot/modules/{program}"
    return dict(name=f"user_{program}_{flavour}", cmdline=f"init={path}", modules=[(path, "")],
                build_files={path: f"user/{flavour}/{program}"}, exit="poweroff", check=matches_host(flavour, program),
                expect=[rf"init: starting {path} as pid 1", rf"init: {path} \(pid 1\) exited with status 0; powering off"],
                reject=[NO_PANIC, r"init: .*killed by"], **extra)


def initramfs_program_scenario(flavour, program, stop=None, suffix="", **extra):
    """The same, with the program from the initramfs (/usr/test/<flavour>/,
    cmake/initramfs.cmake) rather than a module: exec through the VFS, and
    descriptors 0-2 on /dev/console. With `stop`, only the output before
    the first line starting with it is compared, and the exit status is not
    checked (the rest needs what is not there yet)."""
    path = f"/usr/test/{flavour}/{program}"
    check = matches_host(flavour, program, stop)
    end = rf"init: {path} \(pid 1\) exited with status " + ("\\d+" if stop else "0; powering off")
    return dict(name=f"user_{program}_{flavour}_initramfs{suffix}", cmdline=f"init={path}",
                modules=[("/boot/initramfs.cpio", "initramfs")], exit="poweroff",
                check=lambda text, build_dir: check_at(check, text, build_dir, path),
                expect=[rf"init: starting {path} as pid 1", end],
                reject=[NO_PANIC, r"init: .*killed by"], **extra)


def check_at(check, text, build_dir, path):
    # matches_host reads the output between the init lines of /boot/modules/<program>.
    program = path.rsplit("/", 1)[1]
    return check(text.replace(path, f"/boot/modules/{program}"), build_dir)


USER_SCENARIOS = [
    user_program_scenario("glibc", "startup", smp=2),
    user_program_scenario("musl", "startup"),
    user_program_scenario("glibc", "lifecycle", smp=2),
    user_program_scenario("musl", "lifecycle", smp=4),
    initramfs_program_scenario("glibc", "startup"),
    initramfs_program_scenario("musl", "lifecycle", smp=2),
    # The file calls through the VFS (and /proc/self), compared with the host.
    initramfs_program_scenario("glibc", "files", smp=2),
    initramfs_program_scenario("musl", "files"),
    # /proc (tests/user/procfs.c): layouts of /proc/self/*, links, the
    # machine-wide files, pid directories, errno, a second proc mount.
    initramfs_program_scenario("glibc", "procfs", smp=2),
    initramfs_program_scenario("musl", "procfs"),
    # tests/user/process.c: ids, fork/wait, execve, sessions, credentials
    # and their EPERM rules, limits, uname, affinity, getrandom, and children
    # in the parent's memory (vfork, vfork+execve, clone(CLONE_VM),
    # posix_spawn).
    initramfs_program_scenario("glibc", "process", smp=2),
    initramfs_program_scenario("musl", "process", smp=4),
    # Dynamically linked glibc programs (build/user/dynamic/): exec loads
    # their PT_INTERP, Debian's ld.so, which maps libc.so.6 from the
    # initramfs; startup's and process's output (its children re-execute
    # the dynamic program, through vfork and posix_spawn too) as on the host.
    # tests/user/ldso.c: AT_BASE, AT_PHDR, AT_ENTRY as the loader uses
    # them, libc.so.6's mappings from file offsets and its RELRO,
    # dlopen/dlsym, and ld.so run as a program loading another.
    initramfs_program_scenario("dynamic", "startup"),
    initramfs_program_scenario("dynamic", "ldso", smp=2),
    initramfs_program_scenario("dynamic", "process", smp=2),
    initramfs_program_scenario("dynamic", "process", suffix="_4cpu", smp=4),
    # Pseudo-terminals through the line discipline (tests/user/tty.c):
    # termios, cooked editing and echo, VMIN, FIONREAD, ^C and SIGWINCH to
    # the foreground group, /dev/pts/N, TIOCSPTLCK/TIOCGPTPEER, poll and
    # the hangups of either side. On 1, 2 and 4 CPUs.
    initramfs_program_scenario("glibc", "tty", smp=2),
    initramfs_program_scenario("musl", "tty", smp=4),
    initramfs_program_scenario("glibc", "tty", suffix="_1cpu", smp=1),
    initramfs_program_scenario("glibc", "sigprocs", smp=2),
    initramfs_program_scenario("musl", "sigprocs", smp=4),
    initramfs_program_scenario("glibc", "memory", smp=2),
    initramfs_program_scenario("musl", "memory"),
    initramfs_program_scenario("glibc", "time", smp=2),
    initramfs_program_scenario("musl", "time"),
    # The process tree as only PID 1 sees it (tests/user/kernel/procs.c):
    # orphans adopted, zombie orphans reaped, RLIMIT_NPROC against a fork
    # bomb, 1000 fork/exit/wait in a row.
    dict(name="user_procs_pid1", cmdline="init=/boot/modules/procs", smp=2,
         modules=[("/boot/modules/procs", "")], build_files={"/boot/modules/procs": "user/kernel/procs"},
         exit="poweroff", timeout=240,
         expect=[r"procs: ok", r"init: /boot/modules/procs \(pid 1\) exited with status 0; powering off"],
         reject=[NO_PANIC, r"procs: .*: no"]),
    # /proc under churn (tests/user/kernel/procstress.c): 2 workers walk every
    # pid's files and links while 2 fork, exit, chdir and open; every answer
    # is data or ENOENT/ESRCH/EBADF, and the memory /proc made comes back.
    dict(name="user_procstress_4cpu", cmdline="init=/boot/modules/procstress -- 4 4", smp=4, mem="512M",
         modules=[("/boot/modules/procstress", "")], build_files={"/boot/modules/procstress": "user/kernel/procstress"},
         exit="poweroff", timeout=120,
         expect=[r"procstress: ok", r"init: /boot/modules/procstress \(pid 1\) exited with status 0; powering off"],
         reject=[NO_PANIC, r"procstress: .*failed [1-9]"]),
    # The syscall fuzzer (tests/user/kernel/fuzz.c): 4 workers x 20000
    # random calls on 4 CPUs; the kernel stays up, the fuzzer's processes
    # all end, and the free memory returns to its baseline.
    dict(name="user_fuzz_4cpu", cmdline="init=/boot/modules/fuzz -- 20000 4", smp=4, mem="512M",
         modules=[("/boot/modules/fuzz", "")], build_files={"/boot/modules/fuzz": "user/kernel/fuzz"},
         exit="poweroff", timeout=240,  # below CTest's 300 s, so a hang is reported with where the CPUs are
         expect=[r"fuzz: 4 workers x 20000 calls", r"fuzz: memory back to baseline: yes",
                 r"init: /boot/modules/fuzz \(pid 1\) exited with status 0; powering off"],
         reject=[NO_PANIC]),
    # Signals within one process (tests/user/signals.c): handlers, masks,
    # the alternate stack, faults caught, registers back after a handler.
    user_program_scenario("glibc", "signals", smp=2),
    user_program_scenario("musl", "signals"),
    # The frame as a handler sees it, and forged frames killing only their
    # program (tests/user/sigframe.c); a parent and its children's signals
    # (tests/user/sigchild.c: SIGCHLD, stop/continue, default actions).
    user_program_scenario("glibc", "sigframe", smp=2),
    user_program_scenario("musl", "sigframe"),
    user_program_scenario("glibc", "sigchild", smp=2),
    user_program_scenario("musl", "sigchild"),
    # futex(2) without threads: timeouts, WAKE_OP, errno, a signal ending
    # a wait, a dead process's robust futex (tests/user/futex.c).
    user_program_scenario("glibc", "futex", smp=2),
    user_program_scenario("musl", "futex"),
    # pthreads and futexes between threads on 4 CPUs (tests/user/threads.c).
    user_program_scenario("glibc", "threads", smp=4, timeout=120),
    user_program_scenario("musl", "threads", smp=2, timeout=120),
    # execve from a process with threads (tests/user/threadexec.c): from a
    # thread while the others sleep in futex, nanosleep, pause, read or
    # spin (also racing their start), from the leader, after the leader's
    # exit, from two threads at once; the pid kept, the new program alone,
    # pending signals, a robust mutex of an ended thread. On 1, 2 and 4 CPUs.
    initramfs_program_scenario("glibc", "threadexec", smp=4, timeout=120),
    initramfs_program_scenario("musl", "threadexec", smp=2, timeout=120),
    initramfs_program_scenario("glibc", "threadexec", suffix="_1cpu", smp=1, timeout=120),
    # clone3 (tests/user/clone3.c): struct sizes, refused flags and fields
    # with Linux's errno, exit signals, a new stack, TLS, CLONE_CLEAR_SIGHAND,
    # a thread, set_tid, CLONE_INTO_CGROUP's errors. On 1, 2 and 4 CPUs.
    initramfs_program_scenario("glibc", "clone3", smp=4, timeout=120),
    initramfs_program_scenario("musl", "clone3", smp=2, timeout=120),
    initramfs_program_scenario("musl", "clone3", suffix="_1cpu", smp=1, timeout=120),
    # Futexes between processes (tests/user/sharedfutex.c): a shared
    # anonymous page across fork, one file mapped twice, FUTEX_PRIVATE
    # staying per process. On 1, 2 and 4 CPUs.
    initramfs_program_scenario("glibc", "sharedfutex", smp=2, timeout=120),
    initramfs_program_scenario("musl", "sharedfutex", smp=4, timeout=120),
    initramfs_program_scenario("glibc", "sharedfutex", suffix="_1cpu", smp=1, timeout=120),
    # Pipes and readiness (tests/user/pipes.c: pipe2 flags, capacity,
    # PIPE_BUF atomicity with 4 writers, EOF, EPIPE/SIGPIPE, poll/select,
    # eventfd, a first look at epoll) and epoll itself (tests/user/epoll.c:
    # errno order, level/edge/one-shot, items kept per open file
    # description, nesting and ELOOP, blocking waits woken by another
    # process, EINTR, epoll_pwait's mask, epoll_pwait2). On 1, 2 and 4 CPUs.
    initramfs_program_scenario("glibc", "pipes", smp=2, timeout=120),
    initramfs_program_scenario("musl", "pipes", smp=4, timeout=120),
    initramfs_program_scenario("glibc", "pipes", suffix="_1cpu", smp=1, timeout=120),
    initramfs_program_scenario("glibc", "epoll", smp=4, timeout=120),
    initramfs_program_scenario("musl", "epoll", smp=2, timeout=120),
    initramfs_program_scenario("musl", "epoll", suffix="_1cpu", smp=1, timeout=120),
    # TLB shootdown as threads see it (tests/user/tlbshoot.c): a reader
    # pinned to another CPU faults once munmap/mprotect(PROT_NONE) returned,
    # reads zeros once MADV_DONTNEED returned; on 2 and on 4 CPUs.
    user_program_scenario("glibc", "tlbshoot", smp=2, timeout=120),
    user_program_scenario("musl", "tlbshoot", smp=4, timeout=120),
]

# Debian's busybox-static (docs/busybox.md) from the build's initramfs
# (/bin/busybox), run as PID 1 with the words after "--" as its arguments:
# what it prints on the serial console and its exit status must be what
# the very same binary (build/deps/) with the same arguments gives on the
# host Linux, run from a copy of the initramfs's tree: PID 1's working
# directory is /, so relative paths name the same files on both sides.
BUSYBOX_BUILT = "deps/busybox-static/bin/busybox"
BUSYBOX_PATH = "/bin/busybox"


def unpack_initramfs(archive, root):
    """The regular files, directories and symbolic links of a cpio newc archive (docs/cpio.md) under root."""
    with open(archive, "rb") as f:
        data = f.read()
    offset = 0
    while offset + 110 <= len(data):
        fields = [int(data[offset + 6 + 8 * i:offset + 14 + 8 * i], 16) for i in range(13)]
        mode, size, name_size = fields[1], fields[6], fields[11]
        name = data[offset + 110:offset + 110 + name_size - 1].decode()
        offset = (offset + 110 + name_size + 3) & ~3
        body = data[offset:offset + size]
        offset = (offset + size + 3) & ~3
        if name == "TRAILER!!!":
            break
        path = os.path.join(root, name)
        kind = mode & 0o170000
        if kind == 0o040000:
            os.makedirs(path, exist_ok=True)
        elif kind == 0o120000:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.symlink(body.decode(), path)
        elif kind == 0o100000:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as out:
                out.write(body)
            os.chmod(path, mode & 0o7777)


def busybox_matches_host(args, status):
    """A scenario check: PID 1's output equals the host busybox's for the same arguments."""
    def check(text, build_dir):
        import tempfile
        binary = os.path.join(build_dir, BUSYBOX_BUILT)
        with tempfile.TemporaryDirectory() as root:
            unpack_initramfs(os.path.join(build_dir, "initramfs.cpio"), root)
            # PID 1's environment is the kernel's (HOME=/, TERM=linux); fds 1 and 2 both go to the console.
            host = subprocess.run([binary] + args, env={"HOME": "/", "TERM": "linux"}, cwd=root,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=60)
        failures = []
        if host.returncode != status:
            failures.append(f"busybox {' '.join(args)} exits with {host.returncode} on the host, the scenario says {status}")
        expected = host.stdout.decode(errors="replace")
        actual = init_output(text, BUSYBOX_PATH)
        if actual != expected:
            failures.append(f"busybox {' '.join(args)} differs from the host: host {expected!r}, ours {actual!r}")
        return failures
    return check


def busybox_scenario(name, args, status=0, **extra):
    return dict(name=f"busybox_{name}", cmdline=f"init={BUSYBOX_PATH} -- {' '.join(args)}",
                modules=[("/boot/initramfs.cpio", "initramfs")], exit="poweroff",
                check=busybox_matches_host(args, status),
                expect=[rf"init: starting {BUSYBOX_PATH} as pid 1",
                        rf"init: {BUSYBOX_PATH} \(pid 1\) exited with status {status}; powering off"],
                reject=[NO_PANIC, r"killed by"], **extra)


def busybox_shape(patterns):
    """A scenario check for applets whose output differs from the host's
    (pids, times, memory sizes): every regex must match a line of PID 1's
    output."""
    def check(text, build_dir):
        actual = init_output(text, BUSYBOX_PATH)
        return [f"busybox output has no line like /{p}/: {actual!r}" for p in patterns
                if not re.search(p, actual, re.M)]
    return check


def busybox_shape_scenario(name, args, patterns, **extra):
    return dict(name=f"busybox_{name}", cmdline=f"init={BUSYBOX_PATH} -- {' '.join(args)}",
                modules=[("/boot/initramfs.cpio", "initramfs")], exit="poweroff",
                check=busybox_shape(patterns),
                expect=[rf"init: starting {BUSYBOX_PATH} as pid 1",
                        rf"init: {BUSYBOX_PATH} \(pid 1\) exited with status 0; powering off"],
                reject=[NO_PANIC, r"killed by"], **extra)


BUSYBOX_SCENARIOS = [
    busybox_scenario("echo", ["echo", "hello", "from", "busybox"], smp=2),
    busybox_scenario("uname", ["uname", "-s", "-m", "-o"]),
    busybox_scenario("seq", ["seq", "3"]),
    busybox_scenario("false", ["false"], status=1),
    busybox_scenario("sh_c", ["sh", "-c", "echo$IFS'hi';echo$IFS$((1+2));true;echo$IFS$?;false;echo$IFS$?"]),
    busybox_scenario("printf", ["printf", "%s-%d-%x\\n", "a", "42", "255"]),
    busybox_scenario("cat", ["cat", "etc/motd", "etc/passwd"]),
    busybox_scenario("md5sum", ["md5sum", "etc/passwd", "etc/group", "etc/inittab"]),
    busybox_scenario("wc", ["wc", "etc/inittab", "etc/profile"]),
    busybox_scenario("ls", ["ls", "-1a", "etc"]),
    busybox_scenario("sh_subshell", ["sh", "-c", "(echo$IFS'in';exit$IFS'3');echo$IFS$?"]),
    # /proc as busybox reads it (docs/fs.md "/proc"): the same as the host
    # where the text is fixed, the shape where it is not.
    busybox_scenario("proc_ostype", ["cat", "/proc/sys/kernel/ostype"]),
    busybox_shape_scenario("ps", ["sh", "-c", "ps;true"], [
        # ash runs ps in a forked child without exec: the child's comm is
        # "ps" (prctl), its cmdline still the shell's, which ps shows as
        # "{comm} cmdline".
        r"^\s*PID\s+USER\s+(TIME\s+)?COMMAND$",
        r"^\s*1 root\s+(\d+:\d\d )?/bin/busybox sh -c ps;true$",
        r"^\s*[2-9]\d* root\s+(\d+:\d\d )?\{ps\} /bin/busybox sh -c ps;true$"], smp=2),
    busybox_shape_scenario("free", ["free"], [
        r"^\s+total\s+used\s+free\s+shared\s+buff/cache\s+available$",
        r"^Mem:(\s+\d+){6}$", r"^Swap:(\s+0){3}$"]),
    busybox_shape_scenario("uptime", ["uptime"], [
        r"^\s*\d\d:\d\d:\d\d up .*load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$"]),
    busybox_shape_scenario("mount", ["mount"], [
        r"^rootfs on / type rootfs \(rw", r"^devtmpfs on /dev type devtmpfs \(rw,nosuid",
        r"^devpts on /dev/pts type devpts \(rw,nosuid,noexec", r"^proc on /proc type proc \(rw,nosuid,nodev,noexec"]),
    # devpts mounted again elsewhere shows the same instance (docs/fs.md
    # "/dev"): its ptmx node, and a pty's slave while a master is open
    # (busybox's ash keeps /dev/ptmx open on descriptor 3 around ls).
    busybox_shape_scenario("devpts", ["sh", "-c", "mkdir$IFS/tmp/p;mount$IFS-t$IFS'devpts'$IFS'devpts'$IFS/tmp/p;"
                                      "ls$IFS-1$IFS/tmp/p;ls$IFS-1$IFS/tmp/p$IFS3<>/dev/ptmx;ls$IFS/tmp/p"],
                           [r"^ptmx\n0\nptmx\nptmx$"]),
    # df (docs/fs.md "tmpfs"): a tmpfs without a size limit reports what it
    # holds plus the free memory, so df lists /dev and a fresh /tmp (25
    # pages written: 100 1K-blocks used); devpts has no blocks and stays
    # out of the list, and `stat -f` names it by its own magic.
    dict(busybox_shape_scenario("df", ["sh", "-c", "mount$IFS-t$IFS'tmpfs'$IFS'tmpfs'$IFS/tmp;"
                                       "head$IFS-c${IFS}102400$IFS/dev/zero>/tmp/z;df;stat$IFS-f$IFS-c$IFS%T$IFS/dev/pts"],
                                [r"^Filesystem\s+1K-blocks\s+Used\s+Available\s+Use% Mounted on$",
                                 r"^devtmpfs\s+\d+\s+0\s+\d+\s+0% /dev$", r"^tmpfs\s+\d+\s+100\s+\d+\s+\d+% /tmp$",
                                 r"^devpts$"]),
         reject=[NO_PANIC, r"killed by", r"^devpts\s+\d"]),
    busybox_shape_scenario("top", ["top", "-b", "-n", "1"], [
        r"^Mem: \d+K used, \d+K free", r"^CPU:\s+\d+% usr", r"^Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d",
        r"^\s*PID\s+PPID\s+USER\s+STAT\s+VSZ\s+%VSZ", r"^\s*1\s+0 root\s+R\s+\d+.* top -b -n 1$"]),
    # The host name through /proc/sys/kernel/hostname (then uname(2) and
    # gethostname see it) and through sethostname(2) (busybox hostname NAME).
    busybox_shape_scenario("hostname", ["sh", "-c",
                                        "echo$IFS'box'>/proc/sys/kernel/hostname;hostname;uname$IFS-n;"
                                        "hostname$IFS'other';cat$IFS/proc/sys/kernel/hostname"],
                           [r"^box\nbox\nother$"]),
    busybox_shape_scenario("proc_listing", ["sh", "-c", "ls$IFS-1$IFS/proc;cat$IFS/proc/version;true"], [
        r"^1$", r"^self$", r"^meminfo$", r"^sys$", r"^Linux version \d+\.\d+\.\d+-cxxkernel "]),
    # CPU affinity (sched_setaffinity(2)): taskset reads and narrows PID 1's
    # mask, nproc counts the CPUs the mask allows, and a command started
    # by taskset inherits the mask it set.
    busybox_shape_scenario("taskset", ["sh", "-c",
                                       "taskset$IFS-p$IFS$$;nproc;taskset$IFS-p$IFS'1'$IFS$$;nproc;"
                                       "taskset$IFS'2'$IFS'sh'$IFS-c$IFS'taskset$IFS-p$IFS$$;nproc'"],
                           [r"^pid 1's current affinity mask: 3\n2\npid 1's current affinity mask: 3\n"
                            r"pid 1's new affinity mask: 1\n1\npid \d+'s current affinity mask: 2\n1$"], smp=2),
    # Setting the clock (clock_settime(2); not compared with the host,
    # whose clock it would set): date reads it back through the vDSO, in a
    # new process, and so does the file time of a file made after.
    busybox_shape_scenario("date_set", ["sh", "-c",
                                        "date$IFS-s$IFS'2030.01.02-03:04:05'>/dev/null;"
                                        "date$IFS+%Y-%m-%dT%H;touch$IFS/tmp/f;date$IFS-r$IFS/tmp/f$IFS+file:%Y-%m-%d"],
                           [r"^2030-01-02T03\nfile:2030-01-02$"], smp=2),
    busybox_scenario("sh_script_redirect", ["sh", "-c", "echo$IFS'x'>tmp/f;cat$IFS'tmp/f';rm$IFS'tmp/f'"]),
]

# The interactive shell as `make run` gives it (docs/busybox.md): the build's
# own limine.conf (no init=, so /sbin/init: busybox init reads
# /etc/inittab and starts `-/bin/sh` on ttyS0), typed into through the
# serial port. Each step waits for output only the step before can have
# made (the typed text is echoed too, so a cue never matches what was
# typed). The non-interactive commands' output is also compared with the
# same busybox's on the host (SHELL_SCRIPT_ON_HOST).
SHELL_PROMPT = r"root@cxxkernel \[cxxkernel\] ~ # "  # ash shows HOME (/root) as ~
SHELL_COMMANDS = [
    "echo hello | tr a-z A-Z",
    "cd /etc && pwd",
    "cat <<EOF\nline one\nx=$((6*7))\nEOF",
    'echo "sub=$(echo abc | tr a-c x-z)"',
]


def shell_matches_host(text, build_dir):
    """Each line the host's busybox sh prints for SHELL_COMMANDS is a line of our serial log."""
    binary = os.path.join(build_dir, BUSYBOX_BUILT)
    host = subprocess.run([binary, "sh"], input="\n".join(SHELL_COMMANDS) + "\n", capture_output=True, text=True,
                          cwd="/", env={"HOME": "/", "PATH": "/usr/bin:/bin"}, timeout=60)
    ours = set(line.rstrip("\r") for line in text.replace("\r\n", "\n").split("\n"))
    missing = [line for line in host.stdout.splitlines() if line not in ours]
    return [f"the host busybox printed {line!r}, our shell did not" for line in missing]


SHELL_SCENARIOS = [
    dict(name="busybox_serial_shell", conf=True, smp=2, exit="poweroff", timeout=150, check=shell_matches_host,
         serial=[(SHELL_PROMPT, SHELL_COMMANDS[0] + "\r"),
                 (r"^HELLO\r?$", SHELL_COMMANDS[1] + "\r"),
                 (r"^/etc\r?$", SHELL_COMMANDS[2].replace("\n", "\r") + "\r"),
                 (r"^x=42\r?$", SHELL_COMMANDS[3] + "\r"),
                 (r"^sub=xyz\r?$", "sleep 5 &\r"),
                 (r"sleep 5 &\r?\n[^\n]*\] /etc # ", "jobs\r"),  # the next prompt (ash prints no "[1] pid")
                 (r"^\[1\]\+\s+Running\s+sleep 5", "sleep 100\r"),
                 # Ctrl-C once sleep runs in the foreground (ash forks it at
                 # once; 3 s is ample even on a busy host): SIGINT to its
                 # process group, and ash reports 128 + 2.
                 (r"sleep 100\r?$", "\x03", 3),
                 (r"\^C", "echo $?\r"),
                 # Ctrl-Z stops cat (SIGTSTP to its group, ash sees it
                 # stopped through wait4's WUNTRACED), fg gives it the
                 # terminal back and continues it; ^D at a line's start ends
                 # its input.
                 (r"^130\r?$", "cat\r"),
                 (r"\] /etc # \S*cat\r?$", "\x1a", 3),
                 (r"\^Z\[\d\]\+\s+Stopped\s+cat", "fg\r"),  # job 1 or 2 (sleep 5 may still be listed)
                 (r"# \S*fg\r?\ncat\r?$", "resumed\r", 2),
                 (r"^resumed\r?\nresumed\r?$", "\x04"),
                 (r"^resumed\r?\nresumed\r?\n.*\] /etc # ", "echo rc=$?\r"),
                 # A background job that reads the terminal is stopped by
                 # SIGTTIN; fg brings it to the foreground, where it reads.
                 (r"^rc=0\r?$", "cat &\r"),
                 # cat may be stopped before ash prints its next prompt (ash
                 # then reports the job first) or after it, as on Linux:
                 # the prompt is the first or the second line after the command.
                 (r"cat &\r?\n(?:[^\n]*\n)?[^\n]*\] /etc # ", "jobs\r", 2),
                 (r"Stopped \(tty input\)\s+cat", "fg\r"),
                 (r"Stopped \(tty input\)\s+cat.*\n.*fg\r?\ncat\r?$", "again\r", 2),
                 (r"^again\r?\nagain\r?$", "\x04"),
                 (r"^again\r?\nagain\r?\n.*\] /etc # ", "poweroff\r")],
         expect=[r"init: starting /sbin/init as pid 1", r"^HELLO\r?$", r"^/etc\r?$", r"^line one\r?$",
                 r"^x=42\r?$", r"^sub=xyz\r?$", r"^\[1\]\+\s+Running\s+sleep 5", r"^130\r?$",
                 r"\^Z\[\d\]\+\s+Stopped\s+cat", r"^resumed\r?\nresumed\r?$", r"^rc=0\r?$",
                 r"Stopped \(tty input\)\s+cat", r"^again\r?\nagain\r?$",
                 r"reboot: power off \(asked by", r"acpi: power off"],
         reject=[NO_PANIC, r"init: /sbin/init \(pid 1\)", r"can't access tty", r"job control turned off"]),
    # The shell's end and the keyboard's three fingers: `exit` ends the
    # session (its terminal is free again) and init respawns a shell, which
    # gets ttyS0 as its controlling terminal again (job control on); then
    # Ctrl+Alt+Delete on the PS/2 keyboard reaches init as SIGINT (it asked
    # for that with reboot(CAD_OFF)), init runs its ctrlaltdel line
    # (/sbin/reboot) and the machine resets (-no-reboot: QEMU exits).
    dict(name="busybox_respawn_and_ctrl_alt_del", conf=True, exit="reset", timeout=150,
         serial=[(SHELL_PROMPT, "exit\r")],
         keys=[(r"(?s)exit\r?\n.*" + SHELL_PROMPT, ["ctrl-alt-delete"])],
         expect=[r"(?s)exit\r?\n.*" + SHELL_PROMPT, r"reboot: restarting \(asked by", r"Requesting system reboot"],
         reject=[NO_PANIC, r"init: /sbin/init \(pid 1\)", r"can't access tty", r"job control turned off"]),
    # The scheduler's thread dump (Ctrl+Alt+F12) names a process's thread
    # after the program it executed (docs/proc.md "Names"): the shell's
    # background `sleep` shows as sleep, not as the sh it was forked from,
    # and the serial shell as sh, not as init.
    dict(name="busybox_thread_dump_names_programs", conf=True, timeout=150,
         serial=[(SHELL_PROMPT, "sleep 300 &\r")],
         keys=[(r"sleep 300 &\r?\n[^\n]*" + SHELL_PROMPT, ["ctrl-alt-f12"], 2)],
         expect=[r"info: sched: \d+ threads", r"^.*\d+ sleep\s+blocked\s+cpu \d+ run \d+ us waits on \S+",
                 r"^.*\d+ sh\s+blocked\s+cpu \d+ run \d+ us"],
         reject=[NO_PANIC]),
]

# busybox top on 4 CPUs (docs/busybox.md "top"): three CPU-bound jobs
# started with `&` from the serial shell run on three different CPUs
# (field 39 of /proc/<pid>/stat, which top reads as "last seen on CPU";
# Debian's busybox is built without top's CPU column), `top -b -n 1` shows
# its header (memory, CPU split, the load averages, which 3 running jobs
# have raised within a 5-second sample) and each job as a running `sh`,
# and `top -H` (threads: /proc/<pid>/task/) shows them too. The balancer
# may be moving a job at the instant of a look, so the CPU check looks
# up to 5 times, a second apart.
TOP_SPINNERS = "pids=; for i in 1 2 3; do while :; do :; done & pids=\"$pids $!\"; done"
TOP_CPUS = ("for t in 1 2 3 4 5; do n=$(for p in $pids; do cut -d' ' -f39 /proc/$p/stat; done | sort -u | wc -l);"
            " [ $n = 3 ] && break; sleep 1; done; echo cpus=$n")
TOP_LINE = r"^\s*\d+\s+\d+ root\s+R\s+\S+\s+\d+%\s+\d+% .*sh$"  # ash's forks: "-sh" or "{sh} -sh"


def top_shows_the_jobs(text, build_dir):
    """Three running sh jobs at 10 % CPU or more in top's list and in top -H's; the 1-minute load at least 0.20."""
    text = KLOG_RECORD_INSIDE.sub("", text.replace("\r", ""))
    failures = []
    plain = re.search(r"(?s)\ntop-plain\n(.*?)\ntop-threads\n(.*?)\ntop-end\n", text)
    if not plain:
        return ["no top output between the markers"]
    for label, part in (("top -b -n 1", plain.group(1)), ("top -b -H -n 1", plain.group(2))):
        jobs = [line for line in part.split("\n") if re.match(TOP_LINE, line)]
        if len(jobs) < 3:
            failures.append(f"{label} shows {len(jobs)} running sh jobs, not 3: {part!r}")
        # Each has a CPU of its own, about a quarter of the machine's time
        # (a job's time grows while it runs, not only when it is switched
        # out); 10 % is far below that and above zero.
        busy = [line for line in jobs if int(re.search(r"\d+%\s+(\d+)% .*sh$", line).group(1)) >= 10]
        if len(busy) < 3:
            failures.append(f"{label}: fewer than 3 jobs at 10 % CPU or more: {jobs!r}")
    load = re.search(r"^Load average: (\d+)\.(\d\d) \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$", plain.group(1), re.M)
    if not load or int(load.group(1)) * 100 + int(load.group(2)) < 20:
        failures.append(f"top's load average is not at least 0.20 with 3 running jobs: {plain.group(1)!r}")
    return failures


# busybox less on ttyS0 (docs/busybox.md "less"): a 100-line file, a page
# down, a search, q. Every byte less writes must be what the same busybox
# writes on the host in a 24x80 pseudo-terminal for the same keys (screen
# addressing, erase, reverse video for the status and the match), so the
# terminal, its window size and its raw mode are Linux's.
LESS_KEYS = [" ", "/77\r", "q"]


def host_less_output(build_dir):
    """What the build's busybox less writes on the host for LESS_KEYS on a 24x80 pty."""
    import pty, select, struct, fcntl, termios, tempfile
    binary = os.path.join(build_dir, BUSYBOX_BUILT)
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "n"), "w") as f:
            f.write("".join(f"{i}\n" for i in range(1, 101)))
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(directory)
            os.execve(binary, ["less", "n"], {"TERM": "linux", "HOME": "/"})
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        out = b""

        def pump(quiet=1.0):
            nonlocal out
            while True:
                ready, _, _ = select.select([fd], [], [], quiet)
                if not ready:
                    return
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                out += data
        pump()
        for key in LESS_KEYS:
            os.write(fd, key.encode())
            pump()
        os.waitpid(pid, 0)
    return out.decode(errors="replace")


def less_matches_host(text, build_dir):
    expected = host_less_output(build_dir)
    ours = KLOG_RECORD_INSIDE.sub("", text)
    if expected and expected in ours:
        return []
    return [f"less's output differs from the host's: host {expected!r}"]


TOP_AND_LESS_SCENARIOS = [
    dict(name="busybox_serial_top_4cpu", conf=True, smp=4, exit="poweroff", timeout=240, check=top_shows_the_jobs,
         serial=[(SHELL_PROMPT, TOP_SPINNERS + "\r"),
                 (r"done\r?\n[^\n]*\] ~ # ", TOP_CPUS + "\r", 1),
                 (r"^cpus=\d", "sleep 5; echo top-plain; top -b -n 1; echo top-threads; top -b -H -n 1; echo top-end\r"),
                 (r"^top-end\r?$", "kill $pids; echo killed\r"),
                 (r"^killed\r?$", "poweroff\r", 1)],
         expect=[r"^cpus=3\r?$", r"^Mem: \d+K used, \d+K free", r"^CPU:\s+\d+% usr", r"^Load average: ",
                 r"^\s*PID\s+PPID\s+USER\s+STAT\s+VSZ\s+%VSZ\s+%CPU\s+COMMAND", r"^\s*\d+\s+\d+ root\s+R\s+.* top -b -n 1",
                 r"^top-end\r?$", r"^killed\r?$", r"acpi: power off"],
         reject=[NO_PANIC, r"init: /sbin/init \(pid 1\)", r"can't access tty", r"job control turned off"]),
    dict(name="busybox_serial_less", conf=True, smp=2, exit="poweroff", timeout=180, check=less_matches_host,
         serial=[(SHELL_PROMPT, "seq 100 >/tmp/n; cd /tmp; less n\r"),
                 (r"\x1b\[7mn\x1b\[m", LESS_KEYS[0], 1),
                 (r"46\r?\n\x1b\[24;0H\x1b\[K:", LESS_KEYS[1], 1),
                 (r"(?s)\x1b\[7m77\x1b\[m.*99\r?\n\x1b\[24;0H\x1b\[K:", LESS_KEYS[2], 1),
                 (r"\] /tmp # ", "echo less-rc=$?\r"),
                 (r"^less-rc=0\r?$", "poweroff\r", 1)],
         expect=[r"\x1b\[7mn\x1b\[m", r"46\r?\n\x1b\[24;0H\x1b\[K:", r"\x1b\[7m77\x1b\[m", r"^less-rc=0\r?$",
                 r"acpi: power off"],
         reject=[NO_PANIC, r"init: /sbin/init \(pid 1\)", r"can't access tty", r"job control turned off"]),
]

# Typing on the PS/2 keyboard through QEMU's monitor: tools/qemu.py's
# key_names() spells text as sendkey's key names on a US layout.
sys.path.insert(0, TOOLS_DIR)
from qemu import key_names as typed  # noqa: E402


# The shell on tty1 (docs/tty.md "tty1"), typed into on the PS/2 keyboard:
# busybox init starts `-/bin/sh` on tty1 beside the serial one. Its screen
# is not in the serial log, so each command sends its output to /dev/ttyS0,
# and the last step asks for the screen's text (Ctrl+Alt+F11 writes it to
# the serial port as "screen| " lines). The first output follows the serial
# shell's prompt on its line. Each step waits for output only the
# step before can have made; a step typed before the shell reads is not
# lost (typed ahead, as on any terminal). The line editor's keys go
# through the key encoder, the line discipline and ash's line editing:
# Up recalls a line, Left/Home/End move in it, Delete and Ctrl-U erase.
TTY1_SLEEP = "sh -c 'echo started >/dev/ttyS0; exec sleep 100'"
TTY1_SCENARIOS = [
    dict(name="busybox_tty1_shell", conf=True, smp=2, exit="poweroff", timeout=240,
         keys=[(SHELL_PROMPT, typed("echo 6x7=$((6*7)) >/dev/ttyS0\n"), 1),
               (r"6x7=42\r?$", ["up"] + ["left"] * len(">/dev/ttyS0") + typed("again \n")),
               (r"^6x7=42 again\r?$", ["up", "home"] + ["delete"] * 4 + typed("echo home:") + ["end"] + typed(" end\n")),
               (r"^home: 6x7=42 again end\r?$", typed("garbage") + ["ctrl-u"] + typed("{ tty; stty size; } >/dev/ttyS0\n")),
               (r"^/dev/tty1\r?\n50 160\r?$", typed(TTY1_SLEEP + "\n")),
               # Ctrl-C once the sleep runs (sh execs it after its echo, in
               # the foreground group): SIGINT to that group, ash reports
               # 128 + 2.
               (r"^started\r?$", ["ctrl-c"], 1),
               (r"^started\r?$", typed("echo rc=$? >/dev/ttyS0\n"), 2),
               (r"^rc=130\r?$", ["ctrl-alt-f11"], 1),
               (r"screen: end", typed("poweroff\n"))],
         expect=[r"init: starting /sbin/init as pid 1", r"6x7=42\r?$", r"^6x7=42 again\r?$",
                 r"^home: 6x7=42 again end\r?$", r"^/dev/tty1\r?\n50 160\r?$", r"^started\r?$", r"^rc=130\r?$",
                 # The screen: 160x50 cells, the prompt and what was typed
                 # (echoed by ash's line editor), the ^C the line discipline
                 # echoed.
                 r"screen: 160x50, cursor at row \d+ column \d+",
                 r"^screen\| .*\[cxxkernel\] ~ # \{ tty; stty size; \} >/dev/ttyS0\r?$",
                 r"^screen\| .*\[cxxkernel\] ~ # " + re.escape(TTY1_SLEEP) + r"\r?$",
                 r"^screen\| \^C",
                 r"^screen\| .*\[cxxkernel\] ~ # echo rc=\$\? >/dev/ttyS0\r?$",
                 r"reboot: power off \(asked by", r"acpi: power off"],
         # tty1's shell writes its complaints on the screen: none there.
         reject=[NO_PANIC, r"init: /sbin/init \(pid 1\)", r"can't access tty", r"job control turned off",
                 r"^screen\| .*(-sh: |can't access tty|job control)"]),
    # busybox vi full-screen on tty1: the alternate screen, cursor
    # addressing, the status line, and Escape alone (vi tells it from a
    # key's sequence by the pause after it: the keys come 0.3 s apart, and
    # Escape is typed seconds after vi started). vi's `:w! /dev/ttyS0`
    # shows the buffer on the serial port once every key before it was
    # handled; the screen is read then. The text typed before vi set its
    # raw mode (if any) is read as typed ahead.
    dict(name="busybox_tty1_vi", conf=True, smp=2, exit="poweroff", timeout=240,
         keys=[(SHELL_PROMPT, typed("echo ready >/dev/ttyS0\n"), 1),
               (r"ready\r?$", typed("vi /tmp/note\nihello vi\nsecond line") + ["esc"] + typed("kx:w! /dev/ttyS0\n")),
               (r"^hello v\r?\nsecond line\r?$", ["ctrl-alt-f11"], 2),
               (r"screen: end", typed(":wq\n{ cat /tmp/note; echo vi-done; } >/dev/ttyS0\n")),
               (r"^vi-done", typed("poweroff\n"), 1)],
         expect=[r"^hello v\r?\nsecond line\r?$",
                 # Escape, k (up) and x (delete) left the cursor on the 7th
                 # column of the first line; the rows below the text are
                 # vi's "~", the last its status.
                 r"screen: 160x50, cursor at row 1 column 7",
                 r"^screen\| hello v\r?\nscreen\| second line\r?\n(screen\| ~\r?\n){47}screen\| '/dev/ttyS0' 2L, 20C",
                 r"^hello v\r?\nsecond line\r?\nvi-done\r?$", r"acpi: power off"],
         reject=[NO_PANIC, r"^screen\| .*(-sh: |can't access tty|job control)"]),
]

SCENARIOS = [
    # Normal boots.
    dict(name="boot_default", our_loader=True, cmdline="", smp=2, mem="512M",
         expect=[r'^boot: loader="cxxkernel-loader 0\.1\.0"', SUMMARY, READY] + CPU_READY, reject=[NO_PANIC]),
    # The release kernel (build/esp: what make run boots; every other scenario
    # boots the checked kernel): it boots to ready, and says it carries no
    # tests or test hooks instead of running them.
    dict(name="release_kernel_boots", release=True, cmdline="", smp=4, mem="1G",
         expect=[SUMMARY, READY, smp_online(4), r"^boot: .* cpus=4 "] + CPU_READY, reject=[NO_PANIC]),
    # make bench's SMP figures (tools/measure_smp.py) come from the release
    # kernel's bench=smp: it prints its line and ends the run.
    dict(name="release_kernel_measures_smp_costs", release=True, cmdline="bench=smp", smp=2, mem="256M",
         exit="pass", expect=[r"^bench: smp cpus=2 call_round_trip=\d+ lock_hand_off=\d+ unmap_page_with_shootdown=\d+"],
         reject=[NO_PANIC]),
    # make bench's scheduler figures (tools/measure_sched.py) come from the
    # release kernel's bench=sched (docs/scheduler.md "Costs"): the same
    # line, every figure measured, and the run ends.
    dict(name="release_kernel_measures_sched_costs", release=True, cmdline="bench=sched", smp=2, mem="256M",
         exit="pass", expect=[r"^bench: sched cpus=2 yield=[1-9]\d* wake_other_cpu=[1-9]\d* mutex_uncontended=[1-9]\d* "
                              r"mutex_hand_off=[1-9]\d* create_join=[1-9]\d*"],
         reject=[NO_PANIC]),
    dict(name="release_kernel_has_no_tests_or_hooks", release=True, cmdline="test=all selftest=panic faulttest=pf",
         expect=[r"test=: this is the release kernel", r"faulttest=: this is the release kernel",
                 r"selftest=: this is the release kernel", READY],
         reject=[NO_PANIC, r"^tests: ", r"\[ RUN  \]"]),
    dict(name="boot_resolution_is_honoured", real_limine=True, cmdline="", resolution="800x600",
         expect=[r"^boot: .* fb=800x600x32 ", READY], reject=[NO_PANIC]),
    # Without `resolution` every loader keeps the firmware's mode (OVMF's
    # 1280x800; its EDID prefers nothing larger), not the largest.
    dict(name="boot_firmware_mode_without_resolution", real_limine=True, cmdline="", resolution=None,
         expect=[r"^boot: .* fb=1280x800x32 ", READY], reject=[NO_PANIC]),
    dict(name="reset_through_the_fadt_register", cmdline="reset_when_ready", exit="reset",
         expect=[READY, r"acpi: reset through the FADT reset register"]),
    # ACPI soft-off: \_S5's sleep type from the DSDT into PM1a_CNT with
    # SLP_EN (q35's ICH9 and pc's PIIX4 PM blocks both end QEMU).
    dict(name="poweroff_through_acpi_s5", real_limine=True, cmdline="poweroff_when_ready", exit="poweroff",
         expect=[READY, r"acpi: power off \(\\_S5: SLP_TYPa=0 SLP_TYPb=0\)"],
         reject=[r"reset through", r"still running"]),
    dict(name="poweroff_through_acpi_s5_pc", cmdline="poweroff_when_ready", exit="poweroff", machine="pc",
         expect=[READY, r"acpi: power off \(\\_S5: SLP_TYPa=0 SLP_TYPb=0\)"],
         reject=[r"reset through", r"still running"]),
    dict(name="boot_without_framebuffer", real_limine=True, cmdline="", qemu_args=["-vga", "none"],
         expect=[r"^boot: .* fb=none ", READY], reject=[NO_PANIC]),

    # A hostile extra ACPI table beside the real ones (the pc machine has no
    # MCFG of its own): its bad entries are reported and skipped, the good
    # one is used, and the boot goes on.
    dict(name="acpi_hostile_mcfg", real_limine=True, cmdline="", machine="pc",
         qemu_args=["-acpitable", "file=" + os.path.join(ACPI_DATA, "asl", "bad_mcfg.aml")],
         expect=[r"acpi: problem: MCFG: ECAM base is zero or not 1 MiB aligned; entry skipped \(0xb0001000\)",
                 r"acpi: problem: MCFG: end bus below start bus; entry skipped",
                 r"acpi: MCFG: segment 2 buses 0-15 ECAM at 0xe0000000", READY], reject=[NO_PANIC]),

    # All in-kernel tests, which include the boot protocol checks, on the
    # machine shapes the loader issue names.
    # The kernel asks for base revision 6: ours and Limine 12.5.2 apply it;
    # Limine 8.2.0 does not know it, leaves the tag unchanged and boots with
    # its newest rules, revision 2, which the kernel says and follows.
    dict(name="ktest_all_1cpu_256m", real_limine=True, cmdline="test=all expect_cpus=1 expect_revision=6", smp=1,
         mem="256M", exit="pass", expect=[ALL_PASSED, r"^boot: .* rev=6 "], reject=[NO_PANIC],
         limine_overrides={"8.2.0": dict(cmdline="test=all expect_cpus=1 expect_revision=2", expect=[
             ALL_PASSED, r'^boot: loader="Limine 8\.2\.0" rev=2 ',
             r"did not confirm Limine base revision 6; following revision 2 \(it predates the report\)"])}),
    # The whole suite under the older revisions' rules (the tag patched): 2
    # maps all of 0-4 GiB, 3 is the most restrictive HHDM (no ACPI memory,
    # physical firmware pointers), 4 adds ACPI memory back. 5 is 6 on x86-64.
    dict(name="ktest_all_revision_2", cmdline="test=all expect_cpus=1 expect_revision=2", smp=1, mem="256M",
         patch_kernel=with_base_revision(2), exit="pass", expect=[ALL_PASSED, r"^boot: .* rev=2 "], reject=[NO_PANIC]),
    dict(name="ktest_all_revision_3", real_limine=["12.5.2"], cmdline="test=all expect_cpus=2 expect_revision=3",
         smp=2, mem="512M", patch_kernel=with_base_revision(3), exit="pass", expect=[ALL_PASSED, r"^boot: .* rev=3 "],
         reject=[NO_PANIC]),
    dict(name="ktest_all_revision_4", cmdline="test=all expect_cpus=1 expect_revision=4", smp=1, mem="512M",
         patch_kernel=with_base_revision(4), exit="pass", expect=[ALL_PASSED, r"^boot: .* rev=4 "], reject=[NO_PANIC]),
    # Limine 8.2.0 with 4 CPUs and memory above 4 GiB may hand over page
    # tables whose HHDM entries above 4 GiB are zero (its PDPT entries 4 and
    # up; 1 or 2 CPUs are fine, and so is 12.5.2), against revision 2's
    # promise (docs/limine-protocol.md §2). Whether it does depends on the
    # kernel image's layout (seen with a 2.3 MiB kernel, not with 2.9 MiB),
    # so the boot-protocol test is told the gap is allowed (allow_hhdm_gap=1)
    # and the kernel must cope either way: mm::init uses only the memory the
    # loader's tables really map until its own tables map the rest, and the mm
    # tests check that all usable memory is managed (direct_map_test.cpp
    # covers the gap on the host).
    dict(name="ktest_all_4cpu_8g", real_limine=True, cmdline="test=all expect_cpus=4 expect_highmem=1", smp=4, mem="8G",
         limine_overrides={"8.2.0": dict(cmdline="test=all expect_cpus=4 expect_highmem=1 allow_hhdm_gap=1",
                                         expect=[ALL_PASSED, r"cpus=4 "], reject=[NO_PANIC])},
         exit="pass", expect=[ALL_PASSED, r"cpus=4 "], reject=[NO_PANIC, r"HHDM did not map", NOTHING_SKIPPED]),
    # The suite on QEMU's pc machine (i440FX: no MCFG) with 8 CPUs: the cases
    # that check a q35 device see the machine is not one and say they skip.
    dict(name="ktest_all_pc_8cpu_2g", cmdline="test=all expect_cpus=8", machine="pc", smp=8, mem="2G",
         exit="pass", timeout=240, reject=[NO_PANIC], expect=[
             ALL_PASSED, r"^\[ SKIP \] acpi\.q35_has_hpet_and_mcfg: not a QEMU q35 machine but QEMU pc \(i440FX\)"]),
    dict(name="ktest_all_2cpu_modules", real_limine=True, cmdline="test=all expect_cpus=2 expect_modules=2", smp=2,
         mem="512M",
         modules=[("/boot/modules/one.txt", "hello from module one"), ("/boot/modules/two.bin", "second module")],
         files={"/boot/modules/one.txt": MODULE_ONE, "/boot/modules/two.bin": MODULE_TWO},
         exit="pass", expect=[ALL_PASSED], reject=[NO_PANIC]),

    # User address spaces on the real CPU, and exec of a static program (the
    # host tests' stack_dump, built by gcc -static) handed over as a module,
    # with address space randomisation off: the layout is Linux's.
    dict(name="vm_exec_module", cmdline="test=vm,exec aslr=off",
         modules=[("/boot/modules/stack_dump", "")], build_files={"/boot/modules/stack_dump": "testdata/stack_dump"},
         exit="pass", expect=[ALL_PASSED, r"vm: user address spaces ready, aslr=off",
                              r"exec: /boot/modules/stack_dump: entry=0x40\w+ sp=0x7fffffffe\w+ brk=0x\w+ aslr=off"],
         reject=[NO_PANIC]),

    # Files (docs/fs.md): the build's initramfs as a module, unpacked into the
    # root tmpfs and read back through the VFS equal to the archive, byte for
    # byte; /dev's memory devices; tmpfs to and from user memory (EFAULT for
    # read-only pages), a file's pages mapped shared.
    dict(name="fs_initramfs", cmdline="test=fs", smp=2, modules=[("/boot/initramfs.cpio", "initramfs")],
         exit="pass", expect=[ALL_PASSED, r"initramfs /boot/initramfs\.cpio: \d+ entries",
                              r"fs: initramfs read back: [1-9]\d* files, \d+ bytes, all equal"],
         reject=[NO_PANIC, r"initramfs .*offset"]),
    # Pipes between kernel threads on 2 CPUs: woken by the other side's
    # write through the scheduler's wait queues, not by the tick.
    dict(name="fs_pipe_2cpu", cmdline="test=fs_pipe", smp=2, exit="pass",
         expect=[ALL_PASSED, r"fs: pipe round trip between two threads on one CPU: \d+ ns",
                 r"fs: pipe round trip between two threads, any CPU: \d+ ns"], reject=[NO_PANIC]),
    # epoll between kernel threads on 4 CPUs (kernel/fs/epoll_ktests.cpp):
    # waiters in epoll_wait woken through the pipes' heads and a nested
    # instance's, and an item dropped by another thread's close.
    dict(name="fs_epoll_4cpu", cmdline="test=fs_epoll", smp=4, exit="pass",
         expect=[ALL_PASSED, r"fs: epoll round trip between two threads \(nested on one side\): \d+ ns"],
         reject=[NO_PANIC]),
    # ttyS0 with typed input (the serial port's receive interrupt): a cooked
    # line with an erase, a raw byte, and ^C dropping a line and raising
    # SIGINT for the foreground group.
    dict(name="tty_serial_typing", cmdline="test=tty tty_typing", exit="pass",
         serial=[(r"tty: type a line", b"helo\x7flo world\r"), (r"tty: type a raw byte", b"x"),
                 (r"tty: type an interrupted line", b"abc\x03def\r")],
         expect=[ALL_PASSED, r"tty: ttyS0 on COM1, ISA IRQ 4", r"tty: read \"hello world\\n\""],
         reject=[NO_PANIC]),
    # A broken archive: the entries before and after a bad one are kept, each
    # problem is logged with its offset, and a truncated tail ends the walk.
    dict(name="fs_initramfs_broken", cmdline="test=fs", modules=[("/boot/broken.cpio", "initramfs")],
         files={"/boot/broken.cpio": BROKEN_CPIO}, exit="pass",
         expect=[ALL_PASSED, r"initramfs /boot/broken\.cpio: offset \d+: name has a \"\.\.\" component \(\.\./escape\)",
                 r"initramfs /boot/broken\.cpio: offset \d+: .*past the end",
                 r"fs: initramfs read back: 2 files"],
         reject=[NO_PANIC]),

    # Memory management at several sizes, and on a CPU without 1 GiB pages.
    dict(name="mm_64m", cmdline="test=mm", mem="64M", exit="pass", expect=[ALL_PASSED, r"mm: \d+ MiB usable"]),
    dict(name="mm_1g", cmdline="test=mm", mem="1G", exit="pass", expect=[ALL_PASSED]),
    dict(name="mm_6g", real_limine=True, cmdline="test=mm", mem="6G", exit="pass", expect=[ALL_PASSED]),
    dict(name="mm_no_1g_pages", real_limine=True, cmdline="test=mm", mem="512M", cpu="qemu64", exit="pass",
         expect=[ALL_PASSED, r"1G=false"]),

    # The harness must see failure: a failing test case, a panic, UB, a
    # smashed stack, and a loader that does not support our base revision.
    dict(name="harness_sees_failing_test", cmdline="test=demo_fail", exit="fail",
         expect=[r"^tests: 0 passed, 1 failed"]),
    dict(name="harness_sees_skipped_and_failed_tests", cmdline="test=demo_fail_skip", exit="fail",
         expect=[r"^\[ SKIP \] demo_fail_skip\.skips: demo: the device is not on this machine\r?$",
                 r"^\[ FAIL \] demo_fail_skip\.fails_then_skips: ", r"^tests: 0 passed, 1 failed, 1 skipped\r?$"],
         reject=[r"\[  OK  \]", r"ktest_ktests\.cpp:\d+: expected false"]),
    dict(name="harness_sees_unknown_suite", cmdline="test=no_such_suite", exit="fail",
         expect=[r"no suite named 'no_such_suite'"]),
    dict(name="panic_is_reported", cmdline="selftest=panic", exit="fail",
         expect=[r"^panic: ", r"^\s+at .*selftest\.cpp:\d+", r"rip|RIP|rax|RAX", r"#\d+ 0x[0-9a-f]+ \S+"]),
    dict(name="ubsan_is_reported", cmdline="selftest=ubsan", exit="fail",
         expect=[r"^panic: .*(overflow|undefined)", r"selftest\.cpp:\d+"]),
    dict(name="stack_smashing_is_reported", cmdline="selftest=stack", exit="fail",
         expect=[r"^panic: .*stack smashing"]),
    dict(name="panic_inside_panic_is_contained", cmdline="selftest=nested", exit="fail",
         expect=[r"^panic: nested panic at kernel/debug/selftest\.cpp"]),
    dict(name="span_index_outside_is_caught", cmdline="selftest=span", exit="fail",
         expect=[r"^panic: check failed: index < size_", r"^\s+at lib/span\.hpp:\d+"]),
    dict(name="value_of_an_error_is_caught", cmdline="selftest=expected", exit="fail",
         expect=[r"^panic: check failed: has_value_", r"^\s+at lib/expected\.hpp:\d+"]),
    dict(name="ubsan_shift_is_reported", cmdline="selftest=ubsan-shift", exit="fail",
         expect=[r"shift exponent 40 is too large"]),
    # The scheduler's debug checks (checked kernel): sleeping where it is
    # forbidden, and a deadlock between two mutexes, reported with both owners.
    dict(name="sched_sleep_with_spinlock_held_is_caught", cmdline="test=demo_fail_sched.sleeping_with_a_spinlock_held",
         exit="fail", expect=[r"^panic: sleep: blocking with interrupts off \(a ksync::Spinlock held\?\) in thread main"]),
    dict(name="sched_sleep_with_preemption_disabled_is_caught",
         cmdline="test=demo_fail_sched.sleeping_with_preemption_disabled", exit="fail",
         expect=[r"^panic: sleep: blocking with preemption disabled \(count 1: a SpinlockNoIrq or PreemptGuard held\) "
                 r"in thread main"]),
    dict(name="sched_mutex_deadlock_names_both_owners", cmdline="test=demo_fail_sched.two_threads_deadlock_on_two_mutexes",
         smp=2, exit="fail",
         expect=[r"mutex 'mutex [ab]' is held by thread deadlock-[ab], which waits for mutex mutex [ab]",
                 r"^panic: sched: deadlock between mutexes: thread deadlock-([ab]) waits for 'mutex [ab]' held by "
                 r"deadlock-(?!\1)[ab]"]),
    dict(name="harness_sees_panicking_test", cmdline="test=demo_fail_panic", exit="fail",
         expect=[r"\[ FAIL \] demo_fail_panic\.panics: panicked", r"^tests: 0 passed, 1 failed"]),
    # Ours refuses a revision it does not know, with one line.
    dict(name="loader_refuses_unknown_base_revision", our_loader=True, cmdline="", patch_kernel=with_base_revision(7),
         expect=[LOADER_ERROR + r"the kernel asks for Limine base revision 7; this loader speaks 0 to 6"],
         reject=[READY]),

    # The loader's menu: a countdown boots the default entry; arrow keys pick another.
    dict(name="loader_menu_countdown_boots_default_entry", our_loader=True, conf=TWO_ENTRIES.format(timeout=1, default=2),
         expect=[r"Boot entries", r"^\s+=> 2\. second", r'cmdline="entry=two"', READY]),
    dict(name="loader_menu_arrow_keys_pick_an_entry", our_loader=True, conf=TWO_ENTRIES.format(timeout=30, default=1),
         keys=[(r"Booting 'first' in", ["down", "ret"])],
         expect=[r"Boot entries", r'cmdline="entry=two"', READY], reject=[r'cmdline="entry=one"']),

    # Loader bad input: one clear line naming what is at fault, then stop.
    dict(name="loader_no_config", our_loader=True, conf=False, expect=[LOADER_ERROR + r".*limine\.conf"], reject=[READY]),
    dict(name="loader_no_entries", our_loader=True, conf="timeout: 0\n# nothing to boot\n",
         expect=[LOADER_ERROR + r".*entr"], reject=[READY]),
    dict(name="loader_unknown_protocol", our_loader=True,
         conf="timeout: 0\n/other\n    protocol: linux\n    kernel_path: boot():/boot/kernel\n",
         expect=[LOADER_ERROR + r".*protocol.*linux"], reject=[READY]),
    dict(name="loader_missing_kernel", our_loader=True,
         conf="timeout: 0\n/x\n    protocol: limine\n    kernel_path: boot():/boot/no-such-kernel\n",
         expect=[LOADER_ERROR + r".*no-such-kernel"], reject=[READY]),
    dict(name="loader_missing_module", our_loader=True, cmdline="", modules=[("/boot/modules/absent.bin", "")],
         expect=[LOADER_ERROR + r".*absent\.bin"], reject=[READY]),
    dict(name="loader_kernel_not_elf", our_loader=True, cmdline="", files={"/boot/kernel": b"MZ this is not an ELF file" * 40},
         expect=[LOADER_ERROR + r".*(ELF|elf)"], reject=[READY]),
    dict(name="loader_segment_below_higher_half", our_loader=True, cmdline="", patch_kernel=move_first_segment_low,
         expect=[LOADER_ERROR + r".*(below|0xffffffff80000000)"], reject=[READY]),
    dict(name="loader_overlapping_segments", our_loader=True, cmdline="", patch_kernel=overlap_second_segment,
         expect=[LOADER_ERROR + r".*overlap"], reject=[READY]),
    dict(name="loader_duplicate_request", our_loader=True, cmdline="", patch_kernel=duplicate_hhdm_request,
         expect=[LOADER_ERROR + r".*(duplicate|twice|same id).*hhdm"],
         reject=[READY]),
    dict(name="loader_out_of_memory", our_loader=True, cmdline="", mem="256M", patch_kernel=huge_bss,
         expect=[LOADER_ERROR + r".*out of memory.*kernel"], reject=[READY]),
    dict(name="loader_unsupported_paging_mode", our_loader=True, cmdline="", cpu="max,la57=off", patch_kernel=demand_5_level_paging,
         expect=[LOADER_ERROR + r".*(paging|5-level)"], reject=[READY]),
] + CPU_SCENARIOS + TIME_SCENARIOS + REVISION_SCENARIOS + CONFIG_SCENARIOS + TEMPLATE_SCENARIOS + SMP_SCENARIOS \
    + USER_SCENARIOS \
    + BUSYBOX_SCENARIOS + SHELL_SCENARIOS + TOP_AND_LESS_SCENARIOS + TTY1_SCENARIOS
