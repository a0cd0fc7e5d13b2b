// Where read(2) puts bytes and write(2) takes them from: one or more
// segments (readv/writev's iovec) of user memory, or of kernel memory for
// the kernel's own reads (exec, the initramfs). A cursor moves through the
// segments as bytes are copied; a user segment that faults ends the copy
// short (the syscall layer's EFAULT when nothing was copied, as Linux).
//
// User copies go through arch::copy_to_user/copy_from_user in the kernel; in
// host tests user addresses are plain pointers (with a way to make a copy
// fault after N bytes, to test short copies).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_fs.hpp"
#include "lib/span.hpp"

namespace fs {

class IoBuffer {
public:
    using Segment = uapi::Iovec;  // {base, length}

    static IoBuffer user(lib::Span<const Segment> segments) { return IoBuffer(segments, true); }
    static IoBuffer kernel(lib::Span<const Segment> segments) { return IoBuffer(segments, false); }
    // One segment (the caller keeps `segment` alive as long as the buffer).
    static IoBuffer user_one(Segment& segment, uint64_t address, size_t size) {
        segment = {address, size};
        return IoBuffer(segment, size, true);
    }
    static IoBuffer kernel_one(Segment& segment, void* address, size_t size) {
        segment = {reinterpret_cast<uint64_t>(address), size};
        return kernel({&segment, 1});
    }

    // Bytes left from the cursor to the end.
    size_t remaining() const { return total_ - done_; }
    size_t done() const { return done_; }
    bool faulted() const { return faulted_; }

    // Copies up to `size` bytes into the buffer at the cursor (a read):
    // returns how many went (short on a fault or at the end).
    size_t copy_out(const void* source, size_t size) { return copy_at_cursor(const_cast<void*>(source), size, true); }
    // Copies up to `size` bytes from the buffer at the cursor (a write).
    size_t copy_in(void* destination, size_t size) { return copy_at_cursor(destination, size, false); }

private:
    IoBuffer(lib::Span<const Segment> segments, bool user);
    // One segment of `size` bytes (read(2), write(2)): no sum to make.
    IoBuffer(const Segment& segment, size_t size, bool user)
        : segments_(&segment, 1), user_(user), total_(size) {}
    // All of it within the segment at the cursor (one read or write; a
    // pipe's byte): one copy, inline. Else transfer()'s walk.
    size_t copy_at_cursor(void* kernel_memory, size_t size, bool out) {
        if (segment_ < segments_.size() && !faulted_) {
            const Segment& s = segments_.data()[segment_];
            if (size <= s.iov_len - segment_done_) {
                size_t copied = copy_segment(s.iov_base + segment_done_, kernel_memory, size, out);
                segment_done_ += copied;
                done_ += copied;
                return copied;
            }
        }
        return transfer(kernel_memory, size, out);
    }
    size_t transfer(void* kernel_memory, size_t size, bool out);
    // Copies `n` bytes between `address` (in the buffer's memory) and
    // `kernel_memory`: how many went (a short user copy marks the buffer).
    size_t copy_segment(uint64_t address, void* kernel_memory, size_t n, bool out);

    lib::Span<const Segment> segments_;
    bool user_;
    bool faulted_ = false;
    size_t total_ = 0;
    size_t done_ = 0;
    size_t segment_ = 0;       // the cursor: segment index,
    size_t segment_done_ = 0;  // and bytes done in it
};

#if defined(HOST_TEST)
// Host tests: the next user copies fault after `bytes` more bytes (~0: never).
void host_fault_user_copies_after(size_t bytes);
#endif

}  // namespace fs
