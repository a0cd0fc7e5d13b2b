// The VFS on the real machine (test=fs): the boot's root file system and
// /dev, every initramfs module read back through the VFS byte for byte
// against the archive itself (odd read sizes, so page edges fall anywhere),
// reads and writes between tmpfs and a user address space through the
// kernel's uaccess (demand-paged memory, a read-only page refused with
// EFAULT), and a file's pages mapped shared into user memory seeing write(2).
#include "kernel/abi/linux_mm.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/fs/cpio.hpp"
#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/fs/tmpfs.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/vm/kernel_services.hpp"
#include "lib/memory.hpp"

namespace {

size_t read_all(fs::File& file, uint8_t* out, size_t size, size_t chunk) {
    size_t total = 0;
    while (total < size + 1) {
        size_t n = chunk < size + 1 - total ? chunk : size + 1 - total;
        fs::IoBuffer::Segment s;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(s, out + total, n);
        auto got = file.read(b);
        if (!got || *got == 0) break;
        total += *got;
    }
    return total;
}

KTEST(fs, root_and_dev_are_there) {
    KASSERT(fs::ready());
    fs::Context context = *fs::root_context();
    auto root = fs::stat(context, context.root, "/", 0);
    KASSERT(root.has_value());
    KEXPECT_EQ(root->st_mode & uapi::kS_IFMT, uapi::kS_IFDIR);
    auto null = fs::open(context, context.root, "/dev/null", uapi::kO_RDWR, 0);
    KASSERT(null.has_value());
    uint8_t buffer[64];
    lib::fill_bytes(buffer, 0x55, sizeof buffer);
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buffer, sizeof buffer);
    KEXPECT_EQ(*(*null)->read(b), 0u);
    auto zero = fs::open(context, context.root, "/dev/zero", uapi::kO_RDONLY, 0);
    KASSERT(zero.has_value());
    KEXPECT_EQ(read_all(**zero, buffer, sizeof buffer - 1, 17), sizeof buffer);
    for (uint8_t byte : buffer) KEXPECT_EQ(byte, 0);
    auto random = fs::open(context, context.root, "/dev/urandom", uapi::kO_RDONLY, 0);
    KASSERT(random.has_value());
    fs::IoBuffer b2 = fs::IoBuffer::kernel_one(s, buffer, sizeof buffer);
    KEXPECT_EQ(*(*random)->read(b2), sizeof buffer);
    auto dev = fs::statfs(*fs::lookup(context, context.root, "/dev", fs::kFollow));
    KEXPECT_EQ(dev.f_type, uapi::kTMPFS_MAGIC);
    KEXPECT(dev.f_flags & uapi::kST_NOSUID);
}

KTEST(fs, initramfs_reads_back_byte_for_byte) {
    const boot::BootInfo& info = boot::info();
    fs::Context context = *fs::root_context();
    size_t files = 0, bytes = 0, mismatches = 0;
    for (size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& module = info.modules[i];
        if (!(lib::StringView(module.cmdline) == "initramfs" || lib::StringView(module.path).ends_with(".cpio")))
            continue;
        fs::cpio::Reader reader(lib::Bytes(module.address, module.size));
        fs::cpio::Entry entry;
        fs::cpio::Problem problem;
        for (;;) {
            auto result = reader.next(entry, problem);
            if (result == fs::cpio::Reader::Result::kEnd) break;
            if (result != fs::cpio::Reader::Result::kEntry || entry.type() != fs::cpio::kRegular) continue;
            // Hard-linked names before the last carry no data: skip them.
            if (entry.may_be_hard_link() && entry.data.size() == 0) continue;
            auto file = fs::open(context, context.root, entry.path, uapi::kO_RDONLY, 0);
            KEXPECT(file.has_value());
            if (!file) continue;
            size_t size = entry.data.size();
            auto* copy = static_cast<uint8_t*>(fs::allocate(size + 1 + 4096));
            KASSERT(copy != nullptr);
            // 4095 and 1000 bytes per read: every page edge sits inside
            // some read in one pass or the other.
            const size_t chunks[] = {4095, 1000};
            for (size_t chunk : chunks) {
                KEXPECT(*(*file)->seek(0, uapi::kSEEK_SET) == 0);
                lib::fill_bytes(copy, 0xee, size + 1);
                size_t got = read_all(**file, copy, size, chunk);
                KEXPECT_EQ(got, size);
                bool same = got == size && lib::compare_bytes(copy, entry.data.data(), size) == 0;
                if (!same) {
                    size_t at = 0;
                    while (at < got && at < size && copy[at] == entry.data[at]) ++at;
                    klog::error("fs: {}: read {} of {} bytes with {}-byte reads; first difference at {} ({:#x} vs {:#x})",
                                entry.path, got, size, chunk, at, at < got ? copy[at] : 0,
                                at < size ? entry.data[at] : 0);
                    ++mismatches;
                    ktest::detail::fail(__FILE__, __LINE__, entry.path);
                }
            }
            fs::release(copy);
            ++files;
            bytes += size;
        }
    }
    // Without an initramfs module there is nothing to compare (the scenario
    // fs_initramfs gives one and checks the line below).
    if (files == 0) {
        klog::info("fs: no initramfs module to read back");
        return;
    }
    klog::info("fs: initramfs read back: {} files, {} bytes{}", files, bytes,
               mismatches ? ", SOME DIFFER" : ", all equal");
}

