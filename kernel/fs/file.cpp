// Open file descriptions: the common rules of read/write/lseek/truncate
// (fs/read_write.c, fs/open.c), regular files over their inode, and
// directories' getdents64 (fs/readdir.c, fs/libfs.c's dcache_readdir).
#include "kernel/fs/file.hpp"

#include "kernel/fs/device.hpp"
#include "kernel/fs/epoll.hpp"
#include "kernel/fs/user_copy.hpp"
#include "lib/memory.hpp"

namespace fs {

// ---- File

// O_NOCTTY is for the open only (do_dentry_open drops it after ->open).
File::File(const Path& path, Inode* inode, uint32_t flags)
    : path_(path), inode_(inode), flags_(flags & ~uapi::kO_NOCTTY) {
    inode_->retain();
}

File::~File() { inode_->release(); }

void File::release() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) {
        // Items are added only by holders of a reference, so none can
        // appear now (the last add is seen through the reference count);
        // an instance closing elsewhere may still be removing one.
        if (__atomic_load_n(&epoll_watches_, __ATOMIC_ACQUIRE)) epoll_forget_file(*this);
        on_close();
        unmake(this);
    }
}

lib::Expected<void> File::set_flags(uint32_t flags) {
    uint32_t old = this->flags();
    uint32_t next = (old & ~uapi::kSetflChangeable) | (flags & uapi::kSetflChangeable);
    __atomic_store_n(&flags_, next, __ATOMIC_RELAXED);
    return {};
}

int64_t File::position() const {
    ksync::Guard guard(const_cast<ksync::SpinlockNoIrq&>(position_lock_));
    return int64_t(position_);
}

lib::Expected<size_t> File::read(IoBuffer& buffer) {
    if (!readable()) return fail(lib::Errno::kEBADF, "not open for reading");
    if (stream_ || !seekable()) {
        uint64_t ignored = 0;
        return read_at(buffer, &ignored);
    }
    // The position is read and written back around the transfer, which may
    // fault on user memory and so runs without the lock. (Linux serialises
    // readers of one description with f_pos_lock; two threads reading one
    // description at once may both read the same bytes here.)
    uint64_t position;
    {
        ksync::Guard guard(position_lock_);
        position = position_;
    }
    size_t n = TRY(read_at(buffer, &position));
    ksync::Guard guard(position_lock_);
    position_ = position;
    return n;
}

lib::Expected<size_t> File::write(IoBuffer& buffer) {
    if (!writable()) return fail(lib::Errno::kEBADF, "not open for writing");
    if (stream_ || !seekable()) {
        uint64_t ignored = 0;
        return write_at(buffer, &ignored);
    }
    uint64_t position;
    {
        ksync::Guard guard(position_lock_);
        position = position_;
    }
    size_t n = TRY(write_at(buffer, &position));
    ksync::Guard guard(position_lock_);
    position_ = position;
    return n;
}

lib::Expected<size_t> File::pread(IoBuffer& buffer, int64_t offset) {
    if (!readable()) return fail(lib::Errno::kEBADF, "not open for reading");
    if (offset < 0) return fail(lib::Errno::kEINVAL, "negative offset");
    if (!seekable()) return fail(lib::Errno::kESPIPE, "file has no position");
    uint64_t position = uint64_t(offset);
    return read_at(buffer, &position);
}

lib::Expected<size_t> File::pwrite(IoBuffer& buffer, int64_t offset) {
    if (!writable()) return fail(lib::Errno::kEBADF, "not open for writing");
    if (offset < 0) return fail(lib::Errno::kEINVAL, "negative offset");
    if (!seekable()) return fail(lib::Errno::kESPIPE, "file has no position");
    // pwrite(2) BUGS: on Linux, O_APPEND appends whatever the offset says;
    // write_at does that for regular files.
    uint64_t position = uint64_t(offset);
    return write_at(buffer, &position);
}

lib::Expected<size_t> File::read_at(IoBuffer&, uint64_t*) {
    return fail(inode_->is_directory() ? lib::Errno::kEISDIR : lib::Errno::kEINVAL, "file cannot be read");
}

lib::Expected<size_t> File::write_at(IoBuffer&, uint64_t*) {
    return fail(lib::Errno::kEINVAL, "file cannot be written");
}

uint64_t File::end_position() { return inode_->attributes().size; }

