// The object behind a MAP_SHARED|MAP_ANONYMOUS mapping (Linux backs it with
// a deleted shmem file, shown as "/dev/zero (deleted)"): zero-filled pages
// made on first touch, shared by every mapping of it, including those a
// fork copied. Its size is fixed when it is made; pages past it are SIGBUS
// (as after mremap grows such a mapping on Linux). Processes that share it
// fault its pages in at the same time: its own lock guards the page index.
#pragma once

#include <stdint.h>

#include "kernel/sync/spinlock.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/backing.hpp"
#include "kernel/vm/frames.hpp"
#include "kernel/vm/page_index.hpp"
#include "lib/expected.hpp"

namespace vm {

class SharedMemory final : public Backing {
public:
    // Reference count 1 (the caller's).
    static lib::Expected<SharedMemory*> create(FrameSource& frames, uint64_t pages);

    lib::Expected<uint64_t> acquire_page(uint64_t index, bool for_write) override;
    void ref() override { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    void unref() override;
    lib::Expected<void> remove(uint64_t first, uint64_t count) override;
    BackingInfo info() const override;

    uint64_t pages() const { return pages_; }
    uint64_t resident() const { return __atomic_load_n(&resident_, __ATOMIC_RELAXED); }

private:
    SharedMemory(FrameSource& frames, uint64_t pages, uint64_t inode) : frames_(frames), pages_(pages), inode_(inode) {}
    ~SharedMemory();
    template <typename T, typename... Args>
    friend T* create(Args&&... args);
    template <typename T>
    friend void destroy(T*);

    FrameSource& frames_;
    uint64_t pages_;
    uint64_t inode_;
    uint64_t resident_ = 0;
    uint32_t references_ = 1;
    ksync::SpinlockNoIrq lock_;  // index_ and resident_
    PageIndex index_;
};

}  // namespace vm
