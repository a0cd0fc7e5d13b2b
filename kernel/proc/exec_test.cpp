// exec on the host: #! parsing and argv rewriting, the argument limits
// (E2BIG), loading ELF programs (static, static-PIE, with an interpreter)
// with the right rights, BSS and layout, and the errno for bad programs;
// plus a fuzz loop over broken ELF files that must never hurt anything.
#include "kernel/proc/exec.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernel/proc/elf_program.hpp"
#include "kernel/proc/exec_arguments.hpp"
#include "kernel/proc/exec_script.hpp"
#include "kernel/proc/exec_testing.hpp"
#include "kernel/vm/errors.hpp"

namespace {

using proc::testing::ElfFile;
using proc::testing::MemoryFiles;
using proc::testing::Segment;

constexpr uint64_t kPage = 4096;

template <typename T>
int errno_of(const lib::Expected<T>& result) {
    return result ? 0 : int(vm::error_number(result.error()));
}

std::vector<uint8_t> text(const std::string& s) {
    return std::vector<uint8_t>(s.begin(), s.end());
}

// --- #! scripts ---

struct Parsed {
    int error;
    std::string path, argument;
    bool has_argument;
};
Parsed parse(const std::string& head) {
    char buffer[uapi::kBinprmBufSize] = {};
    std::memcpy(buffer, head.data(), std::min(head.size(), sizeof buffer));
    auto result = proc::parse_script(buffer);
    if (!result) return {errno_of(result), "", "", false};
    return {0, std::string(result->path.data(), result->path.size()),
            std::string(result->argument.data(), result->argument.size()), result->has_argument};
}

TEST(Script, InterpreterAndOneArgumentAsLinuxReadsThem) {
    Parsed p = parse("#!/bin/sh\necho hi\n");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.path, "/bin/sh");
    EXPECT_FALSE(p.has_argument);
    p = parse("#! \t/usr/bin/env  python3 -u \t\nrest");
    EXPECT_EQ(p.path, "/usr/bin/env");
    EXPECT_EQ(p.argument, "python3 -u");  // one argument, inner blanks kept
    p = parse("#!/bin/sh   \n");
    EXPECT_EQ(p.path, "/bin/sh");
    EXPECT_FALSE(p.has_argument);
    EXPECT_EQ(parse("#!\n").error, ENOEXEC);
    EXPECT_EQ(parse("#!   \t \n").error, ENOEXEC);
    EXPECT_EQ(parse("#!" + std::string(300, ' ')).error, ENOEXEC);
    EXPECT_EQ(parse("#\n").error, ENOEXEC);
    EXPECT_EQ(parse("").error, ENOEXEC);
    // No newline within 256 bytes: the path must end inside them...
    EXPECT_EQ(parse("#!/" + std::string(300, 'a')).error, ENOEXEC);
    // ... the argument may be cut short.
    p = parse("#!/bin/sh " + std::string(300, 'b'));
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.argument, std::string(uapi::kBinprmBufSize - 1 - 10, 'b'));
    // A NUL ends the line for the newline search and the path.
    p = parse(std::string("#!/bin/sh\0 -x\n", 14));
    EXPECT_EQ(p.path, "/bin/sh");
    EXPECT_FALSE(p.has_argument);
}

// --- argument limits ---

TEST(ExecArguments, LimitIsAQuarterOfTheStackLimitWithinLinuxBounds) {
    EXPECT_EQ(*proc::ExecArguments::string_limit(8 << 20, 1, 0), (2u << 20) - 8);
    EXPECT_EQ(*proc::ExecArguments::string_limit(64 << 10, 1, 0), 131072u - 8);       // never under ARG_MAX
    EXPECT_EQ(*proc::ExecArguments::string_limit(1ULL << 40, 1, 0), (6u << 20) - 8);  // never over 3/4 of _STK_LIM
    EXPECT_EQ(*proc::ExecArguments::string_limit(8 << 20, 0, 2), (2u << 20) - 24);    // argv counts as 1 at least
    EXPECT_EQ(errno_of(proc::ExecArguments::string_limit(8 << 20, 1 << 18, 0)), E2BIG);
}

