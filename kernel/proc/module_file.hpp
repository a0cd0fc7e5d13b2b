// Programs from Limine modules, until the VFS (issue 13) gives files: a
// module as a file exec can read and map (its pages are copied into
// frames on first use and kept, as a page cache would), and the set of
// modules as the "file system" exec opens interpreters in (a module whose
// path is the one asked for).
#pragma once

#include "kernel/boot/boot_info.hpp"
#include "kernel/proc/exec_file.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/vm/backing.hpp"

namespace proc {

class ModuleFile final : public ExecFile, public vm::Backing {
public:
    explicit ModuleFile(const boot::Module& module);
    ~ModuleFile();
    ModuleFile(const ModuleFile&) = delete;
    ModuleFile& operator=(const ModuleFile&) = delete;

    lib::Expected<size_t> read(uint64_t offset, void* buffer, size_t size) override;
    vm::FileMapping mapping() override;
    lib::Expected<uint64_t> acquire_page(uint64_t index, bool for_write) override;
    void ref() override;
    void unref() override;

    const boot::Module& module() const { return module_; }
    int references() const { return __atomic_load_n(&references_, __ATOMIC_RELAXED); }

private:
    const boot::Module& module_;
    uint64_t pages_ = 0;
    uint64_t* cache_ = nullptr;  // a frame per page, 0 until first used
    ksync::Spinlock lock_;
    int references_ = 0;
};

// The module whose path is `path` exactly, or nullptr.
const boot::Module* find_module(lib::StringView path);

// The ModuleFile of a module: one per module, made on first use and kept
// (a module never goes away).
ModuleFile* module_file(const boot::Module& module);

// Opens modules by path: ENOENT for any other path.
class ModuleFiles final : public ExecFiles {
public:
    lib::Expected<ExecFile*> open(lib::StringView path) override;
    void close(ExecFile* file) override;
};

}  // namespace proc
