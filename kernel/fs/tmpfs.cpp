// tmpfs (see tmpfs.hpp): its inodes and a regular file's page cache.
#include "kernel/fs/tmpfs.hpp"

#include "kernel/fs/io_buffer.hpp"
#include "kernel/vm/backing.hpp"
#include "kernel/vm/page_index.hpp"
#include "lib/memory.hpp"

namespace fs {

namespace {

constexpr uint64_t kPageSize = 4096;

// Directories, device nodes, FIFOs and sockets: nothing beyond the inode.
class TmpfsNode final : public Inode {
public:
    TmpfsNode(FileSystem& fs, uint32_t mode, uint64_t rdev) : Inode(fs, mode) {
        rdev_ = rdev;
        // shmem reports a directory's size as 20 bytes per entry, "." and
        // ".." included (BOGO_DIRENT_SIZE); the VFS adds and takes 20 as
        // entries come and go.
        if ((mode & uapi::kS_IFMT) == uapi::kS_IFDIR) size_ = 40;
    }
};

class TmpfsSymlink final : public Inode {
public:
    TmpfsSymlink(FileSystem& fs, uint32_t mode, char* target, size_t length)
        : Inode(fs, mode), target_(target), length_(length) {
        size_ = length;
    }
    ~TmpfsSymlink() override { fs::release(target_); }
    lib::StringView link_target() const override { return {target_, length_}; }

private:
    char* target_;
    size_t length_;
};

// A regular file: its pages (frame numbers by page index). attributes_lock_
// guards size_ and the index; data is copied without it (user memory may
// fault), each page held by a reference of the copier meanwhile.
class TmpfsFile final : public Inode, public vm::Backing {
public:
    TmpfsFile(Tmpfs& fs, uint32_t mode) : Inode(fs, mode), tmpfs_(fs) {}
    ~TmpfsFile() override {
        uint64_t dropped = 0;
        struct Context {
            vm::FrameSource* frames;
            uint64_t* dropped;
        } context{&tmpfs_.frames(), &dropped};
        pages_.for_each(
            [](void* c, uint64_t, uint64_t frame) {
                auto* ctx = static_cast<Context*>(c);
                ctx->frames->unref(frame);
                ++*ctx->dropped;
            },
            &context);
        tmpfs_.count_pages(-int64_t(dropped));
    }

    lib::Expected<size_t> read(uint64_t offset, IoBuffer& buffer, size_t count) override;
    lib::Expected<size_t> write(uint64_t* offset, bool append, IoBuffer& buffer, size_t count) override;
    lib::Expected<void> truncate(uint64_t size) override;
    lib::Expected<void> allocate_range(uint32_t mode, uint64_t offset, uint64_t length) override;
    vm::Backing* backing() override { return this; }

    // vm::Backing
    lib::Expected<uint64_t> acquire_page(uint64_t index, bool for_write) override;
    void ref() override { retain(); }
    void unref() override { Inode::release(); }
    lib::Expected<void> remove(uint64_t first, uint64_t count) override;
    vm::BackingInfo info() const override {
        vm::BackingInfo i;
        i.device_major = uapi::dev_major(fs_->device());
        i.device_minor = uapi::dev_minor(fs_->device());
        i.inode = ino_;
        i.file = static_cast<const Inode*>(this);
        return i;
    }

private:
    // Under attributes_lock_: the frame of page `index`, made (zeroed) when
    // missing and `create`; 0 for a hole otherwise. One reference for the caller.
    lib::Expected<uint64_t> page_locked(uint64_t index, bool create);
    // Under attributes_lock_: zeroes the last page past `size`; drops the
    // pages [first, end) from the index.
    void zero_tail_locked(uint64_t size);
    void drop_pages_locked(uint64_t first, uint64_t end);

