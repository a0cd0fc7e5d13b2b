// The page mapper (see page_mapper.hpp).
#include "kernel/mm/page_mapper.hpp"

namespace mm {
namespace {

constexpr unsigned kRootLevel = 3;
constexpr unsigned kEntriesPerTable = 512;

lib::Error invalid(const char* what) {
    return lib::Error::make(lib::ErrorCode::kEINVAL, what);
}

}  // namespace

const char* cache_type_name(CacheType type) {
    switch (type) {
        case CacheType::kWriteBack: return "WB";
        case CacheType::kWriteThrough: return "WT";
        case CacheType::kUncachedMinus: return "UC-";
        case CacheType::kUncached: return "UC";
        case CacheType::kWriteProtected: return "WP";
        case CacheType::kWriteCombining: return "WC";
    }
    return "?";
}

// The entry at `level` went from not present to present: one more child in
// its table, counted in the entry that points at the table.
void PageMapper::on_entry_set(Path& path, unsigned level) {
    if (level == kRootLevel) return;
    PageTableEntry* parent = path.entries[level + 1];
    parent->set_child_count(parent->child_count() + 1);
}

void PageMapper::on_entry_cleared(Path& path, unsigned level) {
    if (level == kRootLevel) return;
    PageTableEntry* parent = path.entries[level + 1];
    parent->set_child_count(parent->child_count() - 1);
}

// Frees the table holding path.entries[level] if it has no present entry
// left, and so on upwards; the root stays. User half only: a kernel-half
// table may be reachable from every address space's PML4.
void PageMapper::free_empty_tables(Path& path, unsigned level, uint64_t virt) {
    if (in_kernel_half(virt)) return;
    while (level < kRootLevel) {
        PageTableEntry* parent = path.entries[level + 1];
        if (parent->child_count() != 0) return;
        uint64_t table = parent->table_address();
        *parent = PageTableEntry();
        on_entry_cleared(path, level + 1);
        // INVLPG also drops paging-structure cache entries (SDM Vol. 3A
        // §4.10.4.1), so no walk can reach the table once it is reused.
        if (tlb_.invalidate_page) tlb_.invalidate_page(virt);
        if (tlb_.release_table)
            tlb_.release_table(table);
        else
            frames_.free(table);
        ++level;
    }
}

void PageMapper::invalidate(uint64_t virt) {
    ++changes_;
    if (changes_ <= kFullFlushThreshold && tlb_.invalidate_page) tlb_.invalidate_page(virt);
}

void PageMapper::finish_flush() {
    if (changes_ > kFullFlushThreshold && tlb_.flush_all) tlb_.flush_all();
    changes_ = 0;
}

lib::Expected<void> PageMapper::populate_kernel_half() {
    constexpr unsigned kFirst = x86_64::paging::kKernelHalfFirstEntry;
    PageTableEntry* root = table_at(root_);
    uint64_t made[(kEntriesPerTable - kFirst) / 64] = {};  // which entries this call filled
    for (unsigned i = kFirst; i < kEntriesPerTable; ++i) {
        if (root[i].present()) continue;
        auto frame = frames_.allocate(Zeroing::kYes, FrameOwner::kPageTable);
        if (!frame) {
            // Undo: the new tables are empty, and no CPU has walked them.
            for (unsigned j = kFirst; j < i; ++j) {
                if (!(made[(j - kFirst) / 64] >> ((j - kFirst) % 64) & 1)) continue;
                frames_.free(root[j].table_address());
                root[j] = PageTableEntry();
            }
            return frame.error();
        }
        root[i] = PageTableEntry::table(*frame, false);
        made[(i - kFirst) / 64] |= 1ULL << ((i - kFirst) % 64);
    }
    return {};
}

lib::Expected<void> PageMapper::map(uint64_t virt, uint64_t physical, PageSize size, PageFlags flags) {
    unsigned target = unsigned(size);
    uint64_t bytes = page_bytes(size);
    if (!is_canonical(virt)) return invalid("non-canonical virtual address");
    if (!is_aligned(virt, bytes) || !is_aligned(physical, bytes)) return invalid("address not aligned to page size");
    if ((physical & ~PageTableEntry::kAddressMask) != 0) return invalid("physical address too large");
    if (size == PageSize::k1GiB && !features_.huge_1g)
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "CPU has no 1 GiB pages");

