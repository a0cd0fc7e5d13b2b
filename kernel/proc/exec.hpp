// execve(2)'s work on memory: from an opened program file and the argument
// strings to a new address space holding the program (and its ELF
// interpreter), its stack as Linux builds it, and the registers to start
// it with. #! scripts are followed to their interpreter (at most five
// deep: ELOOP). The caller's address space is not touched: on failure the
// new one is discarded, so the caller decides what the failure means.
// Linux kills the process (SIGSEGV) for failures after its point of no
// return (the old memory is gone there); `Failure::fatal` says which
// failures those are.
//
//   proc::ExecParameters params{...};
//   auto image = proc::exec(*program_file, params);
//   if (image) { switch to image->space; start at image->entry with RSP = image->stack_pointer, RDX = 0 }
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/exec_file.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/layout.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace proc {

struct ExecCredentials {
    uint64_t uid = 0, euid = 0, gid = 0, egid = 0;
    bool secure = false;  // AT_SECURE (set-user-ID and the like)
};

struct ExecParameters {
    lib::StringView filename;  // as execve got it: AT_EXECFN, and a script's argv
    lib::Span<const lib::StringView> argv;
    lib::Span<const lib::StringView> envp;
    ExecFiles* files = nullptr;  // opens interpreters
    vm::Services services;
    vm::Limits limits;                   // the process's RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK
    bool randomize = true;               // ASLR: off with aslr=off or personality(ADDR_NO_RANDOMIZE)
    vm::RandomSource* random = nullptr;  // also fills AT_RANDOM
    bool may_map_low = false;            // CAP_SYS_RAWIO: below vm.mmap_min_addr
    bool path_inaccessible = false;      // execveat of a close-on-exec descriptor: a script is ENOENT
    ExecCredentials credentials;
    uint64_t hwcap = 0;        // AT_HWCAP: CPUID.01H:EDX
    uint64_t hwcap2 = 0;       // AT_HWCAP2 (bit 1: FSGSBASE usable)
    uint64_t minsigstksz = 0;  // AT_MINSIGSTKSZ: the signal frame size
    // Maps the vDSO and returns its address (AT_SYSINFO_EHDR); none if unset.
    lib::Expected<uint64_t> (*map_vdso)(vm::AddressSpace& space, void* context) = nullptr;
    void* vdso_context = nullptr;
};

struct ExecImage {
    vm::AddressSpace* space = nullptr;
    uint64_t entry = 0;             // RIP: the interpreter's entry, or the program's
    uint64_t stack_pointer = 0;     // RSP: argc
    uint64_t program_entry = 0;     // AT_ENTRY
    uint64_t interpreter_base = 0;  // AT_BASE (0: none)
    bool executable_stack = false;
    // Set when #! scripts led to another file: the name the binary finally
    // loaded was opened by, which /proc/self/exe names, as Linux's
    // bprm->file (programs such as busybox re-execute /proc/self/exe and
    // must get the interpreter, not the script).
    bool interpreted = false;
    char binary_name[256] = {};
};

struct ExecFailure {
    bool fatal = false;  // past Linux's point of no return: the process gets SIGSEGV
};

lib::Expected<ExecImage> exec(ExecFile& program, const ExecParameters& parameters, ExecFailure* failure = nullptr);

}  // namespace proc
