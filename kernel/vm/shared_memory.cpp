// Shared anonymous memory (see shared_memory.hpp).
#include "kernel/vm/shared_memory.hpp"

#include "kernel/vm/allocation.hpp"
#include "kernel/vm/errors.hpp"

namespace vm {
namespace {
// Inode numbers for /proc/<pid>/maps, distinct per object as Linux's are.
uint64_t next_inode = 1;
}  // namespace

lib::Expected<SharedMemory*> SharedMemory::create(FrameSource& frames, uint64_t pages) {
    if (pages > PageIndex::kMaxPages) return error(lib::Errno::kENOMEM, "shared mapping too large");
    uint64_t inode = __atomic_fetch_add(&next_inode, 1, __ATOMIC_RELAXED);
    SharedMemory* object = vm::create<SharedMemory>(frames, pages, inode);
    if (!object) return error(lib::Errno::kENOMEM, "no memory for a shared memory object");
    return object;
}

SharedMemory::~SharedMemory() {
    index_.for_each([](void* frames, uint64_t, uint64_t frame) { static_cast<FrameSource*>(frames)->unref(frame); },
                    &frames_);
}

void SharedMemory::unref() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) destroy(this);
}

lib::Expected<uint64_t> SharedMemory::acquire_page(uint64_t index, bool) {
    if (index >= pages_) return error(lib::Errno::kENXIO, "page past the end of the shared memory object");
    ksync::Guard guard(lock_);
    uint64_t frame = index_.get(index);
    if (!frame) {
        frame = TRY(frames_.allocate(true));
        auto stored = index_.set(index, frame);
        if (!stored) {
            frames_.unref(frame);
            return stored.error();
        }
        ++resident_;
    }
    frames_.ref(frame);  // the caller's
    return frame;
}

lib::Expected<void> SharedMemory::remove(uint64_t first, uint64_t count) {
    ksync::Guard guard(lock_);
    for (uint64_t index = first; index < first + count && index < pages_; ++index) {
        uint64_t frame = index_.get(index);
        if (!frame) continue;
        (void)index_.set(index, 0);  // clearing never allocates
        frames_.unref(frame);
        --resident_;
    }
    return {};
}

BackingInfo SharedMemory::info() const {
    BackingInfo info;
    info.inode = inode_;
    info.path = "/dev/zero (deleted)";
    return info;
}

}  // namespace vm
