// Host-only test support for kernel/vm: frames with reference counts over
// simulated physical memory (the real buddy allocator underneath), a TLB
// hook that records what it was asked to flush, and a file-like backing
// object whose pages come from a byte vector.
#pragma once

#if !defined(HOST_TEST)
#error "kernel/vm/testing.hpp is for host tests only"
#endif

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "kernel/mm/frame_allocator.hpp"
#include "kernel/mm/simulated_memory.hpp"
#include "kernel/vm/frames.hpp"
#include "kernel/vm/tlb.hpp"

namespace vm::testing {

class SimulatedFrames final : public FrameSource {
public:
    explicit SimulatedFrames(uint64_t bytes = 256ULL << 20) : memory_(bytes) {
        regions_.push_back(mm::testing::region(0x100000, bytes - 0x100000));
        if (!allocator_.init(lib::Span<const boot::MemoryRegion>(regions_.data(), regions_.size()), memory_.window()))
            std::abort();
        window_ = memory_.window();
        zero_frame_ = *allocator_.allocate(mm::Zeroing::kYes);
        baseline_ = allocator_.free_frames();
    }

    lib::Expected<uint64_t> allocate(bool zeroed) override {
        if (fail_after_ >= 0 && fail_after_-- == 0)
            return lib::Error::make(lib::Errno::kENOMEM, "test: frame allocation fails on purpose");
        uint64_t frame = TRY(allocator_.allocate(zeroed ? mm::Zeroing::kYes : mm::Zeroing::kNo));
        if (!zeroed) std::memset(at(frame), 0xa5, 4096);  // garbage, as a recycled frame would hold
        counts_[frame] = 1;
        return frame;
    }
    void ref(uint64_t frame) override {
        if (frame == zero_frame_) std::abort();
        auto it = counts_.find(frame);
        if (it == counts_.end()) std::abort();
        ++it->second;
    }
    void unref(uint64_t frame) override {
        if (frame == zero_frame_) std::abort();
        auto it = counts_.find(frame);
        if (it == counts_.end() || it->second == 0) std::abort();
        if (--it->second == 0) {
            counts_.erase(it);
            allocator_.free(frame);
        }
    }
    uint32_t count(uint64_t frame) const override {
        auto it = counts_.find(frame);
        return it == counts_.end() ? 0 : it->second;
    }

    // Frames handed out and not yet freed.
    size_t live() const { return counts_.size(); }
    uint64_t free_frames() const { return allocator_.free_frames(); }
    // The `n`-th allocation from now fails (0 = the next); -1 turns it off.
    void fail_after(long n) { fail_after_ = n; }

private:
    mm::testing::SimulatedMemory memory_;
    std::vector<boot::MemoryRegion> regions_;
    mm::FrameAllocator allocator_;
    std::map<uint64_t, uint32_t> counts_;
    uint64_t baseline_ = 0;
    long fail_after_ = -1;
};

struct RecordingTlb final : TlbShootdown {
    struct Flush {
        uint64_t root, start, end;
        size_t cpus;
    };
    void flush(const CpuSet& cpus, uint64_t root, uint64_t start, uint64_t end) override {
        size_t n = 0;
        cpus.for_each([&](size_t) { ++n; });
        flushes.push_back({root, start, end, n});
    }
    // Was [start, end) covered by a flush since the last clear()?
    bool flushed(uint64_t start, uint64_t end) const {
        for (const Flush& f : flushes)
            if (f.start <= start && f.end >= end) return true;
        return false;
    }
    void clear() { flushes.clear(); }
    std::vector<Flush> flushes;
};

}  // namespace vm::testing
