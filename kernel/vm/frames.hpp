// Physical frames for user memory, with a reference count per frame: a frame
// mapped by several address spaces after fork (copy-on-write), or cached by
// a file and mapped by programs, is freed when its last user lets go.
//
// An interface so that the same VM code runs over the kernel's frame
// allocator (and its per-frame records) and over simulated memory in host
// tests. The zero frame is one zero-filled frame that read faults on
// untouched anonymous memory map read-only everywhere; it is never counted
// nor freed (Linux's ZERO_PAGE).
#pragma once

#include <stdint.h>

#include "kernel/mm/physical_window.hpp"
#include "lib/expected.hpp"

namespace vm {

class FrameSource {
public:
    // A fresh frame, reference count 1, zero-filled when asked.
    virtual lib::Expected<uint64_t> allocate(bool zeroed) = 0;
    virtual void ref(uint64_t frame) = 0;
    // Drops one reference; the frame is freed when none is left.
    virtual void unref(uint64_t frame) = 0;
    virtual uint32_t count(uint64_t frame) const = 0;
    // Frames nobody holds now (what a file system without a size limit,
    // like tmpfs, can still grow by: its statfs).
    virtual uint64_t free_frames() const = 0;

    mm::PhysicalWindow window() const { return window_; }
    uint64_t zero_frame() const { return zero_frame_; }

    template <typename T = uint8_t>
    T* at(uint64_t frame) const {
        return window_.at<T>(frame);
    }

protected:
    FrameSource() = default;
    ~FrameSource() = default;
    mm::PhysicalWindow window_;
    uint64_t zero_frame_ = 0;
};

}  // namespace vm
