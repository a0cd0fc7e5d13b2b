// ELF mapping (see elf_loader.hpp); comments name the Linux steps.
#include "kernel/proc/elf_loader.hpp"

#include "kernel/abi/linux_mm.hpp"
#include "kernel/vm/errors.hpp"

namespace proc {
namespace {

using lib::Errno;
constexpr uint64_t kPage = 4096;
constexpr uint64_t page_start(uint64_t value) {
    return value & ~(kPage - 1);
}
constexpr uint64_t page_offset(uint64_t value) {
    return value & (kPage - 1);
}
constexpr uint64_t page_align(uint64_t value) {
    return (value + kPage - 1) & ~(kPage - 1);
}
constexpr bool bad_address(uint64_t value) {
    return value >= uapi::kTaskSize;
}

uint64_t prot_of(uint32_t flags) {
    uint64_t prot = 0;
    if (flags & uapi::kPfR) prot |= uapi::kProtRead;
    if (flags & uapi::kPfW) prot |= uapi::kProtWrite;
    if (flags & uapi::kPfX) prot |= uapi::kProtExec;
    return prot;
}

// elf_map: the segment's file pages at `address`. A first ET_DYN segment
// maps the whole image (`total`) so it lands where all of it fits, then
// gives back what lies past its own pages.
lib::Expected<uint64_t> map_segment(vm::AddressSpace& space, ExecFile& file, uint64_t address,
                                    const uapi::Elf64ProgramHeader& ph, uint64_t prot, uint64_t flags, uint64_t total) {
    uint64_t size = page_align(ph.filesz + page_offset(ph.vaddr));
    uint64_t offset = ph.offset - page_offset(ph.vaddr);
    address = page_start(address);
    if (!size) return address;  // a segment of BSS only: nothing from the file
    // vm_mmap's own checks on the offset.
    uint64_t length = total ? page_align(total) : size;
    if (offset + length < offset || page_offset(offset))
        return vm::error(Errno::kEINVAL, "segment offset not congruent with its address");
    vm::FileMapping mapping = file.mapping();
    uint64_t at = TRY(space.mmap(address, length, prot, flags, &mapping, offset));
    if (total && length > size) (void)space.munmap(at + size, length - size);
    return at;
}

// set_brk: anonymous memory from the end of the file bytes to the end of
// the segment (whole pages), executable if the segment is.
lib::Expected<void> map_bss(vm::AddressSpace& space, uint64_t start, uint64_t end, uint64_t prot) {
    start = page_align(start);
    end = page_align(end);
    if (end > start) TRY(space.map_zero(start, end - start, prot & uapi::kProtExec));
    return {};
}

// padzero: the rest of the last file page is BSS too; zero it as the
// program would (no writing through a read-only mapping).
lib::Expected<void> zero_page_tail(vm::AddressSpace& space, uint64_t address) {
    uint64_t in_page = page_offset(address);
    if (in_page && !space.zero_memory(address, kPage - in_page))
        return vm::error(Errno::kEFAULT, "cannot zero the BSS part of the last file page");
    return {};
}

}  // namespace

lib::Expected<LoadedProgram> load_program(vm::AddressSpace& space, ExecFile& file, const ElfProgram& program,
                                          bool has_interpreter, const vm::LayoutChoice& layout) {
    const uapi::Elf64Header& header = program.header;
    LoadedProgram loaded;
    uint64_t load_bias = 0, phdr = 0;
    uint64_t bss = 0, brk = 0, bss_prot = 0;
    uint64_t start_code = ~0ULL, end_code = 0, start_data = 0, end_data = 0;
    bool first = true;
    for (size_t i = 0; i < program.phnum; ++i) {
        const uapi::Elf64ProgramHeader& ph = program.phdrs[i];
        if (ph.type != uapi::kPtLoad) continue;
        if (brk > bss) {
            // The segment before had BSS: map it now, before the next segment.
            TRY(map_bss(space, bss + load_bias, brk + load_bias, bss_prot));
            uint64_t tail = page_offset(bss);
            if (tail) {
                tail = kPage - tail;
                if (tail > brk - bss) tail = brk - bss;
                (void)space.zero_memory(bss + load_bias, tail);  // may fail on odd rights; Linux ignores it too
            }
        }
        uint64_t prot = prot_of(ph.flags);
        uint64_t flags = uapi::kMapPrivate;
        uint64_t total = 0;
        if (!first) {
            flags |= uapi::kMapFixed;
        } else if (header.type == uapi::kEtExec) {
            flags |= uapi::kMapFixedNoReplace;
        } else {
            // ET_DYN: a program with an interpreter goes to the PIE base, a
            // loader (no interpreter) wherever mmap puts it.
            if (has_interpreter) {
                load_bias = vm::choose_dyn_base(layout);
                uint64_t alignment = maximum_alignment(program);
                if (alignment) load_bias &= ~(alignment - 1);
                flags |= uapi::kMapFixedNoReplace;
            } else {
                load_bias = 0;
            }
            load_bias = page_start(load_bias - ph.vaddr);
            total = total_mapping_size(program);
            if (!total) return vm::error(Errno::kEINVAL, "ELF image of no size");
        }
        auto mapped = map_segment(space, file, load_bias + ph.vaddr, ph, prot, flags, total);
        if (!mapped) return mapped.error();
        if (bad_address(*mapped)) return vm::error(Errno::kEINVAL, "segment outside user space");
        if (first) {
            first = false;
            if (header.type == uapi::kEtDyn) load_bias += *mapped - page_start(load_bias + ph.vaddr);
        }
        // The segment holding the program headers tells where they are in memory.
        if (ph.offset <= header.phoff && header.phoff < ph.offset + ph.filesz)
            phdr = header.phoff - ph.offset + ph.vaddr;
        uint64_t k = ph.vaddr;
        if ((ph.flags & uapi::kPfX) && k < start_code) start_code = k;
        if (start_data < k) start_data = k;
        // Segments that can never fit (or whose file part is larger than
        // the memory part) are EINVAL.
        if (bad_address(k) || ph.filesz > ph.memsz || ph.memsz > uapi::kTaskSize || uapi::kTaskSize - ph.memsz < k)
            return vm::error(Errno::kEINVAL, "ELF segment does not fit in user space");
        k = ph.vaddr + ph.filesz;
        if (k > bss) bss = k;
        if ((ph.flags & uapi::kPfX) && end_code < k) end_code = k;
        if (end_data < k) end_data = k;
        k = ph.vaddr + ph.memsz;
        if (k > brk) {
            bss_prot = prot;
            brk = k;
        }
    }
    loaded.load_bias = load_bias;
    loaded.entry = header.entry + load_bias;
    loaded.phdr = phdr + load_bias;
    bss += load_bias;
    brk += load_bias;
    loaded.start_code = start_code + load_bias;
    loaded.end_code = end_code + load_bias;
    loaded.start_data = start_data + load_bias;
    loaded.end_data = end_data + load_bias;
    // The last BSS, mapped before the interpreter so it cannot land there.
    TRY(map_bss(space, bss, brk, bss_prot));
    loaded.brk = page_align(brk);
    if (bss != brk) TRY(zero_page_tail(space, bss));
    return loaded;
}

lib::Expected<uint64_t> load_interpreter(vm::AddressSpace& space, ExecFile& file, const ElfProgram& interpreter,
                                         uint64_t program_bias) {
    const uapi::Elf64Header& header = interpreter.header;
    // Linux's load_elf_interp returns ~0 here, which execve reports as -1 (EPERM).
    if (header.type != uapi::kEtExec && header.type != uapi::kEtDyn)
        return vm::error(Errno::kEPERM, "ELF interpreter is neither an executable nor a shared object");
    uint64_t total = total_mapping_size(interpreter);
    if (!total) return vm::error(Errno::kEINVAL, "ELF interpreter of no size");
    uint64_t load_address = 0, bss = 0, last = 0, bss_prot = 0;
    bool placed = false;
    for (size_t i = 0; i < interpreter.phnum; ++i) {
        const uapi::Elf64ProgramHeader& ph = interpreter.phdrs[i];
        if (ph.type != uapi::kPtLoad) continue;
        uint64_t prot = prot_of(ph.flags);
        uint64_t flags = uapi::kMapPrivate;
        if (header.type == uapi::kEtExec || placed)
            flags |= uapi::kMapFixed;
        else if (program_bias && header.type == uapi::kEtDyn)
            load_address = -ph.vaddr;
        auto mapped = map_segment(space, file, load_address + ph.vaddr, ph, prot, flags, total);
        total = 0;
        if (!mapped) return mapped.error();
        if (bad_address(*mapped)) return vm::error(Errno::kEINVAL, "interpreter segment outside user space");
        if (!placed && header.type == uapi::kEtDyn) {
            load_address = *mapped - page_start(ph.vaddr);
            placed = true;
        }
        uint64_t k = load_address + ph.vaddr;
        if (bad_address(k) || ph.filesz > ph.memsz || ph.memsz > uapi::kTaskSize || uapi::kTaskSize - ph.memsz < k)
            return vm::error(Errno::kENOMEM, "interpreter segment does not fit in user space");
        k = load_address + ph.vaddr + ph.filesz;
        if (k > bss) bss = k;
        k = load_address + ph.vaddr + ph.memsz;
        if (k > last) {
            last = k;
            bss_prot = prot;
        }
    }
    TRY(zero_page_tail(space, bss));
    bss = page_align(bss);
    last = page_align(last);
    if (last > bss) TRY(space.map_zero(bss, last - bss, bss_prot & uapi::kProtExec));
    return load_address;
}

}  // namespace proc
