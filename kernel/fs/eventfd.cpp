// eventfd (see eventfd.hpp).
#include "kernel/fs/eventfd.hpp"

#include "kernel/fs/poll.hpp"
#include "kernel/fs/wait.hpp"

namespace fs {

namespace {

constexpr uint64_t kMaximum = 0xfffffffffffffffeULL;

class AnonymousInode final : public Inode {
public:
    explicit AnonymousInode(FileSystem& fs) : Inode(fs, 0600) { nlink_ = 1; }
};

class AnonymousFs final : public FileSystem {
public:
    AnonymousFs() : FileSystem("anon_inodefs", 0x09041934) {}  // ANON_INODE_FS_MAGIC
    lib::Expected<Inode*> make_inode(uint32_t, uint64_t, lib::StringView, const Credentials&) override {
        Inode* inode = make<AnonymousInode>(*this);
        if (!inode) return fail(lib::Errno::kENOMEM, "no memory for an inode");
        return inode;
    }
};

class EventFile final : public File {
public:
    EventFile(Inode* inode, uint32_t flags, uint64_t count, bool semaphore)
        : File(Path(), inode, flags), count_(count), semaphore_(semaphore) {}

    uint32_t poll(PollTable* table) override {
        if (table) table->add(poll_);
        ksync::Guard guard(lock_);
        uint32_t events = 0;
        if (count_ > 0) events |= uapi::kPOLLIN | uapi::kPOLLRDNORM;
        if (count_ < kMaximum) events |= uapi::kPOLLOUT | uapi::kPOLLWRNORM;
        return events;
    }
    bool pollable() const override { return true; }
    lib::Expected<int64_t> seek(int64_t, int) override { return fail(lib::Errno::kESPIPE, "an eventfd"); }

protected:
    bool seekable() const override { return false; }

    lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t*) override {
        if (buffer.remaining() < 8) return fail(lib::Errno::kEINVAL, "eventfd read under 8 bytes");
        uint64_t value;
        for (;;) {
            {
                ksync::Guard guard(lock_);
                if (count_ > 0) {
                    value = semaphore_ ? 1 : count_;
                    count_ -= value;
                    break;
                }
            }
            if (nonblocking()) return fail(lib::Errno::kEAGAIN, "eventfd count is 0");
            TRY(wait_interruptible(queue_, [this] {
                ksync::Guard guard(lock_);
                return count_ > 0;
            }));
        }
        queue_.wake_all();
        poll_.notify(uapi::kPOLLOUT);
        if (buffer.copy_out(&value, 8) != 8) {
            // Linux has consumed the count by then too.
            return fail(lib::Errno::kEFAULT, "eventfd read buffer not writable");
        }
        return size_t(8);
    }

    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t*) override {
        if (buffer.remaining() < 8) return fail(lib::Errno::kEINVAL, "eventfd write under 8 bytes");
        uint64_t value;
        if (buffer.copy_in(&value, 8) != 8) return fail(lib::Errno::kEFAULT, "eventfd write buffer not readable");
        if (value == ~0ULL) return fail(lib::Errno::kEINVAL, "eventfd value 2^64-1");
        for (;;) {
            {
                ksync::Guard guard(lock_);
                if (kMaximum - count_ >= value) {
                    count_ += value;
                    break;
                }
            }
            if (nonblocking()) return fail(lib::Errno::kEAGAIN, "eventfd count would overflow");
            TRY(wait_interruptible(queue_, [this, value] {
                ksync::Guard guard(lock_);
                return kMaximum - count_ >= value;
            }));
        }
        if (value) {
            queue_.wake_all();
            poll_.notify(uapi::kPOLLIN);
        }
        return size_t(8);
    }

private:
    ksync::SpinlockNoIrq lock_;
    uint64_t count_;
    bool semaphore_;
    WaitQueue queue_{"eventfd"};
    PollHead poll_;
};

}  // namespace

lib::Expected<Inode*> make_anonymous_inode() {
    static AnonymousFs* fs = nullptr;
    static ksync::SpinlockNoIrq lock;
    {
        ksync::Guard guard(lock);
        if (!fs) fs = make<AnonymousFs>();
    }
    if (!fs) return fail(lib::Errno::kENOMEM, "no anon_inodefs");
    return fs->make_inode(0, 0, {}, Credentials{});
}

lib::Expected<FileRef> make_eventfd(uint32_t initial, uint32_t flags) {
    if (flags & ~(uapi::kEFD_SEMAPHORE | uapi::kEFD_NONBLOCK | uapi::kEFD_CLOEXEC))
        return fail(lib::Errno::kEINVAL, "eventfd2 flags");
    Inode* inode = TRY(make_anonymous_inode());
    File* file = make<EventFile>(inode, uapi::kO_RDWR | (flags & uapi::kEFD_NONBLOCK), initial,
                                 (flags & uapi::kEFD_SEMAPHORE) != 0);
    inode->release();
    if (!file) return fail(lib::Errno::kENOMEM, "no memory for an eventfd");
    return FileRef(file);
}

}  // namespace fs