lib::Expected<int64_t> File::seek(int64_t offset, int whence) {
    if (is_path_only()) return fail(lib::Errno::kEBADF, "O_PATH file");
    if (!seekable()) return fail(lib::Errno::kESPIPE, "file has no position");
    ksync::Guard guard(position_lock_);
    int64_t base;
    switch (whence) {
    case uapi::kSEEK_SET: base = 0; break;
    case uapi::kSEEK_CUR: base = int64_t(position_); break;
    case uapi::kSEEK_END: base = int64_t(end_position()); break;
    case uapi::kSEEK_DATA:
    case uapi::kSEEK_HOLE: {
        // The whole of a file counts as data (holes read as zeros; Linux's
        // generic_file_llseek does the same): data at the offset, the hole
        // at the end.
        int64_t size = int64_t(end_position());
        if (offset < 0 || offset >= size) return fail(lib::Errno::kENXIO, "offset at or past the end");
        if (whence == uapi::kSEEK_HOLE) offset = size;
        position_ = uint64_t(offset);
        return offset;
    }
    default: return fail(lib::Errno::kEINVAL, "unknown whence");
    }
    int64_t result;
    if (__builtin_add_overflow(base, offset, &result) || result < 0)
        return fail(lib::Errno::kEINVAL, "resulting offset negative or too large");
    position_ = uint64_t(result);
    return result;
}

lib::Expected<int64_t> File::ioctl(uint32_t command, uint64_t argument) {
    if (command == uapi::kFIONREAD && inode_->is_regular()) {
        // file_ioctl: the bytes between the position and the end.
        int64_t left = int64_t(end_position()) - position();
        int32_t value = left < 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : int32_t(left);
        TRY(put_user(argument, &value, sizeof value));
        return 0;
    }
    return fail(lib::Errno::kENOTTY, "no such ioctl for this file");
}

uint32_t File::poll(PollTable*) {
    // DEFAULT_POLLMASK: a file that cannot block is always ready.
    return uapi::kPOLLIN | uapi::kPOLLOUT | uapi::kPOLLRDNORM | uapi::kPOLLWRNORM;
}

lib::Expected<size_t> File::read_directory(IoBuffer&) { return fail(lib::Errno::kENOTDIR, "not a directory"); }

lib::Expected<void> File::truncate(int64_t size) {
    if (is_path_only()) return fail(lib::Errno::kEBADF, "O_PATH file");
    if (size < 0) return fail(lib::Errno::kEINVAL, "negative length");
    if (!inode_->is_regular() || !writable()) return fail(lib::Errno::kEINVAL, "not a regular file open for writing");
    return inode_->truncate(uint64_t(size));
}

lib::Expected<void> File::allocate_range(uint32_t mode, int64_t offset, int64_t length) {
    if (offset < 0 || length <= 0) return fail(lib::Errno::kEINVAL, "bad range");
    if (!writable()) return fail(lib::Errno::kEBADF, "not open for writing");
    if (inode_->type() == uapi::kS_IFIFO || !seekable()) return fail(lib::Errno::kESPIPE, "a pipe");
    if (inode_->is_directory()) return fail(lib::Errno::kEISDIR, "a directory");
    if (!inode_->is_regular()) return fail(lib::Errno::kENODEV, "not a regular file");
    int64_t end;
    if (__builtin_add_overflow(offset, length, &end)) return fail(lib::Errno::kEFBIG, "range too large");
    return inode_->allocate_range(mode, uint64_t(offset), uint64_t(length));
}

vm::FileMapping File::mapping() {
    vm::FileMapping m;
    m.backing = nullptr;
    m.readable = readable();
    m.writable = writable();
    m.noexec = path_.mount() && (path_.mount()->flags() & kMountNoExec);
    return m;
}

// ---- RegularFile

lib::Expected<size_t> RegularFile::read_at(IoBuffer& buffer, uint64_t* position) {
    size_t n = TRY(inode_->read(*position, buffer, buffer.remaining()));
    *position += n;
    return n;
}

lib::Expected<size_t> RegularFile::write_at(IoBuffer& buffer, uint64_t* position) {
    size_t n = TRY(inode_->write(position, (flags() & uapi::kO_APPEND) != 0, buffer, buffer.remaining()));
    *position += n;
    return n;
}

vm::FileMapping RegularFile::mapping() {
    vm::FileMapping m = File::mapping();
    m.backing = inode_->backing();
    return m;
}

// ---- DirectoryFile

