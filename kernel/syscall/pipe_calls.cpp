// Pipes and readiness: pipe, pipe2, poll, ppoll, select, pselect6, the
// epoll calls and eventfd over the VFS's pipes, poll tables, epoll
// instances and eventfds (kernel/fs/pipe.hpp, poll.hpp, epoll.hpp,
// eventfd.hpp; docs/fs.md). Errno order and the timeout rules follow Linux
// 6.1's fs/pipe.c, fs/select.c and fs/eventpoll.c: the timeout and the
// signal mask are read before the descriptors, ppoll/select/pselect6 write
// back the time left, and a signal ends the wait with ERESTARTNOHAND
// (restarted when no handler runs, EINTR after one; docs/signals.md §4) —
// but epoll_wait's with EINTR, never restarted.
#include "kernel/abi/linux_fs.hpp"
#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_signal.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/abi/linux_time.hpp"
#include "kernel/fs/epoll.hpp"
#include "kernel/fs/eventfd.hpp"
#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/pipe.hpp"
#include "kernel/fs/poll.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signal_set.hpp"
#include "kernel/syscall/handler_support.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"
#include "kernel/time/time.hpp"

namespace sys {
namespace {

// ---- pipe(2), pipe2(2)

lib::Expected<int64_t> sys_pipe2(uint64_t fds_address, uint32_t flags) {
    // O_NOTIFICATION_PIPE (= O_EXCL) is a watch queue: not here.
    if (flags & ~(uapi::kO_CLOEXEC | uapi::kO_NONBLOCK | uapi::kO_DIRECT)) return error(Errno::kEINVAL, "pipe2 flags");
    fs::PipeEnds ends = TRY(fs::make_pipe(flags));
    bool cloexec = (flags & uapi::kO_CLOEXEC) != 0;
    int fds[2];
    fds[0] = TRY(files().install(ends.read.take(), cloexec, nofile_limit()));
    auto second = files().install(ends.write.take(), cloexec, nofile_limit());
    if (!second) {
        (void)files().close(fds[0]);
        return second.error();
    }
    fds[1] = *second;
    // Linux gives the descriptors back when they cannot be written out.
    if (auto copied = copy_out_bytes(fds_address, fds, sizeof fds); !copied) {
        (void)files().close(fds[0]);
        (void)files().close(fds[1]);
        return copied.error();
    }
    return 0;
}

lib::Expected<int64_t> sys_pipe(uint64_t fds_address) {
    return sys_pipe2(fds_address, 0);
}

// ---- timeouts and masks (poll_select_set_timeout, set_user_sigmask)

constexpr uint64_t kNoDeadline = ~0ULL;

// The deadline of a relative timeout: 0 for a zero timeout (do not wait),
// kNoDeadline past what the clock can count.
uint64_t deadline_after(uint64_t seconds, uint64_t nanoseconds) {
    if (seconds == 0 && nanoseconds == 0) return 0;
    if (seconds > 100ULL * 365 * 24 * 3600) return kNoDeadline;
    return ktime::now_ns() + seconds * 1000000000ULL + nanoseconds;
}

// A timeout in milliseconds (poll, epoll_wait): negative waits for ever.
uint64_t milliseconds_deadline(int timeout_ms) {
    if (timeout_ms < 0) return kNoDeadline;
    return deadline_after(uint64_t(timeout_ms) / 1000, uint64_t(timeout_ms) % 1000 * 1000000);
}

lib::Expected<uint64_t> timespec_deadline(uint64_t address) {
    if (!address) return kNoDeadline;
    uapi::Timespec t;
    TRY(copy_in_bytes(&t, address, sizeof t));
    if (!uapi::timespec_valid(t)) return error(Errno::kEINVAL, "timeout");
    return deadline_after(uint64_t(t.tv_sec), uint64_t(t.tv_nsec));
}

// What is left of a timeout, written back (ppoll, select, pselect6); a
// zero timeout is left alone. A pointer that cannot be written makes an
// interrupted call EINTR instead of restarting (poll_select_finish).
lib::Expected<int64_t> finish(lib::Expected<int64_t> result, uint64_t address, uint64_t deadline, bool timeval) {
    if (!address || deadline == 0 || deadline == kNoDeadline) return result;
    uint64_t now = ktime::now_ns();
    uint64_t left = deadline > now ? deadline - now : 0;
    bool written;
    if (timeval) {
        uapi::Timeval t{int64_t(left / 1000000000ULL), int64_t(left % 1000000000ULL / 1000)};
        written = copy_out_bytes(address, &t, sizeof t).has_value();
    } else {
        uapi::Timespec t{int64_t(left / 1000000000ULL), int64_t(left % 1000000000ULL)};
        written = copy_out_bytes(address, &t, sizeof t).has_value();
    }
    if (!written && !result && result.error().code == Errno::kERESTARTNOHAND)
        return error(Errno::kEINTR, "interrupted (the time left could not be written)");
    return result;
}

// ppoll/pselect6/epoll_pwait's mask for the duration of the call
// (set_user_sigmask): EINVAL for a size other than 8, EFAULT. The old mask
// comes back at the end of the call, or after the handler when a signal
// interrupted it (`interrupted`: the error that says so).
class TemporaryMask {
public:
    lib::Expected<void> set(uint64_t mask_address, uint64_t size) {
        if (!mask_address) return {};
        if (size != uapi::kSigsetSize) return error(Errno::kEINVAL, "sigset size");
        uapi::Sigset mask;
        TRY(copy_in_bytes(&mask, mask_address, sizeof mask));
        proc::Task& task = *proc::current_task();
        ksync::Guard guard(task.process->signal_lock);
        task.signals.saved_blocked = task.signals.blocked;
        task.signals.restore_saved = true;
        task.signals.blocked = mask & ~proc::kUnblockableSignals;
        set_ = true;
        return {};
    }
    void finish(const lib::Expected<int64_t>& result, Errno interrupted = Errno::kERESTARTNOHAND) {
        if (!set_ || (!result && result.error().code == interrupted)) return;
        proc::Task& task = *proc::current_task();
        ksync::Guard guard(task.process->signal_lock);
        task.signals.blocked = task.signals.saved_blocked;
        task.signals.restore_saved = false;
    }

private:
    bool set_ = false;
};

// ---- poll(2), ppoll(2)

lib::Expected<int64_t> poll_user(uint64_t fds_address, uint64_t count, uint64_t deadline) {
    if (count > nofile_limit()) return error(Errno::kEINVAL, "more pollfds than RLIMIT_NOFILE");
    size_t bytes = size_t(count) * sizeof(uapi::Pollfd);
    auto* fds = static_cast<uapi::Pollfd*>(count ? mm::kmalloc(bytes) : nullptr);
    if (count && !fds) return error(Errno::kENOMEM, "no memory for the pollfds");
    struct Free {
        void* p;
        ~Free() { mm::kfree(p); }
    } free_fds{fds};
    if (count) TRY(copy_in_bytes(fds, fds_address, bytes));
    size_t ready = TRY(fs::poll_files(files(), fds, size_t(count), deadline));
    // Only revents go back (do_sys_poll writes each entry's revents).
    for (size_t i = 0; i < count; ++i)
        TRY(copy_out_bytes(fds_address + i * sizeof(uapi::Pollfd) + __builtin_offsetof(uapi::Pollfd, revents),
                           &fds[i].revents, sizeof fds[i].revents));
    return int64_t(ready);
}

lib::Expected<int64_t> sys_poll(uint64_t fds_address, uint32_t count, int timeout_ms) {
    // (Linux restarts an interrupted poll with the time left through
    // restart_syscall; here it restarts with its whole timeout.)
    return poll_user(fds_address, count, milliseconds_deadline(timeout_ms));
}

lib::Expected<int64_t> sys_ppoll(uint64_t fds_address, uint32_t count, uint64_t timeout_address, uint64_t mask_address,
                                 uint64_t mask_size) {
    uint64_t deadline = TRY(timespec_deadline(timeout_address));
    TemporaryMask mask;
    TRY(mask.set(mask_address, mask_size));
    auto result = poll_user(fds_address, count, deadline);
    mask.finish(result);
    return finish(lib::move(result), timeout_address, deadline, false);
}

// ---- select(2), pselect6(2)

lib::Expected<int64_t> select_user(int n, uint64_t read_address, uint64_t write_address, uint64_t except_address,
                                   uint64_t deadline) {
    if (n < 0) return error(Errno::kEINVAL, "negative nfds");
    // Bits past the descriptor table are not read (core_sys_select caps n
    // at the table's size, at least 64 here).
    uint32_t table_bits = (files().end() + 63) / 64 * 64;
    if (table_bits < 64) table_bits = 64;
    uint32_t bits = uint32_t(n) < table_bits ? uint32_t(n) : table_bits;
    size_t words = (bits + 63) / 64;
    size_t bytes = words * 8;
    uint64_t* sets = static_cast<uint64_t*>(mm::kmalloc(bytes * 3 + 8));
    if (!sets) return error(Errno::kENOMEM, "no memory for the fd sets");
    struct Free {
        void* p;
        ~Free() { mm::kfree(p); }
    } free_sets{sets};
    uint64_t addresses[3] = {read_address, write_address, except_address};
    uint64_t* set[3] = {};
    for (int i = 0; i < 3; ++i) {
        if (!addresses[i]) continue;
        set[i] = sets + i * words;
        for (size_t w = 0; w < words; ++w) set[i][w] = 0;
        // Only the first `bits` bits count (a partial last byte keeps its
        // other bits out, as get_fd_set copies whole bytes and do_select
        // looks at n bits).
        TRY(copy_in_bytes(set[i], addresses[i], (bits + 7) / 8));
        if (bits % 64) set[i][words - 1] &= (1ULL << (bits % 64)) - 1;
    }
    size_t ready = TRY(fs::select_files(files(), bits, set[0], set[1], set[2], deadline));
    for (int i = 0; i < 3; ++i)
        if (set[i]) TRY(copy_out_bytes(addresses[i], set[i], (bits + 7) / 8));
    return int64_t(ready);
}

lib::Expected<int64_t> sys_select(int n, uint64_t read_address, uint64_t write_address, uint64_t except_address,
                                  uint64_t timeout_address) {
    uint64_t deadline = kNoDeadline;
    if (timeout_address) {
        uapi::Timeval t;
        TRY(copy_in_bytes(&t, timeout_address, sizeof t));
        // kern_select: microseconds past a second carry into the seconds;
        // negative parts are EINVAL.
        int64_t seconds = t.tv_sec + t.tv_usec / 1000000, nanoseconds = t.tv_usec % 1000000 * 1000;
        if (seconds < 0 || nanoseconds < 0) return error(Errno::kEINVAL, "select timeout");
        deadline = deadline_after(uint64_t(seconds), uint64_t(nanoseconds));
    }
    auto result = select_user(n, read_address, write_address, except_address, deadline);
    return finish(lib::move(result), timeout_address, deadline, true);
}

lib::Expected<int64_t> sys_pselect6(int n, uint64_t read_address, uint64_t write_address, uint64_t except_address,
                                    uint64_t timeout_address, uint64_t mask_pack) {
    // The sixth argument points at {const sigset_t* mask, size_t size}.
    uint64_t pack[2] = {0, 0};
    if (mask_pack) TRY(copy_in_bytes(pack, mask_pack, sizeof pack));
    uint64_t deadline = TRY(timespec_deadline(timeout_address));
    TemporaryMask mask;
    TRY(mask.set(pack[0], pack[1]));
    auto result = select_user(n, read_address, write_address, except_address, deadline);
    mask.finish(result);
    return finish(lib::move(result), timeout_address, deadline, false);
}

// ---- epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2) and
// its pwait variants (fs/eventpoll.c)

lib::Expected<int64_t> sys_epoll_create1(int flags) {
    fs::FileRef epoll = TRY(fs::make_epoll(uint32_t(flags)));
    int fd = TRY(files().install(epoll.get(), (flags & uapi::kEPOLL_CLOEXEC) != 0, nofile_limit()));
    (void)epoll.take();  // the table has its reference now
    return fd;
}

lib::Expected<int64_t> sys_epoll_create(int size) {
    if (size <= 0) return error(Errno::kEINVAL, "epoll_create size");
    return sys_epoll_create1(0);
}

lib::Expected<int64_t> sys_epoll_ctl(int epfd, int op, int fd, uint64_t event_address) {
    // The event is read first, for every op but DEL (even an unknown one).
    uapi::EpollEvent event{};
    if (op != uapi::kEPOLL_CTL_DEL) TRY(copy_in_bytes(&event, event_address, sizeof event));
    fs::FileRef epoll = TRY(files().get(epfd));
    fs::FileRef target = TRY(files().get(fd));
    TRY(fs::epoll_control(*epoll, op, *target, fd, event));
    return 0;
}

// do_epoll_wait: maxevents in (0, INT_MAX / 12], the whole array in user
// space (access_ok), then the descriptor.
lib::Expected<int64_t> epoll_wait_user(int epfd, uint64_t events_address, int max, uint64_t deadline) {
    if (max <= 0 || uint64_t(max) > 0x7fffffffULL / sizeof(uapi::EpollEvent))
        return error(Errno::kEINVAL, "epoll_wait maxevents");
    if (!arch::user_range_ok(events_address, uint64_t(max) * sizeof(uapi::EpollEvent)))
        return error(Errno::kEFAULT, "epoll_wait events outside user space");
    fs::FileRef epoll = TRY(files().get(epfd));
    fs::IoBuffer::Segment segment;
    fs::IoBuffer out = fs::IoBuffer::user_one(segment, events_address, size_t(max) * sizeof(uapi::EpollEvent));
    return int64_t(TRY(fs::epoll_wait_events(*epoll, out, size_t(max), deadline)));
}

lib::Expected<int64_t> sys_epoll_wait(int epfd, uint64_t events_address, int max, int timeout_ms) {
    return epoll_wait_user(epfd, events_address, max, milliseconds_deadline(timeout_ms));
}

// The mask is set before anything else is checked, and stays until after
// the handler when a signal ended the wait (restore_saved_sigmask_unless).
lib::Expected<int64_t> sys_epoll_pwait(int epfd, uint64_t events_address, int max, int timeout_ms,
                                       uint64_t mask_address, uint64_t mask_size) {
    TemporaryMask mask;
    TRY(mask.set(mask_address, mask_size));
    auto result = epoll_wait_user(epfd, events_address, max, milliseconds_deadline(timeout_ms));
    mask.finish(result, Errno::kEINTR);
    return result;
}

// epoll_pwait2: a timespec timeout (NULL: none), read before the mask; the
// time left is not written back.
lib::Expected<int64_t> sys_epoll_pwait2(int epfd, uint64_t events_address, int max, uint64_t timeout_address,
                                        uint64_t mask_address, uint64_t mask_size) {
    uint64_t deadline = TRY(timespec_deadline(timeout_address));
    TemporaryMask mask;
    TRY(mask.set(mask_address, mask_size));
    auto result = epoll_wait_user(epfd, events_address, max, deadline);
    mask.finish(result, Errno::kEINTR);
    return result;
}

// ---- eventfd(2), eventfd2(2)

lib::Expected<int64_t> sys_eventfd2(uint32_t initial, int flags) {
    fs::FileRef file = TRY(fs::make_eventfd(initial, uint32_t(flags)));
    int fd = TRY(files().install(file.get(), (flags & uapi::kEFD_CLOEXEC) != 0, nofile_limit()));
    (void)file.take();  // the table has its reference now
    return fd;
}

lib::Expected<int64_t> sys_eventfd(uint32_t initial) {
    return sys_eventfd2(initial, 0);
}

}  // namespace

void add_pipe_calls(Entry* table) {
    table[uapi::kNR_pipe] = &call<&sys_pipe>;
    table[uapi::kNR_pipe2] = &call<&sys_pipe2>;
    table[uapi::kNR_poll] = &call<&sys_poll>;
    table[uapi::kNR_ppoll] = &call<&sys_ppoll>;
    table[uapi::kNR_select] = &call<&sys_select>;
    table[uapi::kNR_pselect6] = &call<&sys_pselect6>;
    table[uapi::kNR_epoll_create] = &call<&sys_epoll_create>;
    table[uapi::kNR_epoll_create1] = &call<&sys_epoll_create1>;
    table[uapi::kNR_epoll_ctl] = &call<&sys_epoll_ctl>;
    table[uapi::kNR_epoll_wait] = &call<&sys_epoll_wait>;
    table[uapi::kNR_epoll_pwait] = &call<&sys_epoll_pwait>;
    table[uapi::kNR_epoll_pwait2] = &call<&sys_epoll_pwait2>;
    table[uapi::kNR_eventfd] = &call<&sys_eventfd>;
    table[uapi::kNR_eventfd2] = &call<&sys_eventfd2>;
}

}  // namespace sys