TEST(ExecArguments, E2bigForOneTooLongStringOrTooManyBytes) {
    std::string long_string(uapi::kMaxArgStrlen, 'x');  // with its NUL one byte too many
    std::vector<lib::StringView> argv = {"prog", long_string.c_str()};
    proc::ExecArguments arguments;
    EXPECT_EQ(errno_of(arguments.init("prog", lib::Span<const lib::StringView>(argv.data(), 2), {}, 8 << 20)), E2BIG);
    std::string fits(uapi::kMaxArgStrlen - 1, 'x');
    argv[1] = fits.c_str();
    EXPECT_TRUE(arguments.init("prog", lib::Span<const lib::StringView>(argv.data(), 2), {}, 8 << 20));
    // 20 strings of 128 KiB: 2.5 MiB > 2 MiB.
    std::vector<lib::StringView> many(20, fits.c_str());
    EXPECT_EQ(errno_of(arguments.init("prog", lib::Span<const lib::StringView>(many.data(), many.size()), {}, 8 << 20)),
              E2BIG);
    EXPECT_TRUE(arguments.init("prog", lib::Span<const lib::StringView>(many.data(), many.size()), {}, 32 << 20));
}

TEST(ExecArguments, EmptyArgvGetsAnEmptyString) {
    proc::ExecArguments arguments;
    ASSERT_TRUE(arguments.init("/bin/true", {}, {}, 8 << 20));
    ASSERT_EQ(arguments.argc(), 1u);
    EXPECT_EQ(arguments.arg(0).size(), 0u);
}

// --- loading ---

struct Exec {
    vm::testing::Space space;
    MemoryFiles files{space};
    proc::testing::SeededRandom random{7};
    proc::ExecParameters parameters;
    std::vector<lib::StringView> argv = {"prog"};
    std::vector<lib::StringView> envp = {"HOME=/"};

    Exec() {
        parameters.filename = "/prog";
        parameters.files = &files;
        parameters.services = space.services;
        parameters.random = &random;
        parameters.randomize = false;
        parameters.services.commit_limit_pages = (1ULL << 30) / kPage;  // a 1 GiB machine
    }
    lib::Expected<proc::ExecImage> run(const std::string& path, proc::ExecFailure* failure = nullptr) {
        parameters.argv = lib::Span<const lib::StringView>(argv.data(), argv.size());
        parameters.envp = lib::Span<const lib::StringView>(envp.data(), envp.size());
        return proc::exec(files.at(path), parameters, failure);
    }
};

struct Image {
    proc::ExecImage image;
    ~Image() {
        if (image.space) vm::AddressSpace::destroy(image.space);
    }
    vm::AddressSpace* operator->() { return image.space; }
    std::vector<std::pair<uint64_t, std::string>> regions() {
        std::vector<std::pair<uint64_t, std::string>> out;
        image.space->for_each_region([&](const vm::Vma& vma) {
            std::string rights = "---p";
            if (vma.prot & vm::kProtRead) rights[0] = 'r';
            if (vma.prot & vm::kProtWrite) rights[1] = 'w';
            if (vma.prot & vm::kProtExec) rights[2] = 'x';
            out.push_back({vma.start, rights});
        });
        return out;
    }
    uint64_t word(uint64_t address) {
        uint64_t value = 0;
        EXPECT_TRUE(image.space->read_memory(address, &value, 8));
        return value;
    }
};

