// The initial stack of a new program, byte for byte as Linux 6.1 builds it
// (fs/exec.c copy_strings, fs/binfmt_elf.c create_elf_tables), from the
// top down:
//
//   stack_top - 8 .. stack_top   8 zero bytes
//   file name (AT_EXECFN), then envp strings, then argv strings (argv[0]
//   lowest), each with its NUL, packed
//   0..8191 bytes of random gap (arch_align_stack), down to 16-byte alignment
//   "x86_64\0" (AT_PLATFORM), unaligned
//   16 random bytes (AT_RANDOM), unaligned
//   [padding to 16 bytes]
//   auxv pairs ending with AT_NULL, envp pointers + NULL, argv pointers + NULL,
//   argc                                  <- the stack pointer (16-byte aligned)
//
// docs/vm.md draws it; exec_stack_test.cpp compares it with what the host's
// Linux gives a real program.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/exec_arguments.hpp"
#include "kernel/vm/address_space.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace proc {

struct AuxEntry {
    uint64_t type;
    uint64_t value;
};

// What the auxiliary vector says (create_elf_tables, ARCH_DLINFO).
struct AuxValues {
    uint64_t sysinfo_ehdr = 0;  // the vDSO; 0: the entry is left out
    uint64_t minsigstksz = 0;
    uint64_t hwcap = 0, hwcap2 = 0;
    uint64_t phdr = 0, phnum = 0;
    uint64_t base = 0;   // the interpreter's load address
    uint64_t entry = 0;  // the program's entry
    uint64_t uid = 0, euid = 0, gid = 0, egid = 0;
    bool secure = false;
};
inline constexpr size_t kMaxAuxEntries = 20;

// Linux 6.1's auxiliary vector for x86_64, in its order, without AT_NULL:
// AT_SYSINFO_EHDR (with a vDSO), AT_MINSIGSTKSZ, AT_HWCAP, AT_PAGESZ,
// AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID,
// AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_HWCAP2, AT_EXECFN,
// AT_PLATFORM. Returns the number of entries written to `out`.
size_t linux_auxv(const AuxValues& values, AuxEntry (&out)[kMaxAuxEntries]);

struct StackInputs {
    const ExecArguments* arguments = nullptr;
    uint64_t stack_top = 0;  // page aligned
    uint64_t shuffle = 0;    // 0..8191: the random gap below the strings
    uint8_t random_bytes[16] = {};
    // In order, without AT_NULL. The values of AT_RANDOM, AT_EXECFN and
    // AT_PLATFORM are set here to where those ended up.
    lib::Span<AuxEntry> auxv;
};

struct StackLayout {
    uint64_t stack_pointer = 0;  // the program's RSP: argc is here
    uint64_t strings = 0;        // lowest byte of the strings (argv[0]); Linux's arg_start
    uint64_t arg_end = 0, env_start = 0, env_end = 0;
    uint64_t execfn = 0, platform = 0, random = 0;
};

// Where everything goes, without writing anything.
StackLayout plan_stack(const StackInputs& inputs);

// How large the stack region starts: the strings' pages plus 128 KiB, but
// no more than RLIMIT_STACK (setup_arg_pages), never less than the strings.
uint64_t initial_stack_size(const StackInputs& inputs, uint64_t stack_limit);

// Writes it all into `space`, whose stack region must already end at
// inputs.stack_top (it grows down as far as the pointers need).
lib::Expected<StackLayout> write_stack(vm::AddressSpace& space, const StackInputs& inputs);

}  // namespace proc