namespace {
constexpr size_t record_length(size_t name_length) {
    return (uapi::kDirent64HeaderSize + name_length + 1 + 7) & ~size_t(7);
}

// Appends one linux_dirent64 to `out` if it fits in `room`.
bool put_record(uint8_t* out, size_t& used, size_t room, uint64_t ino, int64_t next, uint8_t type,
                lib::StringView name) {
    size_t length = record_length(name.size());
    if (used + length > room) return false;
    uint8_t* r = out + used;
    lib::fill_bytes(r, 0, length);
    lib::copy_bytes(r, &ino, 8);
    lib::copy_bytes(r + 8, &next, 8);
    uint16_t reclen = uint16_t(length);
    lib::copy_bytes(r + 16, &reclen, 2);
    r[18] = type;
    lib::copy_bytes(r + 19, name.data(), name.size());
    used += length;
    return true;
}
}  // namespace

lib::Expected<size_t> DirectoryFile::read_directory(IoBuffer& buffer) {
    if (is_path_only()) return fail(lib::Errno::kEBADF, "O_PATH file");
    // Records are made under the namespace lock into a kernel buffer and
    // copied out after it: the user's buffer may fault. Positions: 0 is
    // ".", 1 is "..", then a child's cookie (so an entry added or removed
    // meanwhile never makes the walk repeat or skip the others).
    uint8_t chunk[1024];
    size_t total = 0;
    for (;;) {
        size_t room = buffer.remaining() < sizeof chunk ? buffer.remaining() : sizeof chunk;
        size_t used = 0;
        uint64_t position;
        {
            ksync::Guard guard(position_lock_);
            position = position_;
        }
        bool at_end = false;
        {
            ksync::Guard guard(namespace_lock());
            Dentry* self = path_.dentry();
            if (self->unlinked()) return fail(lib::Errno::kENOENT, "directory was removed");
            do {
                if (position == 0) {
                    if (!put_record(chunk, used, room, inode_->ino(), 1, uapi::kDT_DIR, ".")) break;
                    position = 1;
                }
                if (position == 1) {
                    Dentry* parent = self->parent() ? self->parent() : self;
                    if (!put_record(chunk, used, room, parent->inode()->ino(), 2, uapi::kDT_DIR, "..")) break;
                    position = 2;
                }
                Dentry* c = self->child_from(position);
                for (; c; c = self->next_child(*c)) {
                    if (!put_record(chunk, used, room, c->inode()->ino(), int64_t(c->cookie() + 1),
                                    uapi::dtype_of_mode(c->inode()->mode()), c->name()))
                        break;
                    position = c->cookie() + 1;
                }
                at_end = c == nullptr;
            } while (false);
        }
        if (used == 0) {
            if (!at_end && total == 0) return fail(lib::Errno::kEINVAL, "buffer too small for the next entry");
            break;
        }
        size_t copied = buffer.copy_out(chunk, used);
        if (copied < used) {
            if (total == 0) return fail(lib::Errno::kEFAULT, "getdents64 buffer not writable");
            break;  // the position stays before what was lost
        }
        total += used;
        {
            ksync::Guard guard(position_lock_);
            position_ = position;
        }
        if (at_end) break;
    }
    return total;
}

lib::Expected<int64_t> File::seek_set_or_cur(int64_t offset, int whence) {
    if (whence != uapi::kSEEK_SET && whence != uapi::kSEEK_CUR) return fail(lib::Errno::kEINVAL, "whence");
    ksync::Guard guard(position_lock_);
    int64_t result = whence == uapi::kSEEK_SET ? offset : int64_t(position_) + offset;
    if (result < 0) return fail(lib::Errno::kEINVAL, "negative offset");
    position_ = uint64_t(result);
    return result;
}

lib::Expected<int64_t> DirectoryFile::seek(int64_t offset, int whence) {
    return seek_set_or_cur(offset, whence);  // dcache_dir_lseek: any non-negative cookie
}

// ---- Opening an inode: the kind of file its type calls for.

lib::Expected<File*> Inode::open(const Path& path, uint32_t flags) {
    File* file = nullptr;
    if (flags & uapi::kO_PATH) {
        file = make<PathFile>(path, this, flags);
    } else {
        switch (type()) {
        case uapi::kS_IFREG: file = make<RegularFile>(path, this, flags); break;
        case uapi::kS_IFDIR: file = make<DirectoryFile>(path, this, flags); break;
        case uapi::kS_IFCHR: return open_character_device(path, this, flags);
        case uapi::kS_IFIFO: return open_fifo(path, this, flags);
        default: return fail(lib::Errno::kENXIO, "no driver for this special file");
        }
    }
    if (!file) return fail(lib::Errno::kENOMEM, "no memory for an open file");
    return file;
}

}  // namespace fs
