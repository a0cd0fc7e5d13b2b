// Host-only test support for kernel/vm: frames with reference counts over
// simulated physical memory (the real buddy allocator underneath), a TLB
// hook that records what it was asked to flush, and a file-like backing
// object whose pages come from a byte vector.
#pragma once

#if !defined(HOST_TEST)
#error "kernel/vm/testing.hpp is for host tests only"
#endif

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "kernel/mm/frame_allocator.hpp"
#include "kernel/mm/simulated_memory.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/backing.hpp"
#include "kernel/vm/frames.hpp"
#include "kernel/vm/tlb.hpp"

namespace vm::testing {

// The kernel's own frame allocator and per-frame records (reference
// counts) over simulated memory.
class SimulatedFrames final : public FrameSource {
public:
    explicit SimulatedFrames(uint64_t bytes = 256ULL << 20) : memory_(bytes) {
        regions_.push_back(mm::testing::region(0x100000, bytes - 0x100000));
        if (!allocator_.init(lib::Span<const boot::MemoryRegion>(regions_.data(), regions_.size()), memory_.window()))
            std::abort();
        window_ = memory_.window();
        zero_frame_ = *allocator_.allocate(mm::Zeroing::kYes, mm::FrameOwner::kUser);
        initial_free_ = allocator_.free_frames();
    }

    lib::Expected<uint64_t> allocate(bool zeroed) override {
        if (fail_after_ >= 0 && fail_after_-- == 0)
            return lib::Error::make(lib::Errno::kENOMEM, "test: frame allocation fails on purpose");
        uint64_t frame = TRY(allocator_.allocate(zeroed ? mm::Zeroing::kYes : mm::Zeroing::kNo, mm::FrameOwner::kUser));
        if (!zeroed) std::memset(at(frame), 0xa5, 4096);  // garbage, as a recycled frame would hold
        return frame;
    }
    void ref(uint64_t frame) override {
        if (frame == zero_frame_) std::abort();
        allocator_.share(frame);
    }
    void unref(uint64_t frame) override {
        if (frame == zero_frame_) std::abort();
        allocator_.release(frame);
    }
    uint32_t count(uint64_t frame) const override { return allocator_.references(frame); }
    uint64_t free_frames() const override { return allocator_.free_frames(); }

