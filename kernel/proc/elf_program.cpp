// Reading and checking an ELF64 program (see elf_program.hpp).
#include "kernel/proc/elf_program.hpp"

#include "kernel/vm/errors.hpp"
#include "lib/utility.hpp"

namespace proc {
namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t page_start(uint64_t value) {
    return value & ~(kPage - 1);
}
}  // namespace

const uapi::Elf64ProgramHeader* ElfProgram::find(uint32_t type) const {
    for (size_t i = 0; i < phnum; ++i)
        if (phdrs[i].type == type) return &phdrs[i];
    return nullptr;
}

int ElfProgram::executable_stack() const {
    int result = -1;
    for (size_t i = 0; i < phnum; ++i)
        if (phdrs[i].type == uapi::kPtGnuStack) result = (phdrs[i].flags & uapi::kPfX) ? 1 : 0;
    return result;
}

bool is_elf(const uint8_t* head, size_t length) {
    if (length < 4) return false;
    for (size_t i = 0; i < 4; ++i)
        if (head[i] != uapi::kElfMagic[i]) return false;
    return true;
}

lib::Expected<void> read_elf(ExecFile& file, const uint8_t* head, size_t length, ElfProgram& program,
                             bool interpreter) {
    using lib::Errno;
    Errno bad = interpreter ? Errno::kELIBBAD : Errno::kENOEXEC;
    if (!is_elf(head, length)) return vm::error(bad, "no ELF magic");
    __builtin_memset(&program.header, 0, sizeof program.header);
    __builtin_memcpy(&program.header, head, lib::min(length, sizeof program.header));
    const uapi::Elf64Header& header = program.header;
    if (!interpreter && header.type != uapi::kEtExec && header.type != uapi::kEtDyn)
        return vm::error(Errno::kENOEXEC, "ELF file is neither an executable nor a shared object");
    if (header.machine != uapi::kEmX86_64) return vm::error(bad, "ELF file is not for x86_64");
    // Linux's native loader reads any class as ELF64 and then fails on the
    // header sizes; saying so directly gives the same errno.
    if (header.ident[uapi::kEiClass] != uapi::kElfClass64 || header.ident[uapi::kEiData] != uapi::kElfData2Lsb)
        return vm::error(bad, "ELF file is not 64-bit little-endian");
    if (!interpreter && !file.mapping().backing) return vm::error(Errno::kENOEXEC, "the file cannot be mapped");
    if (header.phentsize != sizeof(uapi::Elf64ProgramHeader))
        return vm::error(bad, "ELF program header size is not 56");
    uint64_t size = uint64_t(header.phnum) * sizeof(uapi::Elf64ProgramHeader);
    if (size == 0 || size > kPage) return vm::error(bad, "no program headers, or more than a page of them");
    program.phnum = header.phnum;
    auto got = file.read(header.phoff, program.phdrs, size);
    if (!got || *got != size) return vm::error(bad, "program headers past the end of the file");
    return {};
}

uint64_t total_mapping_size(const ElfProgram& program) {
    uint64_t low = ~0ULL, high = 0;
    bool any = false;
    for (size_t i = 0; i < program.phnum; ++i) {
        const auto& ph = program.phdrs[i];
        if (ph.type != uapi::kPtLoad) continue;
        low = lib::min(low, page_start(ph.vaddr));
        high = lib::max(high, ph.vaddr + ph.memsz);
        any = true;
    }
    return any ? high - low : 0;
}

uint64_t maximum_alignment(const ElfProgram& program) {
    uint64_t alignment = 0;
    for (size_t i = 0; i < program.phnum; ++i) {
        const auto& ph = program.phdrs[i];
        if (ph.type != uapi::kPtLoad || !lib::is_power_of_two(ph.align)) continue;
        alignment = lib::max(alignment, ph.align);
    }
    return (alignment + kPage - 1) & ~(kPage - 1);
}

}  // namespace proc
