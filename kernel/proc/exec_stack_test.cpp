// The initial stack against the host's Linux: a static program of ours
// (testdata/stack_dump.c) prints the stack its kernel built for it, run
// under `setarch -R` so nothing is randomised; proc::write_stack builds the
// same stack (same strings, same auxiliary vector) at the same top, and
// every byte must match except the 16 random ones. Also: Linux's auxv order.
#include "kernel/proc/exec_stack.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/abi/linux_exec.hpp"
#include "kernel/proc/exec_testing.hpp"

namespace {

using proc::AuxEntry;

struct HostStack {
    std::vector<AuxEntry> auxv;
    uint64_t sp = 0, top = 0, random = 0;
    std::vector<uint8_t> bytes;  // [sp, top)
};

bool run_host(const std::string& command, HostStack& out) {
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return false;
    char line[1 << 16];
    while (std::fgets(line, sizeof line, pipe)) {
        std::istringstream in(line);
        std::string key;
        in >> key;
        if (key == "aux") {
            AuxEntry entry;
            in >> std::dec >> entry.type >> std::hex >> entry.value;
            out.auxv.push_back(entry);
        } else if (key == "sp") {
            in >> std::hex >> out.sp;
        } else if (key == "top") {
            in >> std::hex >> out.top;
        } else if (key == "random") {
            in >> std::hex >> out.random;
        } else {
            for (size_t i = 0; key.size() >= 2 && i + 1 < key.size(); i += 2)
                out.bytes.push_back(uint8_t(std::stoul(key.substr(i, 2), nullptr, 16)));
        }
    }
    return pclose(pipe) == 0 && out.sp && out.top;
}

TEST(InitialStack, IsByteForByteWhatTheHostLinuxBuilds) {
    std::string program = STACK_DUMP_PATH;
    HostStack host;
    if (!run_host("env -i A=1 BB=22 setarch x86_64 -R " + program + " x yy '' 2>/dev/null", host))
        GTEST_SKIP() << "cannot run the program under setarch -R here";
    ASSERT_EQ(host.top, uapi::kStackTop);
    ASSERT_EQ(host.bytes.size(), host.top - host.sp);

    std::vector<lib::StringView> argv = {program.c_str(), "x", "yy", ""};
    std::vector<lib::StringView> envp = {"A=1", "BB=22"};
    proc::ExecArguments arguments;
    ASSERT_TRUE(arguments.init(program.c_str(), lib::Span<const lib::StringView>(argv.data(), argv.size()),
                               lib::Span<const lib::StringView>(envp.data(), envp.size()), 8 << 20));
    proc::StackInputs inputs;
    inputs.arguments = &arguments;
    inputs.stack_top = host.top;
    inputs.shuffle = 0;  // setarch -R: no random gap
    std::vector<AuxEntry> auxv = host.auxv;
    inputs.auxv = lib::Span<AuxEntry>(auxv.data(), auxv.size());
    // The host's random bytes, so those match too.
    uint64_t random_offset = host.random - host.sp;
    std::memcpy(inputs.random_bytes, host.bytes.data() + random_offset, 16);

    vm::testing::Space space;
    ASSERT_TRUE(space->map_stack(host.top, proc::initial_stack_size(inputs, 8 << 20), false));
    auto layout = proc::write_stack(*space.space, inputs);
    ASSERT_TRUE(layout);
    EXPECT_EQ(layout->stack_pointer, host.sp);
    EXPECT_EQ(layout->random, host.random);
    for (size_t i = 0; i < auxv.size(); ++i)
        EXPECT_EQ(auxv[i].value, host.auxv[i].value) << "auxv type " << auxv[i].type;
    std::vector<uint8_t> ours(host.bytes.size());
    ASSERT_TRUE(space->read_memory(host.sp, ours.data(), ours.size()));
    for (size_t i = 0; i < ours.size(); ++i) ASSERT_EQ(ours[i], host.bytes[i]) << "byte at " << std::hex << host.sp + i;
}

// The host may be newer than Linux 6.1 and add entries after AT_PLATFORM
// (AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN since 6.3, AT_HWCAP3/4 since 6.14);
// without those, its order is the one we build.
TEST(InitialStack, AuxiliaryVectorOrderIsLinuxs) {
    HostStack host;
    if (!run_host(std::string("env -i setarch x86_64 -R ") + STACK_DUMP_PATH + " 2>/dev/null", host))
        GTEST_SKIP() << "cannot run the program under setarch -R here";
    std::vector<uint64_t> host_types;
    for (const AuxEntry& entry : host.auxv)
        if (entry.type != 27 && entry.type != 28 && entry.type != 29 && entry.type != 30)
            host_types.push_back(entry.type);
    proc::AuxValues values;
    values.sysinfo_ehdr = 1;  // this host has a vDSO
    AuxEntry built[proc::kMaxAuxEntries];
    size_t n = proc::linux_auxv(values, built);
    std::vector<uint64_t> ours;
    for (size_t i = 0; i < n; ++i) ours.push_back(built[i].type);
    EXPECT_EQ(ours, host_types);
    // The values this machine's kernel gives that do not depend on the program.
    for (const AuxEntry& entry : host.auxv) {
        if (entry.type == uapi::kAtPagesz) EXPECT_EQ(entry.value, uapi::kPageSize);
        if (entry.type == uapi::kAtClktck) EXPECT_EQ(entry.value, uapi::kClockTicks);
        if (entry.type == uapi::kAtPhent) EXPECT_EQ(entry.value, sizeof(uapi::Elf64ProgramHeader));
    }
}

TEST(InitialStack, StringsPointersAndAlignmentFollowTheRules) {
    std::vector<lib::StringView> argv = {"prog", "a"};
    std::vector<lib::StringView> envp = {"K=V"};
    proc::ExecArguments arguments;
    ASSERT_TRUE(arguments.init("/bin/prog", lib::Span<const lib::StringView>(argv.data(), argv.size()),
                               lib::Span<const lib::StringView>(envp.data(), envp.size()), 8 << 20));
    for (uint64_t shuffle : {0ULL, 1ULL, 15ULL, 8191ULL}) {
        proc::StackInputs inputs;
        inputs.arguments = &arguments;
        inputs.stack_top = 0x7ffd00000000;
        inputs.shuffle = shuffle;
        AuxEntry auxv[proc::kMaxAuxEntries];
        size_t n = proc::linux_auxv(proc::AuxValues{}, auxv);
        inputs.auxv = lib::Span<AuxEntry>(auxv, n);
        proc::StackLayout layout = proc::plan_stack(inputs);
        EXPECT_EQ(layout.stack_pointer % 16, 0u);
        EXPECT_EQ(layout.execfn + sizeof("/bin/prog") + 8, inputs.stack_top);
        EXPECT_EQ(layout.strings, layout.execfn - sizeof("K=V") - sizeof("a") - sizeof("prog"));
        EXPECT_EQ(layout.platform + 7, (layout.strings - shuffle) & ~15ULL);
        EXPECT_EQ(layout.random + 16, layout.platform);
        // argc, argv[2]+NULL, envp[1]+NULL, auxv (n + AT_NULL) pairs fit below the random bytes.
        uint64_t words = 1 + 3 + 2 + 2 * (n + 1);
        EXPECT_LE(layout.stack_pointer + words * 8, layout.random);
        EXPECT_GT(layout.stack_pointer + words * 8 + 16, layout.random);
    }
}

}  // namespace

