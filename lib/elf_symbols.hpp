// A symbolizer over the bytes of an ELF64 little-endian file: finds the symbol
// table through the section headers and maps an address to "function+offset".
// The kernel uses it on its own file (boot::info().kernel_file) to name the
// return addresses of a backtrace, so it must never trust the input: every
// offset, size and count is bounds-checked and hostile files yield an error,
// never a fault. Pure logic, tested on the host (lib/elf_symbols_test.cpp).
//
// References: System V ABI, "ELF-64 Object File Format" 1.5, sections
// "ELF Header", "Sections" and "Symbol Table".
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace lib {

struct SymbolMatch {
    StringView name;          // points into the file's .strtab
    uint64_t symbol_address;  // st_value
    uint64_t offset;          // address - symbol_address
};

class ElfSymbols {
public:
    // Checks the ELF header and locates .symtab and its string table.
    static Expected<ElfSymbols> parse(Bytes file);

    // Over a symbol table and its string table held apart from any file
    // (copies the kernel keeps once the loader's copy of the file is gone).
    // `entry_size` is the table's sh_entsize.
    static Expected<ElfSymbols> from_tables(Bytes symbols, uint64_t entry_size, Bytes strings);

    // The function symbol containing `address`: a sized STT_FUNC symbol with
    // value <= address < value + size. If none contains it, the closest
    // preceding zero-sized code symbol (assembly labels without .size) within
    // kMaxUnsizedDistance. kNotFound otherwise.
    Expected<SymbolMatch> lookup(uint64_t address) const;

    // The value of the first defined symbol named `name` (tests, debugging).
    Expected<uint64_t> address_of(StringView name) const;

    size_t symbol_count() const { return symbol_count_; }
    Bytes symbol_table() const { return symbols_; }
    uint64_t entry_size() const { return stride_; }
    Bytes string_table() const { return strings_; }

    static constexpr uint64_t kMaxUnsizedDistance = 0x10000;

    ElfSymbols() = default;

private:
    struct RawSymbol {
        uint32_t name_offset;
        uint8_t type;
        uint16_t section_index;
        uint64_t value;
        uint64_t size;
    };

    Expected<RawSymbol> read_symbol(size_t index) const;
    StringView name_at(uint32_t offset) const;

    Bytes symbols_;        // the .symtab contents
    uint64_t stride_ = 0;  // sh_entsize
    size_t symbol_count_ = 0;
    Bytes strings_;        // the linked string table's contents
};

// Writes a readable form of an Itanium-mangled C++ name into `out` (always
// NUL-terminated when out_size > 0) and returns its length: the qualified
// name without parameter types, e.g. "_ZN5debug12run_selftestEN3lib10StringViewE"
// becomes "debug::run_selftest". Names it does not understand (C names,
// templates, operators) are copied unchanged, truncated to fit.
size_t readable_symbol_name(StringView mangled, char* out, size_t out_size);

}  // namespace lib