    // Frames handed out and not yet freed (the zero frame not counted).
    size_t live() const { return initial_free_ - allocator_.free_frames(); }
    // The `n`-th allocation from now fails (0 = the next); -1 turns it off.
    void fail_after(long n) { fail_after_ = n; }

private:
    mm::testing::SimulatedMemory memory_;
    std::vector<boot::MemoryRegion> regions_;
    mm::FrameAllocator allocator_;
    uint64_t initial_free_ = 0;
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

// A file whose pages come from a byte vector, cached in frames on first
// use (a page cache), with the size the file has: pages past it are ENXIO.
class FakeFile final : public Backing {
public:
    FakeFile(FrameSource& frames, std::vector<uint8_t> bytes) : frames_(frames), bytes_(std::move(bytes)) {}
    ~FakeFile() {
        for (auto& [index, frame] : cache_) frames_.unref(frame);
    }
    lib::Expected<uint64_t> acquire_page(uint64_t index, bool) override {
        uint64_t frame = TRY(cached_frame(index));
        frames_.ref(frame);  // the caller's
        return frame;
    }
    // The page cache's frame of page `index` (read in if it is not yet),
    // without a reference for the caller.
    lib::Expected<uint64_t> cached_frame(uint64_t index) {
        if (index * 4096 >= bytes_.size())
            return lib::Error::make(lib::Errno::kENXIO, "past end");
        auto it = cache_.find(index);
        if (it != cache_.end()) return it->second;
        uint64_t frame = TRY(frames_.allocate(true));
        size_t n = std::min<size_t>(4096, bytes_.size() - index * 4096);
        std::memcpy(frames_.at(frame), bytes_.data() + index * 4096, n);
        cache_[index] = frame;
        return frame;
    }
    void ref() override { ++references; }
    void unref() override { --references; }
    lib::Expected<void> sync(uint64_t first, uint64_t count) override {
        ++syncs;
        for (uint64_t i = first; i < first + count; ++i) {
            auto it = cache_.find(i);
            if (it == cache_.end() || i * 4096 >= bytes_.size()) continue;
            size_t n = std::min<size_t>(4096, bytes_.size() - i * 4096);
            std::memcpy(bytes_.data() + i * 4096, frames_.at(it->second), n);
        }
        return {};
    }
    BackingInfo info() const override { return {8, 1, 1234, "/fake"}; }
    // A punched hole: the pages go from the cache and read zero.
    lib::Expected<void> remove(uint64_t first, uint64_t count) override {
        for (uint64_t i = first; i < first + count && i * 4096 < bytes_.size(); ++i) {
            std::memset(bytes_.data() + i * 4096, 0, std::min<size_t>(4096, bytes_.size() - i * 4096));
            drop_cached(i);
        }
        return {};
    }
    // ftruncate to a smaller size, as a file system does it: the new size,
    // the tail of the last page zeroed, the pages past it dropped, then
    // every mapping of those pages (private copies too) taken out.
    void truncate(size_t size) {
        bytes_.resize(size);
        uint64_t kept = (size + 4095) / 4096;
        if (size % 4096) {
            auto it = cache_.find(size / 4096);
            if (it != cache_.end()) std::memset(frames_.at(it->second) + size % 4096, 0, 4096 - size % 4096);
        }
        while (!cache_.empty() && cache_.rbegin()->first >= kept) drop_cached(cache_.rbegin()->first);
        unmap_pages(kept, ~0ULL, true);
    }

    // What the cached page holds now (shared writes land there).
    uint8_t cached_byte(uint64_t offset) {
        auto page = cached_frame(offset / 4096);
        return page ? frames_.at(*page)[offset % 4096] : 0;
    }
    const std::vector<uint8_t>& bytes() const { return bytes_; }
    size_t cached_pages() const { return cache_.size(); }
    int references = 0;
    int syncs = 0;

private:
    void drop_cached(uint64_t index) {
        auto it = cache_.find(index);
        if (it == cache_.end()) return;
        frames_.unref(it->second);
        cache_.erase(it);
    }

    FrameSource& frames_;
    std::vector<uint8_t> bytes_;
    std::map<uint64_t, uint64_t> cache_;
};

// An address space over simulated memory, with the frames and TLB log.
struct Space {
    explicit Space(uint64_t memory = 256ULL << 20) : frames(memory) {
        services.frames = &frames;
        services.tlb = &tlb;
        space = *AddressSpace::create(services);
        space->layout().mmap_base = 0x7ffff7fff000;
        space->layout().mmap_legacy_base = 0x2aaaaaaab000;
        baseline = frames.live();
    }
    ~Space() {
        if (space) {
            // The CPUs a test said ran it switch away first, as they must.
            space->cpus().for_each([this](size_t cpu) { space->left(cpu); });
            AddressSpace::destroy(space);
        }
        files.clear();
    }
    AddressSpace* operator->() { return space; }
    size_t cached_file_pages() const {
        size_t n = 0;
        for (const auto& f : files) n += f->cached_pages();
        return n;
    }
    // A file that lives as long as the address space that maps it.
    FakeFile& file(std::vector<uint8_t> bytes) {
        files.push_back(std::make_unique<FakeFile>(frames, std::move(bytes)));
        return *files.back();
    }

    SimulatedFrames frames;
    RecordingTlb tlb;
    Services services;
    AddressSpace* space = nullptr;
    size_t baseline = 0;  // frames live with no mapping: the PML4
    std::vector<std::unique_ptr<FakeFile>> files;
};

}  // namespace vm::testing
