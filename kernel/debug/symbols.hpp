// Names for kernel code addresses, read from the kernel's own ELF file that
// the loader handed over (boot::info().kernel_file) and, once
// keep_kernel_symbols() has run, from the kernel's own copies of its symbol
// and string tables. Safe to call from a panic: lookups allocate nothing and
// the tables are read through the hardened lib::ElfSymbols.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace debug {

struct SymbolName {
    char name[128];   // readable (demangled where simple), NUL-terminated
    uint64_t offset;  // address - start of the symbol
};

// Copies .symtab and .strtab out of the loader's copy of the kernel file into
// memory from `allocate` (the kernel heap: kept for good). Limine keeps that
// file in BOOTLOADER_RECLAIMABLE memory (the protocol promises nothing else),
// so this must run before mm::release_bootloader_memory(); from then on only
// the copies are read. Fails if the file has no symbol table or `allocate`
// returns null.
lib::Expected<void> keep_kernel_symbols(void* (*allocate)(size_t bytes));

// The copies (empty spans before keep_kernel_symbols()), for the tests that
// check nothing the kernel still reads lies in released memory.
struct KeptSymbolTables {
    lib::Bytes symbols;
    lib::Bytes strings;
};
KeptSymbolTables kept_symbol_tables();

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