TEST(ElfLoad, StaticProgramGetsItsSegmentsStackAndHeapAsOnLinux) {
    Exec e;
    e.files.add("/prog", proc::testing::static_program().build());
    Image image{*e.run("/prog")};
    EXPECT_EQ(image.image.entry, 0x401000u);
    EXPECT_EQ(image.image.program_entry, 0x401000u);
    // r-- text header, r-x code, rw- data and BSS, the stack at the top.
    auto regions = image.regions();
    ASSERT_EQ(regions.size(), 5u);
    EXPECT_EQ(regions[0], (std::pair<uint64_t, std::string>{0x400000, "r--p"}));
    EXPECT_EQ(regions[1], (std::pair<uint64_t, std::string>{0x401000, "r-xp"}));
    EXPECT_EQ(regions[2], (std::pair<uint64_t, std::string>{0x403000, "rw-p"}));  // the file page
    EXPECT_EQ(regions[3], (std::pair<uint64_t, std::string>{0x404000, "rw-p"}));  // anonymous BSS
    EXPECT_EQ(regions[4].second, "rw-p");
    EXPECT_EQ(image->layout().start_brk, 0x406000u);
    EXPECT_EQ(image->layout().brk, 0x406000u);
    // The program's bytes; the tail of the last file page is zeroed although
    // the file has bytes there; BSS reads zero.
    uint8_t byte = 0;
    ASSERT_TRUE(image->read_memory(0x401005, &byte, 1));
    EXPECT_EQ(byte, uint8_t(0xc0 + 0x1005 % 7));
    ASSERT_TRUE(image->read_memory(0x4037ff, &byte, 1));
    EXPECT_EQ(byte, uint8_t(0xc0 + 0x27ff % 7));
    ASSERT_TRUE(image->read_memory(0x403800, &byte, 1));
    EXPECT_EQ(byte, 0);
    ASSERT_TRUE(image->read_memory(0x405fff, &byte, 1));
    EXPECT_EQ(byte, 0);
    // The stack: top at STACK_TOP without randomisation, argc first.
    EXPECT_EQ(image.word(image.image.stack_pointer), 1u);
    EXPECT_EQ(image.image.stack_pointer % 16, 0u);
    EXPECT_LT(image.image.stack_pointer, uapi::kStackTop);
    EXPECT_GT(image.image.stack_pointer, uapi::kStackTop - kPage);
    // AT_PHDR points at the program headers in the first segment.
    uint64_t sp = image.image.stack_pointer;
    uint64_t at = sp + 8 * (1 + 2 + 2);  // argc, argv+NULL, envp+NULL
    std::map<uint64_t, uint64_t> auxv;
    for (; image.word(at); at += 16) auxv[image.word(at)] = image.word(at + 8);
    EXPECT_EQ(auxv[uapi::kAtPhdr], 0x400040u);
    EXPECT_EQ(auxv[uapi::kAtPhnum], 5u);
    EXPECT_EQ(auxv[uapi::kAtEntry], 0x401000u);
    EXPECT_EQ(auxv[uapi::kAtBase], 0u);
    EXPECT_EQ(auxv[uapi::kAtPagesz], kPage);
}

TEST(ElfLoad, StaticPieGoesBelowTheMmapBaseAndItsHeapStaysAfterIt) {
    Exec e;
    ElfFile elf(uapi::kEtDyn, 0x2000);
    elf.header.entry = 0x1000;
    elf.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0, 0, 0x1800, 0x1800, 0x1000});
    elf.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfW, 0x1800, 0x2800, 0x100, 0x2000, 0x1000});
    e.files.add("/prog", elf.build());
    Image image{*e.run("/prog")};
    // The first mmap below the mmap base (0x7ffff7fff000 with an 8 MiB stack).
    uint64_t base = 0x7ffff7fff000 - 0x5000;
    EXPECT_EQ(image.image.entry, base + 0x1000);
    EXPECT_EQ(image->layout().brk, base + 0x5000);
    EXPECT_EQ(image->layout().mmap_base, 0x7ffff7fff000u);
}

TEST(ElfLoad, DynamicProgramLoadsItsInterpreterAtTheMmapBaseAndStartsThere) {
    Exec e;
    ElfFile program(uapi::kEtDyn, 0x2000);
    program.header.entry = 0x1100;
    std::string interp = "/lib64/ld-linux-x86-64.so.2";
    program.segments.push_back({uapi::kPtPhdr, uapi::kPfR, 64, 64, 56 * 3, 56 * 3, 8});
    program.segments.push_back({uapi::kPtInterp, uapi::kPfR, 0x300, 0x300, interp.size() + 1, interp.size() + 1, 1});
    program.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0, 0, 0x2000, 0x2000, 0x1000});
    std::memcpy(program.bytes.data() + 0x300, interp.c_str(), interp.size() + 1);
    ElfFile loader(uapi::kEtDyn, 0x3000);
    loader.header.entry = 0x1020;
    loader.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0, 0, 0x2000, 0x2000, 0x1000});
    loader.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfW, 0x2000, 0x2000, 0x800, 0x1800, 0x1000});
    e.files.add("/prog", program.build());
    e.files.add(interp, loader.build());
    Image image{*e.run("/prog")};
    EXPECT_EQ(image.image.program_entry, 0x555555554000u + 0x1100);  // ELF_ET_DYN_BASE
    uint64_t interp_base = 0x7ffff7fff000 - 0x4000;
    EXPECT_EQ(image.image.interpreter_base, interp_base);
    EXPECT_EQ(image.image.entry, interp_base + 0x1020);
    EXPECT_EQ(e.files.open_count, 0);  // the interpreter file was closed again
}