    Path path;
    PageTableEntry* table = table_at(root_);
    for (unsigned level = kRootLevel; level > target; --level) {
        PageTableEntry* entry = &table[table_index(virt, level)];
        path.entries[level] = entry;
        if (!entry->present()) {
            auto frame = frames_.allocate(Zeroing::kYes, FrameOwner::kPageTable);
            if (!frame) {
                free_empty_tables(path, level, virt);  // tables made by this call are empty
                return frame.error();
            }
            *entry = PageTableEntry::table(*frame, !in_kernel_half(virt));
            on_entry_set(path, level);
        } else if (entry->is_leaf(level)) {
            return lib::Error::make(lib::ErrorCode::kEEXIST, "address already mapped by a larger page");
        }
        table = table_at(entry->table_address());
    }
    PageTableEntry* entry = &table[table_index(virt, target)];
    path.entries[target] = entry;
    if (entry->present()) {
        if (entry->is_leaf(target) || entry->child_count() != 0)
            return lib::Error::make(lib::ErrorCode::kEEXIST, "address already mapped");
        // An empty table (the kernel half keeps them when their last page
        // goes) gives way to the larger page; the entry stays present, so
        // the counts do not change. INVLPG drops paging-structure cache
        // entries that still name the table (SDM Vol. 3A §4.10.4.1).
        uint64_t empty_table = entry->table_address();
        *entry = PageTableEntry::leaf(physical, target, flags, features_);
        if (tlb_.invalidate_page) tlb_.invalidate_page(virt);
        frames_.free(empty_table);
        return {};
    }
    *entry = PageTableEntry::leaf(physical, target, flags, features_);
    on_entry_set(path, target);
    return {};
}

lib::Expected<void> PageMapper::map_range(uint64_t virt, uint64_t physical, uint64_t length, PageFlags flags,
                                          PageSize largest) {
    if (!is_aligned(virt | physical | length, kPageSize)) return invalid("range not page aligned");
    if (!features_.huge_1g && largest == PageSize::k1GiB) largest = PageSize::k2MiB;
    uint64_t done = 0;
    while (done < length) {
        uint64_t v = virt + done, p = physical + done, left = length - done;
        PageSize size = PageSize::k4KiB;
        for (int candidate = int(largest); candidate > 0; --candidate) {
            uint64_t bytes = page_bytes(PageSize(candidate));
            if (is_aligned(v | p, bytes) && left >= bytes) {
                size = PageSize(candidate);
                break;
            }
        }
        auto result = map(v, p, size, flags);
        if (!result) {
            if (done > 0) (void)unmap_range(virt, done);  // undo: only frees, never needs memory
            return result.error();
        }
        done += page_bytes(size);
    }
    return {};
}

lib::Expected<void> PageMapper::unmap_range(uint64_t virt, uint64_t length) {
    return change_range(virt, length, Change::kUnmap, {});
}

lib::Expected<void> PageMapper::protect_range(uint64_t virt, uint64_t length, PageFlags flags) {
    return change_range(virt, length, Change::kProtect, flags);
}

lib::Expected<void> PageMapper::split(PageTableEntry* entry, unsigned level, uint64_t virt) {
    uint64_t frame = TRY(frames_.allocate(Zeroing::kNo, FrameOwner::kPageTable));
    PageTableEntry* child = table_at(frame);
    uint64_t base = entry->leaf_address(level);
    PageFlags flags = entry->flags(level);
    uint64_t step = level_coverage(level - 1);
    for (unsigned i = 0; i < kEntriesPerTable; ++i)
        child[i] = PageTableEntry::leaf(base + i * step, level - 1, flags, features_);
    PageTableEntry replacement = PageTableEntry::table(frame, !in_kernel_half(virt));
    replacement.set_child_count(kEntriesPerTable);
    *entry = replacement;
    // The old large translation may sit in the TLB next to the new small
    // ones; SDM §4.10.2.3 asks for an invalidation when a page size changes.
    invalidate(virt);
    return {};
}

