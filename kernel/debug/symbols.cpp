// Kernel symbol lookup; see symbols.hpp.
#include "kernel/debug/symbols.hpp"

#include "kernel/boot/boot_info.hpp"
#include "lib/elf_symbols.hpp"
#include "lib/format.hpp"
#include "lib/memory.hpp"

extern "C" const char __text_start[];
extern "C" const char __text_end[];

namespace debug {
namespace {

// The kernel's own copies of .symtab and .strtab (heap), once made.
lib::ElfSymbols g_kept;
bool g_have_kept = false;

lib::Expected<lib::ElfSymbols> kernel_symbols() {
    if (g_have_kept) return g_kept;
    const boot::BootInfo& info = boot::info();
    if (info.kernel_file == nullptr || info.kernel_file_size == 0)
        return lib::Error::make(lib::ErrorCode::kENOENT, "the loader gave no kernel file");
    return lib::ElfSymbols::parse(lib::Bytes(info.kernel_file, size_t(info.kernel_file_size)));
}

const uint8_t* copy_with(void* (*allocate)(size_t), lib::Bytes bytes) {
    auto* copy = static_cast<uint8_t*>(allocate(bytes.size()));
    if (copy) lib::copy_bytes(copy, bytes.data(), bytes.size());
    return copy;
}

}  // namespace

lib::Expected<void> keep_kernel_symbols(void* (*allocate)(size_t bytes)) {
    if (g_have_kept) return {};
    auto from_file = TRY(kernel_symbols());
    const uint8_t* symbols = copy_with(allocate, from_file.symbol_table());
    const uint8_t* strings = symbols ? copy_with(allocate, from_file.string_table()) : nullptr;
    // A failed copy leaves what was allocated unused: this runs once, at boot.
    if (!symbols || !strings)
        return lib::Error::make(lib::ErrorCode::kENOMEM, "no memory for the kernel's symbol tables");
    g_kept =
        TRY(lib::ElfSymbols::from_tables(lib::Bytes(symbols, from_file.symbol_table().size()), from_file.entry_size(),
                                         lib::Bytes(strings, from_file.string_table().size())));
    g_have_kept = true;
    return {};
}

KeptSymbolTables kept_symbol_tables() {
    if (!g_have_kept) return {};
    return KeptSymbolTables{g_kept.symbol_table(), g_kept.string_table()};
}

bool symbolize(uint64_t address, SymbolName& out) {
    auto symbols = kernel_symbols();
    if (!symbols.has_value()) return false;
    auto match = symbols->lookup(address);
    if (!match.has_value()) return false;
    lib::readable_symbol_name(match->name, out.name, sizeof out.name);
    out.offset = match->offset;
    return true;
}

uint64_t symbol_address(lib::StringView name) {
    auto symbols = kernel_symbols();
    if (!symbols.has_value()) return 0;
    auto address = symbols->address_of(name);
    return address.has_value() ? address.value() : 0;
}

size_t describe_code_address(uint64_t address, char* out, size_t size) {
    if (size == 0) return 0;
    SymbolName symbol;
    if (!symbolize(address, symbol)) {
        out[0] = '\0';
        return 0;
    }
    size_t length = lib::format(out, size, "{}+{:#x}", static_cast<const char*>(symbol.name), symbol.offset);
    return length < size ? length : size - 1;
}

bool is_kernel_text(uint64_t address) {
    return address >= reinterpret_cast<uint64_t>(__text_start) && address < reinterpret_cast<uint64_t>(__text_end);
}

}  // namespace debug
