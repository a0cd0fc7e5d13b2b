// A real dynamically linked program of this machine (/bin/cat, a PIE with
// Debian's /lib64/ld-linux-x86-64.so.2) loaded by proc::exec, against what
// the host's Linux does with it under `setarch -R` (no randomisation): the
// auxiliary vector ld.so prints (LD_SHOW_AUXV=1: AT_PHDR, AT_PHNUM,
// AT_ENTRY, AT_BASE) and where the program, the interpreter and the heap
// are in /proc/self/maps must be the same.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/proc/elf_program.hpp"
#include "kernel/proc/exec.hpp"
#include "kernel/proc/exec_testing.hpp"

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Span {
    uint64_t low = ~0ULL, high = 0;
    void add(uint64_t start, uint64_t end) {
        low = std::min(low, start);
        high = std::max(high, end);
    }
};

TEST(ExecHostProgram, DynamicProgramAndLdSoLandWhereLinuxPutsThem) {
    const std::string program = "/bin/cat";
    std::vector<uint8_t> bytes = read_file(program);
    if (bytes.size() < 64 || !proc::is_elf(bytes.data(), bytes.size())) GTEST_SKIP() << "no ELF " << program;
    FILE* pipe =
        popen(("env -i LD_SHOW_AUXV=1 setarch x86_64 -R " + program + " /proc/self/maps 2>/dev/null").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::map<std::string, uint64_t> host_auxv;
    std::map<std::string, Span> host_files;
    uint64_t host_heap = 0;
    char line[1024];
    while (std::fgets(line, sizeof line, pipe)) {
        char name[64], value[64];
        if (std::sscanf(line, "AT_%63[A-Z_0-9]: %63s", name, value) == 2) {
            host_auxv[name] = std::strtoul(value, nullptr, 0);  // 0x... or decimal, as ld.so prints them
            continue;
        }
        unsigned long start, end;
        char rights[8], path[512] = "";
        unsigned long offset;
        if (std::sscanf(line, "%lx-%lx %7s %lx %*s %*s %511s", &start, &end, rights, &offset, path) >= 4) {
            if (std::string(path) == "[heap]")
                host_heap = start;
            else if (path[0] == '/')
                host_files[path].add(start, end);
        }
    }
    if (pclose(pipe) != 0 || !host_auxv.count("BASE")) GTEST_SKIP() << "cannot run " << program << " under setarch -R";

    vm::testing::Space space;
    proc::testing::MemoryFiles files(space);
    files.add(program, bytes);
    // The interpreter named in PT_INTERP, from this machine's disk.
    proc::ElfProgram elf;
    proc::ExecFile& file = files.at(program);
    ASSERT_TRUE(proc::read_elf(file, bytes.data(), 256, elf));
    const uapi::Elf64ProgramHeader* interp = elf.find(uapi::kPtInterp);
    ASSERT_NE(interp, nullptr);
    std::string interp_path(reinterpret_cast<const char*>(bytes.data() + interp->offset));
    files.add(interp_path, read_file(interp_path));
    char resolved[4096];
    ASSERT_NE(realpath(interp_path.c_str(), resolved), nullptr);

    proc::testing::SeededRandom random(3);
    lib::StringView argv[] = {program.c_str(), "/proc/self/maps"};
    proc::ExecParameters parameters;
    parameters.filename = program.c_str();
    parameters.argv = lib::Span<const lib::StringView>(argv, 2);
    parameters.files = &files;
    parameters.services = space.services;
    parameters.random = &random;
    parameters.randomize = false;
    auto image = proc::exec(file, parameters);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->interpreter_base, host_auxv["BASE"]);
    EXPECT_EQ(image->program_entry, host_auxv["ENTRY"]);
    std::vector<uint8_t> interp_bytes = read_file(interp_path);
    uapi::Elf64Header interp_header;
    std::memcpy(&interp_header, interp_bytes.data(), sizeof interp_header);
    EXPECT_EQ(image->entry, host_auxv["BASE"] + interp_header.entry);  // the program starts in ld.so
    // Our program headers and interpreter base as the program's auxv has them.
    uint64_t sp = image->stack_pointer;
    std::map<uint64_t, uint64_t> ours;
    uint64_t at = sp + 8 * (1 + 3 + 1);
    for (uint64_t type = 1; type;) {
        uint64_t pair[2];
        ASSERT_TRUE(image->space->read_memory(at, pair, 16));
        type = pair[0];
        ours[pair[0]] = pair[1];
        at += 16;
    }
    EXPECT_EQ(ours[uapi::kAtPhdr], host_auxv["PHDR"]);
    EXPECT_EQ(ours[uapi::kAtPhnum], host_auxv["PHNUM"]);
    EXPECT_EQ(ours[uapi::kAtBase], host_auxv["BASE"]);
    EXPECT_EQ(ours[uapi::kAtEntry], host_auxv["ENTRY"]);
    // The file mappings of the program and of ld.so cover the same ranges
    // (ld.so later splits them with mprotect for RELRO), and the heap starts
    // where the host's does.
    Span our_program, our_interp;
    image->space->for_each_region([&](const vm::Vma& vma) {
        if (!vma.backing) return;
        if (vma.start >= 0x7f0000000000)
            our_interp.add(vma.start, vma.end);
        else
            our_program.add(vma.start, vma.end);
    });
    std::string program_real = realpath(program.c_str(), resolved) ? resolved : program;
    EXPECT_EQ(our_program.low, host_files[program_real].low);
    EXPECT_EQ(our_program.high, host_files[program_real].high);
    ASSERT_NE(realpath(interp_path.c_str(), resolved), nullptr);
    EXPECT_EQ(our_interp.low, host_files[resolved].low);
    EXPECT_EQ(our_interp.high, host_files[resolved].high);
    if (host_heap) EXPECT_EQ(image->space->layout().start_brk, host_heap);
    vm::AddressSpace::destroy(image->space);
}

}  // namespace
