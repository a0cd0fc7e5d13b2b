// tmpfs: files in memory (Linux's shmem/tmpfs behaviour, as seen through
// the system calls). Directories are their dentries; a regular file's data
// is its page cache (pages of the vm::FrameSource, indexed by a
// vm::PageIndex), which is also the vm::Backing its mappings map, so
// read/write and mmap see the same bytes. Holes read as zeros; a truncate
// zeroes the rest of its last page and takes dropped pages out of every
// mapping (vm's reverse map). The root file system, devtmpfs (/dev) and
// memfd files are tmpfs instances.
#pragma once

#include <stdint.h>

#include "kernel/fs/node.hpp"
#include "kernel/vm/frames.hpp"
#include "lib/expected.hpp"

namespace fs {

class Tmpfs final : public FileSystem {
public:
    // A new instance whose root directory has `root_mode` permissions.
    static lib::Expected<Tmpfs*> make(vm::FrameSource& frames, const char* type_name, uint32_t root_mode);
    lib::Expected<Inode*> make_inode(uint32_t mode, uint64_t rdev, lib::StringView target,
                                     const Credentials& owner) override;
    vm::FrameSource& frames() const { return frames_; }
    // Pages held by this instance's files (st_blocks, statfs, tests).
    uint64_t pages() const { return __atomic_load_n(&pages_, __ATOMIC_RELAXED); }
    void count_pages(int64_t delta) { __atomic_add_fetch(&pages_, uint64_t(delta), __ATOMIC_RELAXED); }

    uapi::Statfs statfs() override;

private:
    // devpts (docs/tty.md "Pseudo-terminals") is a tmpfs of device nodes
    // that says what it is: statfs's type is DEVPTS_SUPER_MAGIC, as on
    // Linux, so `stat -f` and df tell it from a tmpfs.
    Tmpfs(vm::FrameSource& frames, const char* type_name)
        : FileSystem(type_name, lib::StringView(type_name) == "devpts" ? uapi::kDEVPTS_SUPER_MAGIC : uapi::kTMPFS_MAGIC),
          frames_(frames) {}
    template <typename T, typename... Args>
    friend T* make(Args&&... args);

    vm::FrameSource& frames_;
    uint64_t pages_ = 0;
};

// The largest tmpfs file: what the page index can hold (2^36 pages); Linux
// allows MAX_LFS_FILESIZE, which no test here comes near.
inline constexpr uint64_t kTmpfsMaxFileSize = (1ULL << 36) * 4096;

}  // namespace fs