TEST(ElfLoad, ScriptsRunTheirInterpreterWithLinuxsArgv) {
    Exec e;
    e.files.add("/prog", text("#!/bin/sh -e\nexit 0\n"));
    e.files.add("/bin/sh", proc::testing::static_program().build());
    e.argv = {"prog", "one"};
    Image image{*e.run("/prog")};
    uint64_t sp = image.image.stack_pointer;
    ASSERT_EQ(image.word(sp), 4u);
    std::vector<std::string> argv;
    for (int i = 0; i < 4; ++i) {
        std::string arg;
        for (uint64_t at = image.word(sp + 8 + 8 * i);; ++at) {
            char c = 0;
            ASSERT_TRUE(image->read_memory(at, &c, 1));
            if (!c) break;
            arg += c;
        }
        argv.push_back(arg);
    }
    EXPECT_EQ(argv, (std::vector<std::string>{"/bin/sh", "-e", "/prog", "one"}));
    // The binary loaded is the interpreter: /proc/self/exe names it.
    EXPECT_TRUE(image.image.interpreted);
    EXPECT_STREQ(image.image.binary_name, "/bin/sh");
}

TEST(ElfLoad, ScriptNestingStopsWithEloop) {
    Exec e;
    for (int i = 0; i < 7; ++i) e.files.add("/s" + std::to_string(i), text("#!/s" + std::to_string(i + 1) + "\n"));
    e.files.add("/s7", proc::testing::static_program().build());
    EXPECT_TRUE(Image{*e.run("/s2")}.image.space);  // five scripts then the program
    EXPECT_EQ(errno_of(e.run("/s1")), ELOOP);       // six scripts
    EXPECT_EQ(e.files.open_count, 0);
    e.files.add("/missing-interp", text("#!/nowhere\n"));
    EXPECT_EQ(errno_of(e.run("/missing-interp")), ENOENT);
    e.parameters.path_inaccessible = true;
    EXPECT_EQ(errno_of(e.run("/s6")), ENOENT);
}

