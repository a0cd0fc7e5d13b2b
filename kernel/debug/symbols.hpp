// Names for kernel code addresses, read from the kernel's own ELF file that
// the loader handed over (boot::info().kernel_file). Safe to call from a
// panic: the file is parsed by the hardened lib::ElfSymbols on every call and
// nothing is allocated or cached.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/string_view.hpp"

namespace debug {

struct SymbolName {
    char name[128];   // readable (demangled where simple), NUL-terminated
    uint64_t offset;  // address - start of the symbol
};

// Fills `out` and returns true if the address lies in a known function.
bool symbolize(uint64_t address, SymbolName& out);

// The start address of the kernel symbol with this (mangled) name, or 0.
uint64_t symbol_address(lib::StringView name);

// "name+0xoffset" for `address` into `out` (NUL-terminated; "" when no
// function holds it); returns the length. The form arch's fault reports take
// (arch::set_code_address_describer).
size_t describe_code_address(uint64_t address, char* out, size_t size);

// Whether `address` lies in the kernel's code (.text, from kernel/linker.ld).
bool is_kernel_text(uint64_t address);

}  // namespace debug
