// Pipes and FIFOs (pipe(7), fifo(7)): a byte ring shared by a read end and
// a write end.
//
// - read: what is there, up to the count (never waits for more); empty with
//   no writer left: 0 (EOF); empty otherwise: EAGAIN for O_NONBLOCK, else
//   sleep (a signal: ERESTARTSYS).
// - write: no reader left: EPIPE (the syscall layer sends SIGPIPE). The
//   pipe is Linux's ring of page-sized buffers (16 by default): a write's
//   part below a page multiple is added to the last buffer if it fits there
//   whole, the rest fills new buffers a page at a time. So a write of up to
//   PIPE_BUF (4096) bytes lands in one buffer, never split (atomic); larger
//   ones may interleave with other writers. A blocking writer waits for
//   free buffers until all went; an O_NONBLOCK one writes what fits (EAGAIN
//   when nothing did). Capacity in bytes therefore depends on write sizes
//   exactly as on Linux (1000-byte writes fill 64000 bytes).
// - poll: POLLIN with data, POLLHUP when no writer is left, POLLOUT while a
//   buffer is free, POLLERR when no reader is left.
// - capacity: 64 KiB; F_SETPIPE_SZ rounds up to a power of two of pages,
//   at least one page, at most /proc/sys/fs/pipe-max-size (1 MiB) unless
//   privileged (EPERM), never below what the pipe holds (EBUSY).
//
// One reader or writer moves bytes at a time (a sleeping mutex held across
// the user copy, let go while waiting, as Linux's pipe mutex). The mutex is
// the only lock: the counts that poll and the wake-up predicates look at
// (buffers in use, bytes, ring size, open ends) are written with atomic
// stores and read with atomic loads from anywhere, as Linux's pipe_poll
// reads head and tail without the mutex. Wake-ups happen after the mutex
// is let go, and a wait queue is woken only when its waiters can be
// there: readers when a write found the pipe empty, writers when a read
// found it full (Linux's was_empty/was_full); pollers hear of every change
// (docs/fs.md, "Pipes").
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.hpp"
#include "kernel/fs/poll.hpp"
#include "kernel/fs/wait.hpp"
#include "lib/expected.hpp"

namespace fs {

// pipe2(2): the read end and the write end. `flags`: O_NONBLOCK (both ends;
// O_CLOEXEC is the descriptors'; O_DIRECT: EINVAL here, packet mode is not
// supported).
struct PipeEnds {
    FileRef read;
    FileRef write;
};
lib::Expected<PipeEnds> make_pipe(uint32_t flags);

// fcntl(F_GETPIPE_SZ / F_SETPIPE_SZ) on any file: EBADF when it is not a
// pipe or FIFO (Linux's pipe_fcntl).
lib::Expected<int64_t> pipe_size(File& file);
lib::Expected<int64_t> set_pipe_size(File& file, uint64_t size, bool privileged);

class Pipe {
public:
    static lib::Expected<Pipe*> make();
    void retain() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    void release();

    // An end opens or closes (wakes the other side).
    void open_end(bool reader, bool writer);
    void close_end(bool reader, bool writer);

    lib::Expected<size_t> read(IoBuffer& buffer, bool nonblocking);
    lib::Expected<size_t> write(IoBuffer& buffer, bool nonblocking);
    uint32_t poll(PollTable* table, bool reader, bool writer);
    size_t available() const;
    size_t capacity() const;
    lib::Expected<size_t> resize(uint64_t size, bool privileged);

    // FIFO opens: wait for the other side.
    uint32_t readers() const { return __atomic_load_n(&readers_, __ATOMIC_ACQUIRE); }
    uint32_t writers() const { return __atomic_load_n(&writers_, __ATOMIC_ACQUIRE); }
    // How many ends of each kind were ever opened (a FIFO's open waits for
    // one, not for one to be open still).
    uint64_t reader_opens() const { return __atomic_load_n(&reader_opens_, __ATOMIC_ACQUIRE); }
    uint64_t writer_opens() const { return __atomic_load_n(&writer_opens_, __ATOMIC_ACQUIRE); }
    WaitQueue& open_wait() { return open_wait_; }

private:
    Pipe() = default;
    ~Pipe();
    template <typename T, typename... Args>
    friend T* make(Args&&... args);
    template <typename T>
    friend void unmake(T*);

    void notify(uint32_t events);
    lib::Expected<void> resize_ring(size_t count);

    struct Slot {
        uint32_t offset, length;  // the bytes of this page buffer still to read
    };
    // Without the mutex (poll, predicates): atomic loads.
    size_t used() const { return __atomic_load_n(&used_, __ATOMIC_ACQUIRE); }
    bool full() const { return used() == __atomic_load_n(&slot_count_, __ATOMIC_ACQUIRE); }
    void set_used(size_t used) { __atomic_store_n(&used_, used, __ATOMIC_RELEASE); }
    void add_bytes(size_t n) { __atomic_store_n(&bytes_, bytes_ + n, __ATOMIC_RELAXED); }
    void take_bytes(size_t n) { __atomic_store_n(&bytes_, bytes_ - n, __ATOMIC_RELAXED); }

    uint32_t references_ = 1;
    // Changed under mutex_ only.
    uint8_t* pages_ = nullptr;  // slot_count_ pages, slot i at i * 4096
    Slot* slots_ = nullptr;
    size_t slot_count_ = 0;
    size_t tail_ = 0;   // the slot read next
    size_t used_ = 0;   // slots in use from tail_
    size_t bytes_ = 0;  // unread bytes in all slots
    // Atomic counts (open_end/close_end).
    uint32_t readers_ = 0, writers_ = 0;
    uint64_t reader_opens_ = 0, writer_opens_ = 0;
    Mutex mutex_{"pipe"};
    WaitQueue read_wait_{"pipe read"};
    WaitQueue write_wait_{"pipe write"};
    WaitQueue open_wait_{"fifo open"};
    PollHead poll_;
};

}  // namespace fs
