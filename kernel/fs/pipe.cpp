// Pipes and FIFOs (see pipe.hpp).
#include "kernel/fs/pipe.hpp"

#include "kernel/fs/device.hpp"
#include "kernel/fs/user_copy.hpp"
#include "lib/memory.hpp"

namespace fs {

namespace {

constexpr size_t kPage = 4096;

// pipefs: where anonymous pipes' inodes live (fstat shows S_IFIFO, a
// device of its own, an inode number per pipe).
class PipeInode final : public Inode {
public:
    explicit PipeInode(FileSystem& fs) : Inode(fs, uapi::kS_IFIFO | 0600) { nlink_ = 1; }
};

class PipeFs final : public FileSystem {
public:
    PipeFs() : FileSystem("pipefs", uapi::kPIPEFS_MAGIC) {}
    lib::Expected<Inode*> make_inode(uint32_t, uint64_t, lib::StringView, const Credentials& owner) override {
        Inode* inode = make<PipeInode>(*this);
        if (!inode) return fail(lib::Errno::kENOMEM, "no memory for a pipe inode");
        inode->set_owner(owner.uid, owner.gid);
        return inode;
    }
};

PipeFs* pipe_fs() {
    static PipeFs* fs = nullptr;
    static ksync::SpinlockNoIrq lock;
    ksync::Guard guard(lock);
    if (!fs) fs = make<PipeFs>();
    return fs;
}

// A FIFO's pipe hangs off its inode while any end is open.
ksync::SpinlockNoIrq g_fifo_lock;

class PipeFile final : public File {
public:
    PipeFile(const Path& path, Inode* inode, uint32_t flags, Pipe* pipe, bool fifo)
        : File(path, inode, flags), pipe_(pipe), fifo_(fifo) {
        stream_ = true;
        reader_ = readable();
        writer_ = writable();
        writer_opens_seen_ = fifo ? pipe->writer_opens() : 0;
    }
    ~PipeFile() override { pipe_->release(); }

    uint32_t poll(PollTable* table) override {
        uint32_t events = pipe_->poll(table, reader_, writer_);
        // A reader sees POLLHUP only after some writer came and went since
        // it opened (Linux compares the writers' open counter).
        if ((events & uapi::kPOLLHUP) && pipe_->writer_opens() == writer_opens_seen_) events &= ~uapi::kPOLLHUP;
        return events;
    }
    bool pollable() const override { return true; }
    lib::Expected<int64_t> ioctl(uint32_t command, uint64_t argument) override {
        if (command == uapi::kFIONREAD) {
            int32_t n = int32_t(pipe_->available());
            TRY(put_user(argument, &n, sizeof n));
            return 0;
        }
        return fail(lib::Errno::kENOTTY, "no such ioctl for a pipe");
    }
    lib::Expected<int64_t> seek(int64_t, int) override { return fail(lib::Errno::kESPIPE, "a pipe"); }
    Pipe& pipe() { return *pipe_; }

protected:
    bool seekable() const override { return false; }
    lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t*) override { return pipe_->read(buffer, nonblocking()); }
    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t*) override { return pipe_->write(buffer, nonblocking()); }
    void on_close() override {
        pipe_->close_end(reader_, writer_);
        if (fifo_ && pipe_->readers() == 0 && pipe_->writers() == 0) {
            ksync::Guard guard(g_fifo_lock);
            if (inode_->fifo_pipe == pipe_ && pipe_->readers() == 0 && pipe_->writers() == 0) {
                inode_->fifo_pipe = nullptr;
                pipe_->release();  // the inode's
            }
        }
    }

private:
    Pipe* pipe_;  // one reference
    bool fifo_;
    bool reader_ = false, writer_ = false;
    uint64_t writer_opens_seen_ = 0;
};

size_t round_pipe_size(uint64_t size) {
    uint64_t pages = (size + kPage - 1) / kPage;
    if (pages == 0) pages = 1;
    uint64_t p = 1;
    while (p < pages) p <<= 1;
    return size_t(p * kPage);
}

}  // namespace

// ---- Pipe

namespace {
constexpr size_t kDefaultSlots = uapi::kPipeDefaultSize / kPage;
}

