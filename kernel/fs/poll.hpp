// Readiness: how poll(2), select(2) and epoll learn that a file's events
// changed (Linux's poll_table and wait-queue entries, reduced).
//
// A file that can block has a PollHead. Its File::poll(table) returns the
// events ready now and, when `table` is given, registers the table on the
// head (table->add(head)). Whoever changes the file's state calls
// head.notify(events): each registered entry's callback runs (from any
// context, with the head's lock held: it must be short and must not take
// the head again). poll's entries wake the polling thread; epoll's put the
// item on its ready list (epoll.hpp: the same PollTable interface, its add
// registering the item's own entry). Exclusive entries (EPOLLEXCLUSIVE
// items) are woken one at a time: once one's callback says it woke a
// waiter, no later exclusive entry is called for that notify (Linux's
// __wake_up_common with nr_exclusive 1; docs/fs.md "epoll").
//
//   fs::PollWaitTable table;                  // the thread's own
//   for (each fd) revents = file->poll(first_pass ? &table : nullptr) & events;
//   if (none ready) TRY(table.wait(deadline)); // woken by any notify, or the deadline/signal
//   table.clear();                            // unregisters everything
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_fs.hpp"
#include "kernel/fs/wait.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"

namespace fs {

class PollHead;
struct PollEntryTag {};

struct PollEntry : lib::ListNode<PollEntryTag> {
    // Called by PollHead::notify with the events that changed (a hint: the
    // callee asks the file again). For an exclusive entry it returns
    // whether it woke a waiter (then the notify ends its exclusive
    // wake-up); a plain entry's answer is not looked at.
    bool (*callback)(PollEntry* entry, uint32_t events) = nullptr;
    void* context = nullptr;
    PollHead* head = nullptr;  // where it is registered (nullptr: nowhere)
    bool exclusive = false;    // set before add()
};

class PollHead {
public:
    PollHead() = default;
    ~PollHead();
    PollHead(const PollHead&) = delete;
    PollHead& operator=(const PollHead&) = delete;

    // Registers `entry`, then a full fence: the caller's look at the
    // file's state comes after it, so a notify() that finds no entry (its
    // own fence after the state changed) is one whose change that look sees.
    void add(PollEntry& entry);
    void remove(PollEntry& entry);  // no-op if not registered here
    // Runs every plain entry's callback and the exclusive entries' in the
    // order they were added, up to the first that woke a waiter (any
    // context). Nobody registered: a
    // fence and one load, without the lock (a pipe notifies on every read
    // and write; Linux's wq_has_sleeper).
    void notify(uint32_t events) {
        // The notifier's state change before the look at the count; add()'s
        // fence orders a registration before the poller's look at the
        // state: one of the two sees the other.
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!empty()) notify_entries(events);
    }
    bool empty() const { return __atomic_load_n(&count_, __ATOMIC_RELAXED) == 0; }

private:
    void notify_entries(uint32_t events);

    IrqSpinlock lock_;
    lib::IntrusiveList<PollEntry, PollEntryTag> entries_;
    uint32_t count_ = 0;  // entries_' length, changed under lock_
};

// What File::poll registers on (Linux's poll_table with its queueing
// function): a poll(2)/select(2) call's table, or an epoll item.
class PollTable {
public:
    PollTable(const PollTable&) = delete;
    PollTable& operator=(const PollTable&) = delete;
    // File::poll calls this for each head that announces its changes.
    virtual void add(PollHead& head) = 0;

protected:
    PollTable() = default;
    ~PollTable() = default;
};

// One poll(2)/select(2) call's registrations: an entry per head the files
// named, all waking this table.
class PollWaitTable final : public PollTable {
public:
    PollWaitTable() = default;
    ~PollWaitTable() { clear(); }

    // Out of memory leaves the table unable to sleep (wait() returns at
    // once, so the caller polls again: never a missed event).
    void add(PollHead& head) override;
    // Sleeps until a registered head notified since the last wait (or since
    // the table was filled), the deadline (ns, ktime; ~0 none) passed
    // (kETIMEDOUT), or a signal (kERESTARTSYS, or kEINTR... as the caller
    // maps it).
    lib::Expected<void> wait(uint64_t deadline_ns);
    void clear();
    bool triggered() const { return __atomic_load_n(&triggered_, __ATOMIC_ACQUIRE); }

private:
    static bool wake(PollEntry* entry, uint32_t events);

    struct Block {
        static constexpr size_t kEntries = 30;
        PollEntry entries[kEntries];
        size_t used = 0;
        Block* next = nullptr;
    };
    Block first_;
    Block* last_ = &first_;
    bool overflowed_ = false;
    bool triggered_ = false;
    WaitQueue queue_{"poll"};
};

class FdTable;

// poll(2)/ppoll(2) over a kernel copy of the pollfd array: fills revents
// (negative fds ignored, a bad one POLLNVAL; POLLERR and POLLHUP always
// reported), returns how many entries have events. Waits until one does,
// until `deadline_ns` (ns, ktime; 0: do not wait; ~0: none) — then 0 — or
// a signal (ERESTARTNOHAND: poll is never restarted after a handler).
lib::Expected<size_t> poll_files(FdTable& table, uapi::Pollfd* fds, size_t count, uint64_t deadline_ns);

// select(2)/pselect6(2) over kernel copies of the fd_set bitmaps (any may be
// nullptr; `nfds` bits each): EBADF for a set bit naming no descriptor;
// returns the number of bits left set.
lib::Expected<size_t> select_files(FdTable& table, uint32_t nfds, uint64_t* read, uint64_t* write,
                                   uint64_t* except, uint64_t deadline_ns);

}  // namespace fs