TEST(ElfLoad, BadProgramsGetLinuxsErrno) {
    Exec e;
    auto expect = [&](const std::string& name, std::vector<uint8_t> bytes, int error, bool fatal = false) {
        e.files.add(name, std::move(bytes));
        proc::ExecFailure failure;
        auto result = e.run(name, &failure);
        EXPECT_EQ(errno_of(result), error) << name;
        EXPECT_EQ(failure.fatal, fatal) << name;
        if (result) vm::AddressSpace::destroy(result->space);
    };
    ElfFile good = proc::testing::static_program();
    std::vector<uint8_t> bytes = good.build();
    expect("/empty", {}, ENOEXEC);
    expect("/text", text("hello\n"), ENOEXEC);
    expect("/magic-only", std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4), ENOEXEC);
    expect("/truncated-phdrs", std::vector<uint8_t>(bytes.begin(), bytes.begin() + 100), ENOEXEC);
    ElfFile bad = good;
    bad.header.machine = 3;  // EM_386
    expect("/i386", bad.build(), ENOEXEC);
    bad = good;
    bad.header.type = 1;  // ET_REL
    expect("/relocatable", bad.build(), ENOEXEC);
    bad = good;
    bad.header.ident[uapi::kEiClass] = 1;
    expect("/class32", bad.build(), ENOEXEC);
    bad = good;
    bad.header.phentsize = 32;
    expect("/phentsize", bad.build(), ENOEXEC);
    bad = good;
    bad.header.phnum = 74;  // more than a page of headers
    expect("/phnum", bad.build(), ENOEXEC);
    bad = good;
    bad.segments[2].filesz = bad.segments[2].memsz + 1;
    expect("/filesz", bad.build(), EINVAL, true);
    bad = good;
    bad.segments[2].vaddr = uapi::kTaskSize;
    expect("/above", bad.build(), ENOMEM, true);  // MAP_FIXED past user space
    bad = good;
    bad.segments[2].memsz = 1ULL << 46;  // a 64 TiB BSS on a 1 GiB machine
    expect("/huge-bss", bad.build(), ENOMEM, true);
    bad = good;
    bad.segments[1].offset = 0x1234;  // file offset and address disagree within the page
    expect("/misaligned", bad.build(), EINVAL, true);
    bad = good;
    bad.segments[0].flags = uapi::kPfR;
    bad.segments[2].flags = uapi::kPfR;  // BSS tail in a read-only segment cannot be zeroed
    expect("/readonly-bss", bad.build(), EFAULT, true);
    // Overlapping segments load: the later one replaces the earlier (MAP_FIXED).
    bad = good;
    bad.segments[2].vaddr = 0x401000;
    bad.segments[2].offset = 0x1000;
    expect("/overlap", bad.build(), 0);
    // PT_INTERP problems.
    ElfFile dynamic = good;
    dynamic.segments.insert(dynamic.segments.begin(), {uapi::kPtInterp, uapi::kPfR, 0x300, 0, 6, 6, 1});
    std::memcpy(dynamic.bytes.data() + 0x300, "/nope", 6);
    expect("/no-interp", dynamic.build(), ENOENT);
    e.files.add("/long", text("not an ELF file at all, but long enough for an ELF header: ..........."));
    std::memcpy(dynamic.bytes.data() + 0x300, "/long", 6);
    expect("/interp-not-elf", dynamic.build(), ELIBBAD);
    std::memcpy(dynamic.bytes.data() + 0x300, "/text", 6);  // shorter than an ELF header
    expect("/interp-short", dynamic.build(), EIO);
    dynamic.segments[0].filesz = 1;
    expect("/interp-short-path", dynamic.build(), ENOEXEC);
    dynamic.segments[0].filesz = 5;  // not NUL-terminated
    expect("/interp-no-nul", dynamic.build(), ENOEXEC);
    e.files.add("/tiny", text("\x7f"
                              "ELF"));
    dynamic.segments[0].filesz = 6;
    std::memcpy(dynamic.bytes.data() + 0x300, "/tiny", 6);
    expect("/interp-tiny", dynamic.build(), EIO);
    ElfFile relocatable = good;
    relocatable.header.type = 1;
    e.files.add("/reloc", relocatable.build());
    std::memcpy(dynamic.bytes.data() + 0x300, "/relo", 6);
    e.files.add("/relo", relocatable.build());
    expect("/interp-reloc", dynamic.build(), EPERM, true);  // Linux's -1 from load_elf_interp
    EXPECT_EQ(e.files.open_count, 0);
    // Nothing is left behind but what the files cached.
    EXPECT_EQ(e.space.frames.live(), e.space.baseline + e.space.cached_file_pages());
}

// Random damage to a good program: every outcome is an errno or a loaded
// image, nothing crashes, and every frame not cached by a file comes back.
TEST(ElfLoad, FuzzedProgramsNeverHarmAnything) {
    std::mt19937_64 random(99);
    std::vector<uint8_t> good = proc::testing::static_program().build();
    for (int round = 0; round < 600; ++round) {
        Exec e;
        std::vector<uint8_t> bytes = good;
        int kind = int(random() % 3);
        if (kind == 0) {
            bytes.resize(random() % bytes.size());
        } else {
            int flips = 1 + int(random() % 8);
            size_t span = kind == 1 ? 64 + 4 * 56 : bytes.size();  // headers only, or anywhere
            for (int i = 0; i < flips; ++i) bytes[random() % span] ^= uint8_t(1u << (random() % 8));
            if (random() % 4 == 0) {
                // An absurd field: a huge size, offset or address somewhere in a program header.
                size_t field = 64 + (random() % 4) * 56 + 8 + (random() % 5) * 8;
                uint64_t value = random() % 2 ? ~0ULL - random() % 4096 : 1ULL << (random() % 64);
                std::memcpy(bytes.data() + field, &value, 8);
            }
        }
        e.files.add("/prog", bytes);
        auto result = e.run("/prog");
        if (result) vm::AddressSpace::destroy(result->space);
        // Only the file's page cache may have grown.
        EXPECT_EQ(e.space.frames.live(), e.space.baseline + e.space.cached_file_pages()) << "round " << round;
        EXPECT_EQ(e.files.open_count, 0);
    }
}

}  // namespace
