// IoBuffer: the cursor over segments (see io_buffer.hpp).
#include "kernel/fs/io_buffer.hpp"

#include "lib/memory.hpp"

#if defined(HOST_TEST)
#include <cstring>
#else
#include "kernel/arch/x86_64/uaccess.hpp"
#endif

namespace fs {

#if defined(HOST_TEST)
namespace {
size_t host_fault_budget = ~size_t(0);
// How many of `size` bytes a user copy manages before the simulated fault.
size_t host_user_copy(void* destination, const void* source, size_t size) {
    size_t n = size < host_fault_budget ? size : host_fault_budget;
    std::memmove(destination, source, n);
    if (host_fault_budget != ~size_t(0)) host_fault_budget -= n;
    return n;
}
}  // namespace
void host_fault_user_copies_after(size_t bytes) { host_fault_budget = bytes; }
#endif

IoBuffer::IoBuffer(lib::Span<const Segment> segments, bool user) : segments_(segments), user_(user) {
    // readv(2): the total is clamped at SSIZE_MAX's page-rounded cap
    // (MAX_RW_COUNT); no caller passes more than that in a segment list.
    for (const Segment& s : segments) total_ += s.iov_len;
}

size_t IoBuffer::copy_segment(uint64_t address, void* kernel_memory, size_t n, bool out) {
    if (!user_) {
        void* other = reinterpret_cast<void*>(address);
        if (out) lib::move_bytes(other, kernel_memory, n);
        else lib::move_bytes(kernel_memory, other, n);
        return n;
    }
#if defined(HOST_TEST)
    void* other = reinterpret_cast<void*>(address);
    size_t copied = out ? host_user_copy(other, kernel_memory, n) : host_user_copy(kernel_memory, other, n);
#else
    size_t left = out ? arch::copy_to_user(address, kernel_memory, n) : arch::copy_from_user(kernel_memory, address, n);
    size_t copied = n - left;
#endif
    if (copied < n) faulted_ = true;
    return copied;
}

size_t IoBuffer::transfer(void* kernel_memory, size_t size, bool out) {
    auto* bytes = static_cast<uint8_t*>(kernel_memory);
    size_t moved = 0;
    while (moved < size && segment_ < segments_.size() && !faulted_) {
        const Segment& s = segments_[segment_];
        size_t room = s.iov_len - segment_done_;
        if (room == 0) {
            ++segment_, segment_done_ = 0;
            continue;
        }
        size_t n = size - moved < room ? size - moved : room;
        size_t copied = copy_segment(s.iov_base + segment_done_, bytes + moved, n, out);
        moved += copied;
        segment_done_ += copied;
        done_ += copied;
    }
    return moved;
}


}  // namespace fs