lib::Expected<void> PageMapper::change_range(uint64_t virt, uint64_t length, Change change, PageFlags flags) {
    if (!is_aligned(virt | length, kPageSize)) return invalid("range not page aligned");
    if (length == 0) return {};
    uint64_t last = virt + length - 1;
    if (last < virt || !is_canonical(virt) || !is_canonical(last) || ((virt ^ last) >> 47) != 0)
        return invalid("range not inside one canonical half");

    uint64_t v = virt, remaining = length;
    while (remaining > 0) {
        Path path;
        PageTableEntry* table = table_at(root_);
        for (unsigned level = kRootLevel;; --level) {
            PageTableEntry* entry = &table[table_index(v, level)];
            path.entries[level] = entry;
            uint64_t cover = level_coverage(level);
            if (!entry->present()) {
                uint64_t step = lib::min(cover - (v & (cover - 1)), remaining);
                v += step;
                remaining -= step;
                break;
            }
            if (entry->is_leaf(level)) {
                if (is_aligned(v, cover) && remaining >= cover) {
                    if (change == Change::kUnmap) {
                        *entry = PageTableEntry();
                        on_entry_cleared(path, level);
                        invalidate(v);
                        free_empty_tables(path, level, v);
                    } else {
                        PageTableEntry updated =
                            PageTableEntry::leaf(entry->leaf_address(level), level, flags, features_);
                        if (updated.raw() != entry->raw()) {
                            *entry = updated;
                            invalidate(v);
                        }
                    }
                    v += cover;
                    remaining -= cover;
                    break;
                }
                auto split_result = split(entry, level, v & ~(cover - 1));
                if (!split_result) {
                    finish_flush();
                    return split_result.error();
                }
            }
            table = table_at(entry->table_address());
        }
    }
    finish_flush();
    return {};
}

WalkResult PageMapper::walk(uint64_t virt) const {
    WalkResult result;
    if (!is_canonical(virt)) {
        result.missing_level = int(kRootLevel);
        return result;
    }
    x86_64::paging::Walk walk = x86_64::paging::walk(root_, virt, kRootLevel + 1,
                                                     [this](uint64_t table) { return window_.at<uint64_t>(table); });
    if (!walk.present) {
        result.missing_level = walk.missing_level;
        return result;
    }
    PageTableEntry leaf(walk.entry);
    result.mapping.physical = walk.physical;
    result.mapping.size = PageSize(walk.level);
    result.mapping.flags = leaf.flags(walk.level);
    if (!features_.no_execute) result.mapping.flags.executable = true;
    return result;
}

lib::Expected<Mapping> PageMapper::translate(uint64_t virt) const {
    WalkResult result = walk(virt);
    if (result.missing_level >= 0) return lib::Error::make(lib::ErrorCode::kENOENT, "address not mapped");
    return result.mapping;
}

void PageMapper::destroy_table(uint64_t physical, unsigned level) {
    PageTableEntry* table = table_at(physical);
    if (level > 0) {
        for (unsigned i = 0; i < kEntriesPerTable; ++i)
            if (table[i].present() && !table[i].is_leaf(level)) destroy_table(table[i].table_address(), level - 1);
    }
    frames_.free(physical);
}

void PageMapper::destroy() {
    PageTableEntry* root = table_at(root_);
    for (unsigned i = 0; i < kEntriesPerTable; ++i) {
        if (root[i].present()) destroy_table(root[i].table_address(), kRootLevel - 1);
        root[i] = PageTableEntry();
    }
    if (tlb_.flush_all) tlb_.flush_all();
}

}  // namespace mm