lib::Expected<Pipe*> Pipe::make() {
    Pipe* pipe = fs::make<Pipe>();
    if (!pipe) return fail(lib::Errno::kENOMEM, "no memory for a pipe");
    pipe->pages_ = static_cast<uint8_t*>(allocate(kDefaultSlots * kPage));
    pipe->slots_ = static_cast<Slot*>(allocate(kDefaultSlots * sizeof(Slot)));
    if (!pipe->pages_ || !pipe->slots_) {
        unmake(pipe);
        return fail(lib::Errno::kENOMEM, "no memory for a pipe buffer");
    }
    pipe->slot_count_ = kDefaultSlots;
    return pipe;
}

Pipe::~Pipe() {
    fs::release(pages_);
    fs::release(slots_);
}

void Pipe::release() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) unmake(this);
}

void Pipe::notify(uint32_t events) {
    if (events & (uapi::kPOLLIN | uapi::kPOLLHUP)) read_wait_.wake_all();
    if (events & (uapi::kPOLLOUT | uapi::kPOLLERR)) write_wait_.wake_all();
    poll_.notify(events);
}

void Pipe::open_end(bool reader, bool writer) {
    if (reader) __atomic_add_fetch(&readers_, 1, __ATOMIC_SEQ_CST), __atomic_add_fetch(&reader_opens_, 1, __ATOMIC_SEQ_CST);
    if (writer) __atomic_add_fetch(&writers_, 1, __ATOMIC_SEQ_CST), __atomic_add_fetch(&writer_opens_, 1, __ATOMIC_SEQ_CST);
    open_wait_.wake_all();
    notify(uapi::kPOLLIN | uapi::kPOLLOUT);
}

void Pipe::close_end(bool reader, bool writer) {
    if (reader) __atomic_sub_fetch(&readers_, 1, __ATOMIC_SEQ_CST);
    if (writer) __atomic_sub_fetch(&writers_, 1, __ATOMIC_SEQ_CST);
    // Writers learn there is no reader (EPIPE), readers that there is no
    // writer (EOF).
    notify((reader ? uapi::kPOLLERR : 0) | (writer ? uapi::kPOLLHUP : 0));
}

size_t Pipe::available() const { return __atomic_load_n(&bytes_, __ATOMIC_RELAXED); }

size_t Pipe::capacity() const { return __atomic_load_n(&slot_count_, __ATOMIC_ACQUIRE) * kPage; }

lib::Expected<size_t> Pipe::read(IoBuffer& buffer, bool nonblocking) {
    size_t total = 0;
    for (;;) {
        bool was_full, faulted = false;
        {
            MutexGuard holding(mutex_);
            was_full = used_ == slot_count_;
            while (buffer.remaining() && used_) {
                Slot& slot = slots_[tail_];
                size_t n = slot.length < buffer.remaining() ? slot.length : buffer.remaining();
                size_t copied = buffer.copy_out(pages_ + tail_ * kPage + slot.offset, n);
                slot.offset += uint32_t(copied);
                slot.length -= uint32_t(copied);
                take_bytes(copied);
                if (slot.length == 0) {  // the buffer is free again
                    tail_ = tail_ + 1 == slot_count_ ? 0 : tail_ + 1;
                    set_used(used_ - 1);
                }
                total += copied;
                if (copied < n) {
                    faulted = true;
                    break;
                }
            }
        }
        // Writers wait only for a full pipe to have room (pipe_read's
        // was_full); pollers hear of every read.
        if (total) {
            if (was_full) write_wait_.wake_all();
            poll_.notify(uapi::kPOLLOUT);
        }
        if (faulted && total == 0) return fail(lib::Errno::kEFAULT, "read buffer not writable");
        if (total || buffer.remaining() == 0) return total;
        if (writers() == 0) return size_t(0);  // EOF
        if (nonblocking) return fail(lib::Errno::kEAGAIN, "pipe empty");
        TRY(wait_interruptible(read_wait_, [this] { return used() > 0 || writers() == 0; }));
    }
}