    Tmpfs& tmpfs_;
    vm::PageIndex pages_;
};

lib::Expected<uint64_t> TmpfsFile::page_locked(uint64_t index, bool create) {
    vm::FrameSource& frames = tmpfs_.frames();
    uint64_t frame = pages_.get(index);
    if (!frame) {
        if (!create) return uint64_t(0);
        // Zeroed: a page made for a write that then copies less than a page
        // (or faults) must read zeros in the rest, never old memory.
        frame = TRY(frames.allocate(true));
        auto stored = pages_.set(index, frame);
        if (!stored) {
            frames.unref(frame);
            return stored.error();
        }
        tmpfs_.count_pages(1);
    }
    frames.ref(frame);
    return frame;
}

lib::Expected<size_t> TmpfsFile::read(uint64_t offset, IoBuffer& buffer, size_t count) {
    vm::FrameSource& frames = tmpfs_.frames();
    size_t total = 0;
    while (total < count) {
        uint64_t position = offset + total;
        uint64_t frame;
        uint64_t size;
        {
            ksync::Guard guard(attributes_lock_);
            size = size_;
            if (position >= size) break;
            frame = TRY(page_locked(position / kPageSize, false));
        }
        uint64_t in_page = position % kPageSize;
        uint64_t n = kPageSize - in_page;
        if (n > size - position) n = size - position;
        if (n > count - total) n = count - total;
        size_t copied;
        if (frame) {
            copied = buffer.copy_out(frames.at(frame) + in_page, n);
            frames.unref(frame);
        } else {
            static const uint8_t kZeros[kPageSize] = {};
            copied = buffer.copy_out(kZeros, n);
        }
        total += copied;
        if (copied < n) {
            if (total == 0) return fail(lib::Errno::kEFAULT, "read buffer not writable");
            break;
        }
    }
    // relatime-free: the access time follows every read that got data.
    if (total) {
        uapi::Timespec now = current_time();
        ksync::Guard guard(attributes_lock_);
        atime_ = now;
    }
    return total;
}

lib::Expected<size_t> TmpfsFile::write(uint64_t* offset, bool append, IoBuffer& buffer, size_t count) {
    vm::FrameSource& frames = tmpfs_.frames();
    if (append) {
        ksync::Guard guard(attributes_lock_);
        *offset = size_;
    }
    if (count == 0) return size_t(0);
    uint64_t start = *offset;
    if (start >= kTmpfsMaxFileSize) return fail(lib::Errno::kEFBIG, "past the largest file size");
    if (count > kTmpfsMaxFileSize - start) count = size_t(kTmpfsMaxFileSize - start);
    size_t total = 0;
    lib::Expected<void> stopped{};
    while (total < count) {
        uint64_t position = start + total;
        uint64_t frame;
        {
            ksync::Guard guard(attributes_lock_);
            auto got = page_locked(position / kPageSize, true);
            if (!got) {
                stopped = got.error();
                break;
            }
            frame = *got;
        }
        uint64_t in_page = position % kPageSize;
        uint64_t n = kPageSize - in_page;
        if (n > count - total) n = count - total;
        size_t copied = buffer.copy_in(frames.at(frame) + in_page, n);
        frames.unref(frame);
        total += copied;
        {
            ksync::Guard guard(attributes_lock_);
            if (position + copied > size_) size_ = position + copied;
        }
        if (copied < n) {
            if (total == 0) stopped = fail(lib::Errno::kEFAULT, "write buffer not readable");
            break;
        }
    }
    if (total == 0 && !stopped) return stopped.error();
    if (total) touch_mtime_ctime();
    return total;
}

void TmpfsFile::zero_tail_locked(uint64_t size) {
    if (size % kPageSize == 0) return;
    uint64_t frame = pages_.get(size / kPageSize);
    if (!frame) return;
    uint64_t in_page = size % kPageSize;
    lib::fill_bytes(tmpfs_.frames().at(frame) + in_page, 0, kPageSize - in_page);
}

void TmpfsFile::drop_pages_locked(uint64_t first, uint64_t end) {
    // Clearing a leaf slot never frees index nodes, so the visit may clear
    // the slot it is at.
    struct Context {
        vm::PageIndex* pages;
        vm::FrameSource* frames;
        uint64_t first, end, dropped;
    } context{&pages_, &tmpfs_.frames(), first, end, 0};
    pages_.for_each(
        [](void* c, uint64_t index, uint64_t frame) {
            auto* ctx = static_cast<Context*>(c);
            if (index < ctx->first || index >= ctx->end) return;
            (void)ctx->pages->set(index, 0);  // clearing never allocates
            ctx->frames->unref(frame);        // mappings hold their own references
            ++ctx->dropped;
        },
        &context);
    tmpfs_.count_pages(-int64_t(context.dropped));
}

lib::Expected<void> TmpfsFile::truncate(uint64_t size) {
    if (size > kTmpfsMaxFileSize) return fail(lib::Errno::kEFBIG, "past the largest file size");
    bool shrunk;
    uint64_t first_gone;
    {
        ksync::Guard guard(attributes_lock_);
        shrunk = size < size_;
        if (shrunk) {
            zero_tail_locked(size);
            first_gone = (size + kPageSize - 1) / kPageSize;
            drop_pages_locked(first_gone, (size_ + kPageSize - 1) / kPageSize);
        }
        size_ = size;
    }
    // truncate_pagecache: mappings of what went (private copies too) fault
    // again and see SIGBUS past the end.
    if (shrunk) unmap_pages(first_gone, ~0ULL, true);
    touch_mtime_ctime();
    return {};
}

lib::Expected<void> TmpfsFile::allocate_range(uint32_t mode, uint64_t offset, uint64_t length) {
    uint64_t end = offset + length;
    if (end > kTmpfsMaxFileSize) return fail(lib::Errno::kEFBIG, "past the largest file size");
    if (mode == (uapi::kFALLOC_FL_PUNCH_HOLE | uapi::kFALLOC_FL_KEEP_SIZE)) {
        uint64_t first_whole = (offset + kPageSize - 1) / kPageSize, end_whole = end / kPageSize;
        {
            ksync::Guard guard(attributes_lock_);
            // Partial pages at either end are zeroed in place.
            auto zero = [&](uint64_t from, uint64_t to) {
                if (from >= to) return;
                uint64_t frame = pages_.get(from / kPageSize);
                if (frame) lib::fill_bytes(tmpfs_.frames().at(frame) + from % kPageSize, 0, to - from);
            };
            if (first_whole > end_whole) {
                zero(offset, end);
            } else {
                zero(offset, first_whole * kPageSize);
                zero(end_whole * kPageSize, end);
                drop_pages_locked(first_whole, end_whole);
            }
        }
        if (end_whole > first_whole) unmap_pages(first_whole, end_whole - first_whole, false);
        touch_mtime_ctime();
        return {};
    }
    if (mode & ~uapi::kFALLOC_FL_KEEP_SIZE) return fail(lib::Errno::kEOPNOTSUPP, "fallocate mode");
    // Space is not reserved ahead (pages come on first write); the size
    // grows unless KEEP_SIZE.
    if (!(mode & uapi::kFALLOC_FL_KEEP_SIZE)) {
        ksync::Guard guard(attributes_lock_);
        if (end > size_) size_ = end;
    }
    touch_ctime();
    return {};
}

lib::Expected<uint64_t> TmpfsFile::acquire_page(uint64_t index, bool for_write) {
    ksync::Guard guard(attributes_lock_);
    if (index >= (size_ + kPageSize - 1) / kPageSize)
        return fail(lib::Errno::kENXIO, "page past the end of the file");
    // shmem makes the page for a read fault too (a mapping then shares it
    // with later writes through write(2)).
    return page_locked(index, true);
}

lib::Expected<void> TmpfsFile::remove(uint64_t first, uint64_t count) {
    ksync::Guard guard(attributes_lock_);
    uint64_t end = first + count < first ? ~0ULL : first + count;
    drop_pages_locked(first, end);
    return {};
}

}  // namespace

lib::Expected<Tmpfs*> Tmpfs::make(vm::FrameSource& frames, const char* type_name, uint32_t root_mode) {
    Tmpfs* fs = fs::make<Tmpfs>(frames, type_name);
    if (!fs) return fail(lib::Errno::kENOMEM, "no memory for a tmpfs");
    auto root = fs->make_inode(uapi::kS_IFDIR | (root_mode & uapi::kS_IALLUGO), 0, {}, Credentials{});
    if (!root) {
        unmake(fs);
        return root.error();
    }
    Dentry* dentry = Dentry::make(nullptr, {}, *root);
    (*root)->release();  // the dentry holds it
    if (!dentry) {
        unmake(fs);
        return fail(lib::Errno::kENOMEM, "no memory for a dentry");
    }
    (*root)->set_nlink(2);
    fs->root_ = dentry;
    return fs;
}

lib::Expected<Inode*> Tmpfs::make_inode(uint32_t mode, uint64_t rdev, lib::StringView target,
                                        const Credentials& owner) {
    Inode* inode = nullptr;
    switch (mode & uapi::kS_IFMT) {
    case uapi::kS_IFREG: inode = fs::make<TmpfsFile>(*this, mode); break;
    case uapi::kS_IFLNK: {
        char* copy = static_cast<char*>(allocate(target.size() + 1));
        if (!copy) return fail(lib::Errno::kENOMEM, "no memory for a symlink");
        lib::copy_bytes(copy, target.data(), target.size());
        copy[target.size()] = 0;
        inode = fs::make<TmpfsSymlink>(*this, mode, copy, target.size());
        if (!inode) fs::release(copy);
        break;
    }
    case uapi::kS_IFDIR:
    case uapi::kS_IFCHR:
    case uapi::kS_IFBLK:
    case uapi::kS_IFIFO:
    case uapi::kS_IFSOCK: inode = fs::make<TmpfsNode>(*this, mode, rdev); break;
    default: return fail(lib::Errno::kEINVAL, "unknown file type");
    }
    if (!inode) return fail(lib::Errno::kENOMEM, "no memory for an inode");
    inode->set_owner(owner.uid, owner.gid);
    return inode;
}

uapi::Statfs Tmpfs::statfs() {
    uapi::Statfs s = FileSystem::statfs();
    // devpts holds no data, only nodes: no blocks, as Linux's (df hides it).
    if (magic() == uapi::kDEVPTS_SUPER_MAGIC) return s;
    // No size limit (Linux's size=0 would report zero blocks, and df(1)
    // would then hide the file system): the file system can grow by every
    // free frame, so its size is what it holds plus those, all of them
    // available to every user (tmpfs reserves none for root). Inodes are
    // heap objects, not counted: free inodes unknown (0), as Linux's
    // nr_inodes=0.
    uint64_t free = frames_.free_frames();
    s.f_blocks = pages() + free;
    s.f_bfree = free;
    s.f_bavail = free;
    s.f_ffree = 0;
    return s;
}

}  // namespace fs
