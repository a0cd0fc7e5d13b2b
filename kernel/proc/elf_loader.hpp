// Mapping an ELF64 program and its interpreter into a new address space,
// as Linux 6.1's load_elf_binary and load_elf_interp do (fs/binfmt_elf.c):
//   - each PT_LOAD is a private file mapping with the segment's rights
//     (PF_R/W/X → PROT_READ/WRITE/EXEC); ET_EXEC at its addresses (the
//     first with MAP_FIXED_NOREPLACE), ET_DYN as one block placed first
//     (an interpreter's programs at the randomised PIE base, a program
//     without interpreter - a static PIE or ld.so run directly - wherever
//     mmap puts it, below the mmap base), then each segment in it;
//   - the memory past a segment's file bytes (BSS) is anonymous
//     zero-filled memory, and the rest of its last file page is zeroed;
//   - the heap starts at the page after the program's last byte.
// The errno of each failure is Linux's (EINVAL for segments that cannot
// fit, mmap's own errors, EFAULT when the BSS tail cannot be zeroed).
#pragma once

#include <stdint.h>

#include "kernel/proc/elf_program.hpp"
#include "kernel/proc/exec_file.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/layout.hpp"
#include "lib/expected.hpp"

namespace proc {

struct LoadedProgram {
    uint64_t load_bias = 0;  // added to every p_vaddr (0 for ET_EXEC)
    uint64_t entry = 0;      // e_entry + load_bias
    uint64_t phdr = 0;       // AT_PHDR: where the program headers are in memory
    uint64_t start_code = 0, end_code = 0, start_data = 0, end_data = 0;
    uint64_t brk = 0;  // page after the last byte (the heap starts here before randomising)
};

lib::Expected<LoadedProgram> load_program(vm::AddressSpace& space, ExecFile& file, const ElfProgram& program,
                                          bool has_interpreter, const vm::LayoutChoice& layout);

// The interpreter's load address (AT_BASE); `program_bias` is the main
// program's load bias (Linux's no_base).
lib::Expected<uint64_t> load_interpreter(vm::AddressSpace& space, ExecFile& file, const ElfProgram& interpreter,
                                         uint64_t program_bias);

}  // namespace proc
