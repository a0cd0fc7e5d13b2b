// Host-only test support for exec: ELF files made in memory, files exec
// can read and map (over vm::testing's fake page cache), and a directory
// of them for interpreters; a seeded random source.
#pragma once

#if !defined(HOST_TEST)
#error "kernel/proc/exec_testing.hpp is for host tests only"
#endif

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernel/abi/linux_exec.hpp"
#include "kernel/proc/exec.hpp"
#include "kernel/vm/errors.hpp"
#include "kernel/vm/layout.hpp"
#include "kernel/vm/testing.hpp"

namespace proc::testing {

struct Segment {
    uint32_t type = uapi::kPtLoad;
    uint32_t flags = uapi::kPfR;
    uint64_t offset = 0, vaddr = 0, filesz = 0, memsz = 0, align = 0x1000;
};

// An ELF64 x86_64 file: header, program headers right after it, then
// whatever the segments' bytes are (the caller fills `bytes`).
struct ElfFile {
    uapi::Elf64Header header{};
    std::vector<Segment> segments;
    std::vector<uint8_t> bytes;  // the whole file; header and phdrs are written over its start

    explicit ElfFile(uint16_t type = uapi::kEtExec, size_t size = 0x3000) : bytes(size, 0) {
        std::memcpy(header.ident, uapi::kElfMagic, 4);
        header.ident[uapi::kEiClass] = uapi::kElfClass64;
        header.ident[uapi::kEiData] = uapi::kElfData2Lsb;
        header.ident[uapi::kEiVersion] = uapi::kEvCurrent;
        header.type = type;
        header.machine = uapi::kEmX86_64;
        header.version = 1;
        header.phoff = sizeof(uapi::Elf64Header);
        header.ehsize = sizeof(uapi::Elf64Header);
        header.phentsize = sizeof(uapi::Elf64ProgramHeader);
    }
    std::vector<uint8_t> build() const {
        std::vector<uint8_t> out = bytes;
        uapi::Elf64Header h = header;
        if (h.phnum == 0) h.phnum = uint16_t(segments.size());
        size_t need = h.phoff + segments.size() * sizeof(uapi::Elf64ProgramHeader);
        if (out.size() < std::max<size_t>(need, sizeof h)) out.resize(std::max<size_t>(need, sizeof h));
        std::memcpy(out.data(), &h, sizeof h);
        for (size_t i = 0; i < segments.size(); ++i) {
            uapi::Elf64ProgramHeader ph{};
            ph.type = segments[i].type;
            ph.flags = segments[i].flags;
            ph.offset = segments[i].offset;
            ph.vaddr = ph.paddr = segments[i].vaddr;
            ph.filesz = segments[i].filesz;
            ph.memsz = segments[i].memsz;
            ph.align = segments[i].align;
            std::memcpy(out.data() + h.phoff + i * sizeof ph, &ph, sizeof ph);
        }
        return out;
    }
};

// A typical static program: text at 0x401000 (r-x), data+BSS at 0x403000 (rw-).
inline ElfFile static_program() {
    ElfFile elf(uapi::kEtExec, 0x3000);
    elf.header.entry = 0x401000;
    elf.segments.push_back({uapi::kPtLoad, uapi::kPfR, 0, 0x400000, 0x1000, 0x1000, 0x1000});
    elf.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0x1000, 0x401000, 0x1000, 0x1000, 0x1000});
    elf.segments.push_back({uapi::kPtLoad, uapi::kPfR | uapi::kPfW, 0x2000, 0x403000, 0x800, 0x3000, 0x1000});
    // Thread-local storage: the kernel only maps it with its segment; the C
    // library finds it through AT_PHDR.
    elf.segments.push_back({uapi::kPtTls, uapi::kPfR, 0x2000, 0x403000, 0x10, 0x40, 8});
    elf.segments.push_back({uapi::kPtGnuStack, uapi::kPfR | uapi::kPfW, 0, 0, 0, 0, 16});
    for (size_t i = 0x1000; i < 0x3000; ++i) elf.bytes[i] = uint8_t(0xc0 + i % 7);
    return elf;
}

class MemoryExecFile final : public ExecFile {
public:
    MemoryExecFile(vm::testing::Space& space, std::vector<uint8_t> bytes)
        : bytes_(bytes), backing_(&space.file(std::move(bytes))) {}
    lib::Expected<size_t> read(uint64_t offset, void* buffer, size_t size) override {
        if (offset >= bytes_.size()) return size_t(0);
        size_t n = std::min<uint64_t>(size, bytes_.size() - offset);
        std::memcpy(buffer, bytes_.data() + offset, n);
        return n;
    }
    vm::FileMapping mapping() override { return vm::FileMapping{backing_, true, false, false, false}; }

private:
    std::vector<uint8_t> bytes_;
    vm::Backing* backing_;
};

class MemoryFiles final : public ExecFiles {
public:
    explicit MemoryFiles(vm::testing::Space& space) : space_(space) {}
    void add(const std::string& path, std::vector<uint8_t> bytes) {
        files_[path] = std::make_unique<MemoryExecFile>(space_, std::move(bytes));
    }
    lib::Expected<ExecFile*> open(lib::StringView path) override {
        auto it = files_.find(std::string(path.data(), path.size()));
        if (it == files_.end()) return vm::error(lib::Errno::kENOENT, "no such file");
        ++open_count;
        return it->second.get();
    }
    void close(ExecFile*) override { --open_count; }
    ExecFile& at(const std::string& path) { return *files_.at(path); }
    int open_count = 0;

private:
    vm::testing::Space& space_;
    std::map<std::string, std::unique_ptr<MemoryExecFile>> files_;
};

struct SeededRandom final : vm::RandomSource {
    explicit SeededRandom(uint64_t seed) : engine(seed) {}
    uint64_t next() override { return engine(); }
    std::mt19937_64 engine;
};

}  // namespace proc::testing