namespace {

// Random argument lists (empty strings, long strings, many strings) and
// random gaps: whatever is built reads back through its own pointers, the
// stack pointer is aligned, and everything lies inside the stack region.
TEST(InitialStack, FuzzedArgumentsReadBackThroughTheirPointers) {
    std::mt19937_64 random(5);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::string> storage;
        size_t argc = random() % 40, envc = random() % 40;
        for (size_t i = 0; i < argc + envc + 1; ++i) {
            size_t length = random() % 5 == 0 ? random() % 5000 : random() % 12;
            std::string s(length, char('a' + random() % 26));
            storage.push_back(s);
        }
        std::vector<lib::StringView> argv, envp;
        for (size_t i = 0; i < argc; ++i) argv.push_back(lib::StringView(storage[i].data(), storage[i].size()));
        for (size_t i = 0; i < envc; ++i)
            envp.push_back(lib::StringView(storage[argc + i].data(), storage[argc + i].size()));
        const std::string& filename = storage.back();
        proc::ExecArguments arguments;
        ASSERT_TRUE(arguments.init(lib::StringView(filename.data(), filename.size()),
                                   lib::Span<const lib::StringView>(argv.data(), argv.size()),
                                   lib::Span<const lib::StringView>(envp.data(), envp.size()), 8 << 20));
        proc::StackInputs inputs;
        inputs.arguments = &arguments;
        inputs.stack_top = 0x7ff000000000 - (random() % 1000) * 4096;
        inputs.shuffle = random() % 8192;
        for (auto& b : inputs.random_bytes) b = uint8_t(random());
        AuxEntry auxv[proc::kMaxAuxEntries];
        proc::AuxValues values;
        values.entry = random();
        size_t n = proc::linux_auxv(values, auxv);
        inputs.auxv = lib::Span<AuxEntry>(auxv, n);

        vm::testing::Space space;
        ASSERT_TRUE(space->map_stack(inputs.stack_top, proc::initial_stack_size(inputs, 8 << 20), false));
        auto layout = proc::write_stack(*space.space, inputs);
        ASSERT_TRUE(layout);
        ASSERT_EQ(layout->stack_pointer % 16, 0u);
        auto word = [&](uint64_t at) {
            uint64_t value = 0;
            EXPECT_TRUE(space->read_memory(at, &value, 8));
            return value;
        };
        auto string_at = [&](uint64_t at) {
            std::string s;
            for (char c = 1; c;) {
                EXPECT_TRUE(space->read_memory(at++, &c, 1));
                if (c) s += c;
            }
            return s;
        };
        uint64_t sp = layout->stack_pointer;
        ASSERT_EQ(word(sp), arguments.argc());
        for (size_t i = 0; i < arguments.argc(); ++i)
            ASSERT_EQ(string_at(word(sp + 8 + 8 * i)), std::string(arguments.arg(i).data(), arguments.arg(i).size()));
        uint64_t envp_at = sp + 8 * (2 + arguments.argc());
        ASSERT_EQ(word(envp_at - 8), 0u);
        for (size_t i = 0; i < envc; ++i) ASSERT_EQ(string_at(word(envp_at + 8 * i)), storage[argc + i]);
        uint64_t auxv_at = envp_at + 8 * (envc + 1);
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(word(auxv_at + 16 * i), auxv[i].type);
        ASSERT_EQ(word(auxv_at + 16 * n), uapi::kAtNull);
        ASSERT_EQ(string_at(layout->execfn), filename);
        ASSERT_EQ(string_at(layout->platform), "x86_64");
        uint8_t bytes[16];
        ASSERT_TRUE(space->read_memory(layout->random, bytes, 16));
        ASSERT_EQ(std::memcmp(bytes, inputs.random_bytes, 16), 0);
        ASSERT_LE(auxv_at + 16 * (n + 1), layout->random);
    }
}

}  // namespace
