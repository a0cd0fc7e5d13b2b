// User page tables (see page_table.hpp).
#include "kernel/vm/page_table.hpp"

namespace vm {
namespace {

constexpr unsigned kEntries = 512;
constexpr uint64_t kCountShift = 52;
constexpr uint64_t kCountMask = 0x3ffULL << kCountShift;
// Intermediate entries allow everything; the leaf decides (SDM §4.6: the
// rights of a translation are the intersection over all levels).
constexpr uint64_t kTableRights = pte::kPresent | pte::kWritable | pte::kUser;

constexpr unsigned index_at(uint64_t virt, unsigned level) {
    return unsigned(virt >> (12 + 9 * level)) & 0x1ff;
}
constexpr uint64_t coverage(unsigned level) {
    return 1ULL << (12 + 9 * level);
}

uint64_t load(const uint64_t* entry) {
    return __atomic_load_n(entry, __ATOMIC_RELAXED);
}
void store(uint64_t* entry, uint64_t value) {
    __atomic_store_n(entry, value, __ATOMIC_RELAXED);
}

unsigned count_of(uint64_t entry) {
    return unsigned((entry & kCountMask) >> kCountShift);
}
uint64_t with_count(uint64_t entry, unsigned count) {
    return (entry & ~kCountMask) | ((uint64_t(count) << kCountShift) & kCountMask);
}

}  // namespace

void Gather::finish() {
    if (end_ > start_) flush_(context_, start_, end_);
    start_ = ~0ULL;
    end_ = 0;
    for (size_t i = 0; i < count_; ++i) frames_.unref(pending_[i]);
    count_ = 0;
}

lib::Expected<uint64_t> PageTable::create_root(FrameSource& frames, uint64_t kernel_root) {
    uint64_t root = TRY(frames.allocate(true));
    if (kernel_root) {
        const uint64_t* kernel = frames.at<uint64_t>(kernel_root);
        uint64_t* copy = frames.at<uint64_t>(root);
        for (unsigned i = kKernelHalfFirstEntry; i < kEntries; ++i) copy[i] = kernel[i];
    }
    return root;
}

bool PageTable::find(uint64_t virt, Slot& slot) const {
    uint64_t* current = table(root_);
    for (unsigned level = 3; level > 0; --level) {
        uint64_t* entry = &current[index_at(virt, level)];
        slot.entries[level] = entry;
        uint64_t value = load(entry);
        if (!(value & pte::kPresent)) {
            for (unsigned below = 0; below < level; ++below) slot.entries[below] = nullptr;
            return false;
        }
        current = table(value & pte::kFrameMask);
    }
    slot.entries[0] = &current[index_at(virt, 0)];
    return true;
}

lib::Expected<void> PageTable::find_or_create(uint64_t virt, Slot& slot) {
    if (find(virt, slot)) return {};
    // Take every frame first, so that failing leaves nothing linked that a
    // CPU's paging-structure cache could remember.
    unsigned needed = 0;
    for (unsigned level = 3; level > 0; --level)
        if (!slot.entries[level] || !(load(slot.entries[level]) & pte::kPresent)) ++needed;
    uint64_t fresh[3];
    for (unsigned i = 0; i < needed; ++i) {
        auto frame = frames_.allocate(true);
        if (!frame) {
            for (unsigned j = 0; j < i; ++j) frames_.unref(fresh[j]);
            return frame.error();
        }
        fresh[i] = *frame;
    }
    unsigned used = 0;
    uint64_t* current = table(root_);
    for (unsigned level = 3; level > 0; --level) {
        uint64_t* entry = &current[index_at(virt, level)];
        slot.entries[level] = entry;
        uint64_t value = load(entry);
        if (!(value & pte::kPresent)) {
            value = fresh[used++] | kTableRights;
            store(entry, value);
            // One more present entry in the table that holds `entry`.
            if (level < 3) {
                uint64_t parent = load(slot.entries[level + 1]);
                store(slot.entries[level + 1], with_count(parent, count_of(parent) + 1));
            }
        }
        current = table(value & pte::kFrameMask);
    }
    slot.entries[0] = &current[index_at(virt, 0)];
    return {};
}

void PageTable::write(uint64_t virt, Slot& slot, uint64_t value, Gather& gather) {
    uint64_t old = load(slot.entries[0]);
    store(slot.entries[0], value);
    bool had = pte::has_page(old), has = pte::has_page(value);
    if (had == has) return;
    if (has) {
        uint64_t parent = load(slot.entries[1]);
        store(slot.entries[1], with_count(parent, count_of(parent) + 1));
        return;
    }
    // The count of each table lives in the entry pointing at it. A table
    // left empty is unlinked (and freed after the flush), which takes one
    // entry from the table above, and so on; the root stays.
    for (unsigned level = 1; level <= 3; ++level) {
        uint64_t* parent = slot.entries[level];
        uint64_t entry = load(parent);
        unsigned count = count_of(entry);
        if (count > 1) {
            store(parent, with_count(entry, count - 1));
            return;
        }
        store(parent, 0);
        gather.changed(virt);  // INVLPG drops paging-structure cache entries too (SDM §4.10.4.1)
        gather.release_later(entry & pte::kFrameMask);
        for (unsigned below = 0; below < level; ++below) slot.entries[below] = nullptr;
    }
}

void PageTable::walk_range(uint64_t start, uint64_t end, Visitor visit, void* context) {
    uint64_t virt = start;
    while (virt < end) {
        Slot slot;
        uint64_t* current = table(root_);
        unsigned level = 3;
        for (; level > 0; --level) {
            uint64_t* entry = &current[index_at(virt, level)];
            slot.entries[level] = entry;
            uint64_t value = load(entry);
            if (!(value & pte::kPresent)) break;
            current = table(value & pte::kFrameMask);
        }
        if (level > 0) {
            // Nothing mapped in this entry's whole range: skip it.
            uint64_t next = (virt & ~(coverage(level) - 1)) + coverage(level);
            if (next <= virt) return;
            virt = next;
            continue;
        }
        uint64_t leaf_table = load(slot.entries[1]) & pte::kFrameMask;
        for (unsigned i = index_at(virt, 0); i < kEntries && virt < end; ++i, virt += 4096) {
            slot.entries[0] = &current[i];
            if (!pte::has_page(load(&current[i]))) continue;
            visit(context, virt, slot);
            // The visitor emptied this table, which is unlinked now (and may
            // be freed): nothing is left in it to visit.
            uint64_t now = slot.entries[1] ? load(slot.entries[1]) : 0;
            if (!(now & pte::kPresent) || (now & pte::kFrameMask) != leaf_table) {
                uint64_t next = (virt & ~(coverage(1) - 1)) + coverage(1);
                if (next <= virt) return;
                virt = next;
                break;
            }
        }
    }
}

void PageTable::release_table(uint64_t physical, unsigned level) {
    if (level > 0) {
        uint64_t* entries = table(physical);
        for (unsigned i = 0; i < kEntries; ++i)
            if (entries[i] & pte::kPresent) release_table(entries[i] & pte::kFrameMask, level - 1);
    }
    frames_.unref(physical);
}

void PageTable::release_user_half() {
    uint64_t* root = table(root_);
    for (unsigned i = 0; i < kKernelHalfFirstEntry; ++i) {
        if (root[i] & pte::kPresent) release_table(root[i] & pte::kFrameMask, 2);
        root[i] = 0;
    }
}

}  // namespace vm