lib::Expected<size_t> Pipe::write(IoBuffer& buffer, bool nonblocking) {
    if (buffer.remaining() == 0) return size_t(0);
    size_t total = 0;
    bool merged = false;
    for (;;) {
        bool was_empty, faulted = false;
        size_t before = total;
        {
            MutexGuard holding(mutex_);
            if (readers() == 0) {
                if (total) return total;
                return fail(lib::Errno::kEPIPE, "no reader");
            }
            was_empty = used_ == 0;
            // pipe_write: the part below a page multiple joins the last
            // buffer when it fits there whole (once, at the start).
            size_t chars = buffer.remaining() % kPage;
            if (!merged && chars && used_) {
                size_t last = tail_ + used_ - 1;
                if (last >= slot_count_) last -= slot_count_;
                Slot& slot = slots_[last];
                size_t end = slot.offset + slot.length;
                if (end + chars <= kPage) {
                    size_t copied = buffer.copy_in(pages_ + last * kPage + end, chars);
                    slot.length += uint32_t(copied);
                    add_bytes(copied);
                    total += copied;
                    faulted = copied < chars;
                }
            }
            merged = true;
            // Then whole new buffers, a page at most each.
            while (!faulted && buffer.remaining() && used_ != slot_count_) {
                size_t slot = tail_ + used_;
                if (slot >= slot_count_) slot -= slot_count_;
                size_t n = buffer.remaining() < kPage ? buffer.remaining() : kPage;
                size_t copied = buffer.copy_in(pages_ + slot * kPage, n);
                if (copied) {
                    slots_[slot] = {0, uint32_t(copied)};
                    add_bytes(copied);
                    set_used(used_ + 1);
                }
                total += copied;
                faulted = copied < n;
            }
        }
        // Readers wait only for an empty pipe to get data (pipe_write's
        // was_empty); pollers hear of every write.
        if (total != before) {
            if (was_empty) read_wait_.wake_all();
            poll_.notify(uapi::kPOLLIN);
        }
        if (faulted) {
            if (total == 0) return fail(lib::Errno::kEFAULT, "write buffer not readable");
            return total;
        }
        if (buffer.remaining() == 0) return total;
        if (nonblocking) {
            if (total) return total;
            return fail(lib::Errno::kEAGAIN, "pipe full");
        }
        auto waited = wait_interruptible(write_wait_, [this] { return readers() == 0 || !full(); });
        if (!waited) {
            if (total) return total;
            return waited.error();
        }
    }
}

uint32_t Pipe::poll(PollTable* table, bool reader, bool writer) {
    if (table) table->add(poll_);  // before the look at the counts (poll.hpp)
    uint32_t events = 0;
    if (reader) {
        if (used()) events |= uapi::kPOLLIN | uapi::kPOLLRDNORM;
        if (writers() == 0) events |= uapi::kPOLLHUP;
    }
    if (writer) {
        if (!full()) events |= uapi::kPOLLOUT | uapi::kPOLLWRNORM;
        if (readers() == 0) events |= uapi::kPOLLERR;
    }
    return events;
}

lib::Expected<size_t> Pipe::resize(uint64_t size, bool privileged) {
    if (size > (1ULL << 31)) return fail(lib::Errno::kEINVAL, "pipe size too large");
    size_t capacity = round_pipe_size(size);
    if (capacity > uapi::kPipeMaxSize && !privileged) return fail(lib::Errno::kEPERM, "over pipe-max-size");
    size_t count = capacity / kPage;
    TRY(resize_ring(count));
    notify(uapi::kPOLLOUT);  // a bigger ring has room for waiting writers
    return capacity;
}

lib::Expected<void> Pipe::resize_ring(size_t count) {
    MutexGuard holding(mutex_);
    auto* pages = static_cast<uint8_t*>(allocate(count * kPage));
    auto* slots = static_cast<Slot*>(allocate(count * sizeof(Slot)));
    if (!pages || !slots) {
        fs::release(pages);
        fs::release(slots);
        return fail(lib::Errno::kENOMEM, "no memory for a pipe buffer");
    }
    // pipe_resize_ring: the buffers in use must fit the new ring.
    if (used_ > count) {
        fs::release(pages);
        fs::release(slots);
        return fail(lib::Errno::kEBUSY, "pipe holds more buffers than the new size");
    }
    for (size_t i = 0; i < used_; ++i) {
        size_t from = (tail_ + i) % slot_count_;
        lib::copy_bytes(pages + i * kPage, pages_ + from * kPage, kPage);
        slots[i] = slots_[from];
    }
    fs::release(pages_);
    fs::release(slots_);
    pages_ = pages, slots_ = slots;
    __atomic_store_n(&slot_count_, count, __ATOMIC_RELEASE);
    tail_ = 0;
    return {};
}

// ---- Ends

