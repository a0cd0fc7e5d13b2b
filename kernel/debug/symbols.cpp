// Kernel symbol lookup over the loader-provided ELF file; see symbols.hpp.
#include "kernel/debug/symbols.hpp"

#include "kernel/boot/boot_info.hpp"
#include "lib/elf_symbols.hpp"
#include "lib/format.hpp"

extern "C" const char __text_start[];
extern "C" const char __text_end[];

namespace debug {
namespace {

lib::Expected<lib::ElfSymbols> kernel_symbols() {
    const boot::BootInfo& info = boot::info();
    if (info.kernel_file == nullptr || info.kernel_file_size == 0)
        return lib::Error::make(lib::ErrorCode::kNotFound, "the loader gave no kernel file");
    return lib::ElfSymbols::parse(lib::Bytes(info.kernel_file, size_t(info.kernel_file_size)));
}

}  // namespace

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
