// An ELF64 program as execve(2) reads it, before anything is mapped: the
// file header (from the first bytes exec read), the program headers, and
// the facts exec needs from them (PT_INTERP, PT_GNU_STACK, PT_TLS). The
// checks and their errno follow Linux 6.1's fs/binfmt_elf.c
// (load_elf_binary, load_elf_phdrs): anything that is not an x86_64
// executable or shared object, or whose program headers are not 56 bytes
// each, 1..73 of them (at most one page), all inside the file, is ENOEXEC.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_exec.hpp"
#include "kernel/proc/exec_file.hpp"
#include "lib/expected.hpp"

namespace proc {

inline constexpr size_t kMaxProgramHeaders = 4096 / sizeof(uapi::Elf64ProgramHeader);  // 73

struct ElfProgram {
    uapi::Elf64Header header{};
    uapi::Elf64ProgramHeader phdrs[kMaxProgramHeaders]{};
    size_t phnum = 0;

    const uapi::Elf64ProgramHeader* find(uint32_t type) const;
    // PT_GNU_STACK: 1 executable, 0 not, -1 absent (the x86_64 default: not).
    int executable_stack() const;
};

// True if `head` (the first bytes of a file) starts with the ELF magic.
bool is_elf(const uint8_t* head, size_t length);

// Checks the header in `head` (the first bytes of the file, zero-padded)
// and reads the program headers from `file`. For a program every failure
// is ENOEXEC; for an interpreter (`interpreter` set) a wrong magic, machine
// or program header table is ELIBBAD, and its type is left to
// load_interpreter (as Linux checks it only there).
lib::Expected<void> read_elf(ExecFile& file, const uint8_t* head, size_t length, ElfProgram& program,
                             bool interpreter = false);

// The page-rounded span of the PT_LOAD segments (total_mapping_size): 0
// when there is none.
uint64_t total_mapping_size(const ElfProgram& program);
// The largest power-of-two p_align of the PT_LOAD segments, at least a page.
uint64_t maximum_alignment(const ElfProgram& program);

}  // namespace proc