lib::Expected<PipeEnds> make_pipe(uint32_t flags) {
    if (flags & ~(uapi::kO_NONBLOCK | uapi::kO_CLOEXEC | uapi::kO_DIRECT))
        return fail(lib::Errno::kEINVAL, "pipe2 flags");
    if (flags & uapi::kO_DIRECT) return fail(lib::Errno::kEINVAL, "packet-mode pipes are not supported");
    PipeFs* pfs = pipe_fs();
    if (!pfs) return fail(lib::Errno::kENOMEM, "no pipefs");
    Pipe* pipe = TRY(Pipe::make());
    auto inode = pfs->make_inode(0, 0, {}, Credentials{});
    if (!inode) {
        pipe->release();
        return inode.error();
    }
    uint32_t status = (flags & uapi::kO_NONBLOCK) | uapi::kO_LARGEFILE;
    pipe->retain();  // one per end
    File* read_end = make<PipeFile>(Path(), *inode, uapi::kO_RDONLY | status, pipe, false);
    File* write_end = read_end ? make<PipeFile>(Path(), *inode, uapi::kO_WRONLY | status, pipe, false) : nullptr;
    (*inode)->release();
    if (!read_end || !write_end) {
        if (read_end) unmake(read_end);  // releases its reference
        else pipe->release();
        pipe->release();
        return fail(lib::Errno::kENOMEM, "no memory for pipe files");
    }
    pipe->open_end(true, true);
    PipeEnds ends;
    ends.read = FileRef(read_end);
    ends.write = FileRef(write_end);
    return ends;
}

static Pipe* pipe_of(File& file) {
    // Every open file of a FIFO type inode is a PipeFile (O_PATH ones
    // excepted, which the descriptor table does not hand to fcntl here).
    if (file.is_path_only()) return nullptr;
    return &static_cast<PipeFile&>(file).pipe();
}

lib::Expected<int64_t> pipe_size(File& file) {
    auto* p = file.inode()->type() == uapi::kS_IFIFO ? pipe_of(file) : nullptr;
    if (!p) return fail(lib::Errno::kEBADF, "not a pipe");
    return int64_t(p->capacity());
}

lib::Expected<int64_t> set_pipe_size(File& file, uint64_t size, bool privileged) {
    auto* p = file.inode()->type() == uapi::kS_IFIFO ? pipe_of(file) : nullptr;
    if (!p) return fail(lib::Errno::kEBADF, "not a pipe");
    return int64_t(TRY(p->resize(size, privileged)));
}

// ---- FIFOs (fifo(7)): open waits for the other side.

lib::Expected<File*> open_fifo(const Path& path, Inode* inode, uint32_t flags) {
    uint32_t accmode = flags & uapi::kO_ACCMODE;
    bool reader = accmode == uapi::kO_RDONLY || accmode == uapi::kO_RDWR;
    bool writer = accmode == uapi::kO_WRONLY || accmode == uapi::kO_RDWR;
    if (!reader && !writer) return fail(lib::Errno::kEINVAL, "FIFO open for neither reading nor writing");
    Pipe* pipe;
    {
        ksync::Guard guard(g_fifo_lock);
        pipe = inode->fifo_pipe;
        if (pipe) pipe->retain();
    }
    if (!pipe) {
        Pipe* made = TRY(Pipe::make());
        ksync::Guard guard(g_fifo_lock);
        if (!inode->fifo_pipe) {
            inode->fifo_pipe = made;  // the inode's reference
            made->retain();
            pipe = made;
        } else {
            pipe = inode->fifo_pipe;
            pipe->retain();
            made->release();
        }
    }
    // fifo_open: O_WRONLY|O_NONBLOCK without a reader is ENXIO.
    bool nonblocking = flags & uapi::kO_NONBLOCK;
    if (writer && !reader && nonblocking && pipe->readers() == 0) {
        pipe->release();
        return fail(lib::Errno::kENXIO, "no reader on the FIFO");
    }
    File* file = make<PipeFile>(path, inode, flags, pipe, true);
    if (!file) {
        pipe->release();
        return fail(lib::Errno::kENOMEM, "no memory for an open file");
    }
    uint64_t reader_opens = pipe->reader_opens(), writer_opens = pipe->writer_opens();
    pipe->open_end(reader, writer);
    FileRef ref(file);
    // A reader waits for a writer to open, a writer for a reader (unless
    // O_NONBLOCK, or O_RDWR which is both). A signal ends the wait.
    if (reader && !writer && !nonblocking && pipe->writers() == 0)
        TRY(wait_interruptible(pipe->open_wait(), [&] { return pipe->writer_opens() != writer_opens; }));
    if (writer && !reader && pipe->readers() == 0)
        TRY(wait_interruptible(pipe->open_wait(), [&] { return pipe->reader_opens() != reader_opens; }));
    return ref.take();
}

}  // namespace fs
