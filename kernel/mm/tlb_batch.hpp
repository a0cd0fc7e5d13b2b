// The translations one change of the page tables made stale, collected while
// the change is made so that every CPU that may cache them drops them in one
// go afterwards (a TLB shootdown: kernel/smp/tlb.hpp). Pages are merged into
// a few ranges; past kFullFlushPages pages, or more separate ranges than
// fit, the batch turns into "flush everything", which is then cheaper than
// one INVLPG per page (SDM Vol. 3A §4.10.4: INVLPG drops one page's entries,
// global ones included; a full flush of global entries toggles CR4.PGE).
// Pure and small: it travels by value to the other CPUs.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mm {

class TlbBatch {
public:
    static constexpr uint64_t kPageBytes = 4096;
    static constexpr size_t kMaxRanges = 4;
    static constexpr uint64_t kFullFlushPages = 32;

    struct Range {
        uint64_t start;  // page aligned
        uint64_t pages;
    };

    // The page(s) holding [virt, virt + pages * 4 KiB) became stale.
    constexpr void add(uint64_t virt, uint64_t pages = 1) {
        if (full_ || pages == 0) return;
        virt &= ~(kPageBytes - 1);
        if (pages >= kFullFlushPages || total_pages_ + pages > kFullFlushPages) return set_full();
        total_pages_ += pages;
        for (size_t i = 0; i < count_; ++i) {
            Range& range = ranges_[i];
            if (virt == range.start + range.pages * kPageBytes) {  // just after: grow
                range.pages += pages;
                return;
            }
            if (virt + pages * kPageBytes == range.start) {  // just before
                range.start = virt;
                range.pages += pages;
                return;
            }
            if (virt >= range.start && virt + pages * kPageBytes <= range.start + range.pages * kPageBytes) {
                total_pages_ -= pages;  // already in
                return;
            }
        }
        if (count_ == kMaxRanges) return set_full();
        ranges_[count_++] = {virt, pages};
    }

    // Everything must go (e.g. the change was too large to track).
    constexpr void set_full() {
        full_ = true;
        count_ = 0;
        total_pages_ = 0;
    }

    constexpr bool empty() const { return !full_ && count_ == 0; }
    constexpr bool full() const { return full_; }
    constexpr size_t range_count() const { return count_; }
    constexpr const Range& range(size_t i) const { return ranges_[i]; }
    constexpr uint64_t pages() const { return total_pages_; }

    // Calls invalidate(virt) for each page, or flush_all() once when full.
    template <typename Invalidate, typename FlushAll>
    void apply(Invalidate&& invalidate, FlushAll&& flush_all) const {
        if (full_) return flush_all();
        for (size_t i = 0; i < count_; ++i)
            for (uint64_t page = 0; page < ranges_[i].pages; ++page)
                invalidate(ranges_[i].start + page * kPageBytes);
    }

private:
    Range ranges_[kMaxRanges] = {};
    size_t count_ = 0;
    uint64_t total_pages_ = 0;
    bool full_ = false;
};

}  // namespace mm