// The initramfs modules' memory stays the loader's KERNEL_AND_MODULES
// memory: no page of it is ever the frame allocator's (a page handed out
// would let a later allocation overwrite archive bytes not yet unpacked, or
// the bytes the test above compares with).
KTEST(fs, initramfs_memory_is_not_allocatable) {
    const boot::BootInfo& info = boot::info();
    size_t pages = 0;
    for (size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& module = info.modules[i];
        uint64_t start = (uint64_t(module.address) - info.hhdm_offset) & ~uint64_t(4095);
        uint64_t end = uint64_t(module.address) - info.hhdm_offset + module.size;
        for (uint64_t page = start; page < end; page += 4096, ++pages) {
            if (mm::frames().is_managed(page)) {
                ktest::detail::fail(__FILE__, __LINE__, module.path);
                klog::error("fs: module {} page {:#x} is managed by the frame allocator", module.path, page);
                break;
            }
        }
    }
    klog::info("fs: {} module pages checked", pages);
}

bool resolve_in_current_space(uint64_t address, uint64_t error_code) {
    return vm::handle_page_fault(address, error_code) == vm::FaultResult::kResolved;
}

KTEST(fs, user_memory_reads_and_writes) {
    fs::Context context = *fs::root_context();
    auto space_made = vm::AddressSpace::create(vm::kernel_services());
    KASSERT(space_made.has_value());
    vm::AddressSpace* space = *space_made;
    arch::UaccessFaultResolver previous_resolver = arch::uaccess_fault_resolver();
    arch::set_uaccess_fault_resolver(resolve_in_current_space);
    vm::AddressSpace* previous = vm::switch_address_space(space);

    constexpr size_t kSize = 3 * 4096 + 100;
    auto mapped = space->mmap(0, kSize + 4096, uapi::kProtRead | uapi::kProtWrite,
                              uapi::kMapPrivate | uapi::kMapAnonymous, nullptr, 0);
    KASSERT(mapped.has_value());
    uint64_t user = *mapped;
    // Fill user memory (demand paging through the fault resolver), write it
    // to a file from there, read it back into another user range.
    for (size_t i = 0; i < kSize; i += 256) {
        uint8_t pattern[256];
        for (size_t j = 0; j < sizeof pattern; ++j) pattern[j] = uint8_t(i / 256 + j);
        KEXPECT_EQ(arch::copy_to_user(user + i, pattern, sizeof pattern < kSize - i ? sizeof pattern : kSize - i), 0u);
    }
    auto file = fs::open(context, context.root, "/user_copy_test", uapi::kO_RDWR | uapi::kO_CREAT | uapi::kO_TRUNC,
                         0600);
    KASSERT(file.has_value());
    fs::IoBuffer::Segment s;
    fs::IoBuffer out = fs::IoBuffer::user_one(s, user, kSize);
    KEXPECT_EQ(*(*file)->write(out), kSize);
    auto second = space->mmap(0, kSize, uapi::kProtRead | uapi::kProtWrite, uapi::kMapPrivate | uapi::kMapAnonymous,
                              nullptr, 0);
    KASSERT(second.has_value());
    fs::IoBuffer in = fs::IoBuffer::user_one(s, *second, kSize);
    KEXPECT_EQ(*(*file)->pread(in, 0), kSize);
    uint8_t a[256], b[256];
    for (size_t i = 0; i < kSize; i += sizeof a) {
        size_t n = sizeof a < kSize - i ? sizeof a : kSize - i;
        KEXPECT_EQ(arch::copy_from_user(a, user + i, n), 0u);
        KEXPECT_EQ(arch::copy_from_user(b, *second + i, n), 0u);
        KEXPECT_EQ(lib::compare_bytes(a, b, n), 0);
    }
    // A read into read-only memory: EFAULT, nothing read; a kernel address
    // as the buffer: EFAULT too.
    KASSERT(space->mprotect(*second, kSize, uapi::kProtRead).has_value());
    fs::IoBuffer ro = fs::IoBuffer::user_one(s, *second, kSize);
    auto refused = (*file)->pread(ro, 0);
    KEXPECT(!refused.has_value() && refused.error().code == lib::Errno::kEFAULT);
    fs::IoBuffer kernel_address = fs::IoBuffer::user_one(s, uint64_t(&a[0]), sizeof a);
    auto refused2 = (*file)->pread(kernel_address, 0);
    KEXPECT(!refused2.has_value() && refused2.error().code == lib::Errno::kEFAULT);

    // The file's pages mapped shared: what write(2) wrote is there, and a
    // store through the mapping is what read(2) returns.
    vm::FileMapping mapping = (*file)->mapping();
    auto view = space->mmap(0, 4096, uapi::kProtRead | uapi::kProtWrite, uapi::kMapShared, &mapping, 0);
    KASSERT(view.has_value());
    KEXPECT_EQ(arch::copy_from_user(b, *view, 16), 0u);
    KEXPECT_EQ(arch::copy_from_user(a, user, 16), 0u);
    KEXPECT_EQ(lib::compare_bytes(a, b, 16), 0);
    uint8_t mark[4] = {'m', 'a', 'r', 'k'};
    KEXPECT_EQ(arch::copy_to_user(*view + 8, mark, 4), 0u);
    uint8_t back[4] = {};
    fs::IoBuffer::Segment ks;
    fs::IoBuffer kb = fs::IoBuffer::kernel_one(ks, back, 4);
    KEXPECT_EQ(*(*file)->pread(kb, 8), 4u);
    KEXPECT_EQ(lib::compare_bytes(back, mark, 4), 0);

    vm::switch_address_space(previous);
    arch::set_uaccess_fault_resolver(previous_resolver);
    vm::AddressSpace::destroy(space);
    KEXPECT(fs::unlink(context, context.root, "/user_copy_test").has_value());
}

}  // namespace
