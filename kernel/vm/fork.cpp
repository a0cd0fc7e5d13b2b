// fork(2) of an address space (Linux's dup_mmap and copy_page_range): the
// child gets the same regions; shared mappings share their pages; private
// pages are shared too but read-only in both, with one more reference per
// frame, so the first write on either side copies (or, once the other side
// let go, reuses) the page. MADV_DONTFORK regions stay behind, MADV_WIPEONFORK
// regions start empty in the child.
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/errors.hpp"

namespace vm {

lib::Expected<AddressSpace*> AddressSpace::fork() {
    AddressSpace* child = TRY(create(services_));
    ksync::Guard guard(lock_);
    child->limits_ = limits_;
    child->layout_ = layout_;
    child->may_map_low_ = may_map_low_;
    Gather parent_batch = gather();
    for (const Vma* vma = regions_.first(); vma; vma = vma->next) {
        if (vma->flags & kVmaDontFork) continue;
        Vma* copy = child->new_region(vma->start, vma->end, vma->prot, vma->flags, vma->backing, vma->pgoff);
        if (!copy) {
            destroy(child);
            return error(lib::Errno::kENOMEM, "no memory to copy a region");
        }
        // A copy with private pages gets an identity of its own that also
        // reaches the parent's pages (Linux's anon_vma_fork).
        if (vma->anon) {
            child->prepare_anon(*copy);
            copy->anon_inherited = true;
        }
        child->regions_.insert(copy);
        child->account(*copy, +1);
        if (vma->flags & kVmaWipeOnFork) continue;
        auto copied = copy_into(*child, *vma, parent_batch);
        if (!copied) {
            destroy(child);
            return copied.error();
        }
    }
    return child;
}

lib::Expected<void> AddressSpace::copy_into(AddressSpace& child, const Vma& vma, Gather& parent_batch) {
    FrameSource& frames = *services_.frames;
    bool out_of_memory = false;
    Gather child_batch = child.gather();
    table_.for_each(vma.start, vma.end, [&](uint64_t virt, PageTable::Slot& slot) {
        if (out_of_memory) return;
        PageTable::Slot target;
        if (!child.table_.find_or_create(virt, target)) {
            out_of_memory = true;
            return;
        }
        uint64_t entry = *slot.leaf();
        if (vma.is_private() && (entry & pte::kWritable)) {
            entry &= ~pte::kWritable;
            table_.write(virt, slot, entry, parent_batch);
            parent_batch.changed(virt);
        }
        if (pte::frame(entry) != frames.zero_frame()) frames.ref(pte::frame(entry));
        child.table_.write(virt, target, entry, child_batch);
        child.count_page(vma, entry, +1);
    });
    if (out_of_memory) return error(lib::Errno::kENOMEM, "no memory for the child's page tables");
    return {};
}

}  // namespace vm
