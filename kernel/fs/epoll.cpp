// epoll instances (see epoll.hpp; Linux 6.1's fs/eventpoll.c is the
// behaviour followed).
#include "kernel/fs/epoll.hpp"

#include "kernel/fs/eventfd.hpp"
#include "kernel/fs/poll.hpp"
#include "kernel/fs/wait.hpp"

namespace fs {

struct EpollItemTag {};
struct EpollReadyTag {};
class EpollFile;

// One registration of an item on a head the file announces through (most
// files have one; more are chained).
struct EpollEntry {
    PollEntry entry;
    EpollEntry* next = nullptr;
};

struct EpollItem : lib::ListNode<EpollItemTag>, lib::ListNode<EpollReadyTag>, lib::ListNode<EpollWatchTag> {
    EpollFile* epoll = nullptr;
    File* file = nullptr;  // no reference: the item goes at the file's last release
    int fd = -1;
    uint32_t events = 0;  // written under the instance's mutex and ready lock
    uint64_t data = 0;    // under the instance's mutex
    EpollEntry first;
    bool out_of_memory = false;

    bool queued() const { return static_cast<const lib::ListNode<EpollReadyTag>&>(*this).linked(); }
};

namespace {

constexpr uint32_t kPrivateBits = uapi::kEPOLLWAKEUP | uapi::kEPOLLONESHOT | uapi::kEPOLLET | uapi::kEPOLLEXCLUSIVE;
constexpr uint32_t kExclusiveOk = uapi::kEPOLLIN | uapi::kEPOLLOUT | uapi::kEPOLLERR | uapi::kEPOLLHUP |
                                  uapi::kEPOLLWAKEUP | uapi::kEPOLLET | uapi::kEPOLLEXCLUSIVE;
constexpr int kMaxNests = 4;  // EP_MAX_NESTS

// The structure lock (epoll.hpp) and the loop check's visit generation.
Mutex g_epoll_mutex{"epoll"};
uint64_t g_generation = 0;

// Every instance shares one anonymous inode, as Linux's anon_inode_getfile
// does; it also tells an instance from any other file (is_file_epoll).
Inode* g_inode = nullptr;
ksync::SpinlockNoIrq g_inode_lock;

lib::Expected<Inode*> epoll_inode() {
    {
        ksync::Guard guard(g_inode_lock);
        if (g_inode) return g_inode;
    }
    Inode* inode = TRY(make_anonymous_inode());
    ksync::Guard guard(g_inode_lock);
    if (g_inode) {
        inode->release();  // another caller made it first
        return g_inode;
    }
    g_inode = inode;  // kept for ever
    return g_inode;
}

}  // namespace

class EpollFile final : public File {
public:
    EpollFile(Inode* inode, uint32_t flags) : File(Path(), inode, flags) {}

    bool pollable() const override { return true; }
    // noop_llseek: the position stays 0.
    lib::Expected<int64_t> seek(int64_t, int) override { return 0; }

    // POLLIN while a ready item really has events; items that turn out not
    // to be ready leave the list (__ep_eventpoll_poll).
    uint32_t poll(PollTable* table) override {
        if (table) table->add(poll_);
        MutexGuard hold(mutex_);
        EpollItem* item;
        {
            ksync::Guard guard(ready_lock_);
            item = ready_.front();
        }
        // Only holders of mutex_ take items off the list, so `item` stays
        // on it while it is asked (callbacks only append).
        while (item) {
            if (item->file->poll(nullptr) & item->events) return uapi::kPOLLIN | uapi::kPOLLRDNORM;
            EpollItem* next;
            {
                ksync::Guard guard(ready_lock_);
                next = ready_.next(*item);
                ready_.remove(*item);
            }
            // A callback between the look above and the removal found the
            // item still queued and left it there; its event is already
            // visible, so a second look after the removal sees it (a lost
            // wake-up of a nested instance otherwise: fs_epoll ktests).
            if (item->file->poll(nullptr) & item->events) {
                ksync::Guard guard(ready_lock_);
                if (!item->queued()) ready_.push_front(*item);
                return uapi::kPOLLIN | uapi::kPOLLRDNORM;
            }
            item = next;
        }
        return 0;
    }

    // The item of (`target`, `fd`), if any (mutex_).
    EpollItem* find(File& target, int fd) {
        for (EpollItem& item : items_)
            if (item.file == &target && item.fd == fd) return &item;
        return nullptr;
    }

    // ep_insert (g_epoll_mutex and mutex_ held).
    lib::Expected<void> insert(File& target, int fd, uint32_t events, uint64_t data);
    // ep_modify (mutex_ held).
    void modify(EpollItem& item, uint32_t events, uint64_t data) {
        {
            ksync::Guard guard(ready_lock_);
            item.events = events;
        }
        item.data = data;
        if (item.file->poll(nullptr) & events) queue(item);
    }
    // ep_remove (g_epoll_mutex and mutex_ held).
    void remove(EpollItem& item);

    // ep_send_events: up to `max` events into `out`.
    lib::Expected<size_t> send_events(IoBuffer& out, size_t max);
    lib::Expected<size_t> wait(IoBuffer& out, size_t max, uint64_t deadline_ns);

    // The loop check (ep_loop_check_proc) from this instance down, adding
    // to `into` (g_epoll_mutex held: item sets change only under it).
    bool reaches(EpollFile& into, int depth);

    Mutex mutex_{"epoll instance"};

protected:
    void on_close() override {
        MutexGuard global(g_epoll_mutex);
        MutexGuard hold(mutex_);
        while (EpollItem* item = items_.front()) remove(*item);
    }

private:
    static bool callback(PollEntry* entry, uint32_t events);
    // Puts `item` on the ready list (if not there) and wakes the waiters
    // and the instances watching this one.
    void queue(EpollItem& item) {
        {
            ksync::Guard guard(ready_lock_);
            if (!item.queued()) ready_.push_back(item);
        }
        wake();
    }
    void wake() {
        waiters_.wake_all();
        poll_.notify(uapi::kPOLLIN);
    }
    bool has_ready() {
        ksync::Guard guard(ready_lock_);
        return !ready_.empty();
    }

    friend class ItemQueue;

    lib::IntrusiveList<EpollItem, EpollItemTag> items_;  // g_epoll_mutex and mutex_ to change
    IrqSpinlock ready_lock_;
    lib::IntrusiveList<EpollItem, EpollReadyTag> ready_;  // ready_lock_
    WaitQueue waiters_{"epoll_wait"};
    PollHead poll_;         // instances watching this one, poll(2) on it
    uint64_t visited_ = 0;  // g_generation of the last loop check here
};

// File::poll's registrations for a new item: one entry per head
// (ep_ptable_queue_proc).
class ItemQueue final : public PollTable {
public:
    explicit ItemQueue(EpollItem& item) : item_(item) {}
    void add(PollHead& head) override {
        EpollEntry* slot = &item_.first;
        if (slot->entry.callback) {
            slot = make<EpollEntry>();
            if (!slot) {
                item_.out_of_memory = true;
                return;
            }
            slot->next = item_.first.next;
            item_.first.next = slot;
        }
        slot->entry.callback = EpollFile::callback;
        slot->entry.context = &item_;
        slot->entry.exclusive = item_.events & uapi::kEPOLLEXCLUSIVE;
        head.add(slot->entry);
    }

private:
    EpollItem& item_;
};

namespace {

// Whether a notify of `events` that reached an EPOLLEXCLUSIVE item
// (`wanted`) whose instance has a thread in epoll_wait ends the file's
// exclusive wake-up (ep_poll_callback's ewake): an EPOLLIN alone or an
// EPOLLOUT alone that the item waits for, or a notify naming neither.
// Ours besides: a hang-up or an error reaches every instance, as the
// release of a pipe end wakes every waiter in Linux (pipe_release's
// wake_up_interruptible_all), so no exclusive waiter sleeps on past it.
bool ends_exclusive_wake(uint32_t wanted, uint32_t events) {
    if (events & (uapi::kEPOLLHUP | uapi::kEPOLLERR)) return false;
    switch (events & (uapi::kEPOLLIN | uapi::kEPOLLOUT)) {
        case uapi::kEPOLLIN: return wanted & uapi::kEPOLLIN;
        case uapi::kEPOLLOUT: return wanted & uapi::kEPOLLOUT;
        case 0: return true;
        default: return false;
    }
}

}  // namespace

// ep_poll_callback: runs under the watched head's lock, any context. An
// exclusive item whose instance nobody waits in still gets the event on
// its ready list, but does not count as the wake-up (poll.hpp).
bool EpollFile::callback(PollEntry* entry, uint32_t events) {
    auto* item = static_cast<EpollItem*>(entry->context);
    EpollFile& epoll = *item->epoll;
    uint32_t wanted;
    {
        ksync::Guard guard(epoll.ready_lock_);
        wanted = item->events;
        if (!(wanted & ~kPrivateBits)) return false;     // an EPOLLONESHOT item already reported
        if (events && !(events & wanted)) return false;  // not an event it waits for
        if (!item->queued()) epoll.ready_.push_back(*item);
    }
    // Looked at before the wake takes the waiters off.
    bool woke = epoll.waiters_.has_waiters() && ends_exclusive_wake(wanted, events);
    epoll.wake();
    return woke;
}

lib::Expected<void> EpollFile::insert(File& target, int fd, uint32_t events, uint64_t data) {
    EpollItem* item = make<EpollItem>();
    if (!item) return fail(lib::Errno::kENOMEM, "no memory for an epoll item");
    item->epoll = this;
    item->file = &target;
    item->fd = fd;
    item->events = events;
    item->data = data;
    items_.push_back(*item);
    target.epoll_items().push_back(*item);
    __atomic_fetch_add(&target.epoll_watches(), 1, __ATOMIC_RELEASE);
    ItemQueue registration(*item);
    uint32_t ready = target.poll(&registration) & events;
    if (item->out_of_memory) {
        remove(*item);
        return fail(lib::Errno::kENOMEM, "no memory for an epoll registration");
    }
    if (ready) queue(*item);
    return {};
}

void EpollFile::remove(EpollItem& item) {
    // Unregistering takes each head's lock, so no callback for the item
    // runs on after this (the heads live as long as the file).
    for (EpollEntry* e = &item.first; e; e = e->next)
        if (PollHead* head = __atomic_load_n(&e->entry.head, __ATOMIC_ACQUIRE)) head->remove(e->entry);
    {
        ksync::Guard guard(ready_lock_);
        if (item.queued()) ready_.remove(item);
    }
    items_.remove(item);
    File& file = *item.file;
    file.epoll_items().remove(item);
    // The last access to the file: once its count reads 0, its last
    // release may free it (File::release).
    __atomic_fetch_sub(&file.epoll_watches(), 1, __ATOMIC_RELEASE);
    EpollEntry* extra = item.first.next;
    while (extra) {
        EpollEntry* next = extra->next;
        unmake(extra);
        extra = next;
    }
    unmake(&item);
}

lib::Expected<size_t> EpollFile::send_events(IoBuffer& out, size_t max) {
    MutexGuard hold(mutex_);
    // Level-triggered items reported go back at the end, after this scan
    // (while here they count as queued: a callback need not add them).
    lib::IntrusiveList<EpollItem, EpollReadyTag> again;
    size_t count = 0;
    bool faulted = false;
    while (count < max) {
        EpollItem* item;
        {
            ksync::Guard guard(ready_lock_);
            item = ready_.pop_front();
        }
        if (!item) break;
        // A callback from now on queues it again: no change is missed.
        uint32_t events = item->events;
        uint32_t ready = item->file->poll(nullptr) & events;
        if (!ready) continue;
        uapi::EpollEvent record{ready, item->data};
        if (out.copy_out(&record, sizeof record) != sizeof record) {
            ksync::Guard guard(ready_lock_);
            if (!item->queued()) ready_.push_front(*item);
            faulted = true;
            break;
        }
        ++count;
        if (events & uapi::kEPOLLONESHOT) {
            ksync::Guard guard(ready_lock_);
            item->events = events & kPrivateBits;
        } else if (!(events & uapi::kEPOLLET)) {
            ksync::Guard guard(ready_lock_);
            if (!item->queued()) again.push_back(*item);
        }
    }
    {
        ksync::Guard guard(ready_lock_);
        while (EpollItem* item = again.pop_front()) ready_.push_back(*item);
    }
    if (faulted && count == 0) return fail(lib::Errno::kEFAULT, "epoll_wait events not writable");
    return count;
}

lib::Expected<size_t> EpollFile::wait(IoBuffer& out, size_t max, uint64_t deadline_ns) {
    for (;;) {
        size_t count = TRY(send_events(out, max));
        if (count || deadline_ns == 0) return count;
        auto waited = wait_interruptible(
            waiters_, [this] { return has_ready(); }, deadline_ns);
        if (!waited) {
            if (waited.error().code != lib::Errno::kETIMEDOUT)
                return fail(lib::Errno::kEINTR, "epoll_wait interrupted by a signal");
            deadline_ns = 0;  // one last look
        }
    }
}

bool EpollFile::reaches(EpollFile& into, int depth) {
    visited_ = g_generation;
    for (EpollItem& item : items_) {
        if (!is_epoll(*item.file)) continue;
        auto& nested = static_cast<EpollFile&>(*item.file);
        if (nested.visited_ == g_generation) continue;
        if (&nested == &into || depth > kMaxNests) return true;
        if (nested.reaches(into, depth + 1)) return true;
    }
    return false;
}

bool is_epoll(const File& file) {
    Inode* inode;
    {
        ksync::Guard guard(g_inode_lock);
        inode = g_inode;
    }
    return inode && file.inode() == inode;
}

lib::Expected<FileRef> make_epoll(uint32_t flags) {
    if (flags & ~uapi::kEPOLL_CLOEXEC) return fail(lib::Errno::kEINVAL, "epoll_create1 flags");
    Inode* inode = TRY(epoll_inode());
    File* file = make<EpollFile>(inode, uapi::kO_RDWR);
    if (!file) return fail(lib::Errno::kENOMEM, "no memory for an epoll instance");
    return FileRef(file);
}

lib::Expected<void> epoll_control(File& epoll, int op, File& target, int fd, const uapi::EpollEvent& event) {
    if (!target.pollable()) return fail(lib::Errno::kEPERM, "the target file has no poll");
    if (&epoll == &target || !is_epoll(epoll)) return fail(lib::Errno::kEINVAL, "not an epoll instance, or itself");
    uint32_t events = event.events;
    if (op != uapi::kEPOLL_CTL_DEL && (events & uapi::kEPOLLEXCLUSIVE)) {
        if (op == uapi::kEPOLL_CTL_MOD) return fail(lib::Errno::kEINVAL, "EPOLLEXCLUSIVE with EPOLL_CTL_MOD");
        if (op == uapi::kEPOLL_CTL_ADD && (is_epoll(target) || (events & ~kExclusiveOk)))
            return fail(lib::Errno::kEINVAL, "EPOLLEXCLUSIVE with other events or on an epoll instance");
    }
    auto& instance = static_cast<EpollFile&>(epoll);
    MutexGuard global(g_epoll_mutex);
    if (op == uapi::kEPOLL_CTL_ADD && is_epoll(target)) {
        ++g_generation;
        if (static_cast<EpollFile&>(target).reaches(instance, 0))
            return fail(lib::Errno::kELOOP, "the epoll instances would make a loop or nest too deep");
    }
    MutexGuard hold(instance.mutex_);
    EpollItem* item = instance.find(target, fd);
    switch (op) {
        case uapi::kEPOLL_CTL_ADD:
            if (item) return fail(lib::Errno::kEEXIST, "already watched");
            return instance.insert(target, fd, events | uapi::kEPOLLERR | uapi::kEPOLLHUP, event.data);
        case uapi::kEPOLL_CTL_DEL:
            if (!item) return fail(lib::Errno::kENOENT, "not watched");
            instance.remove(*item);
            return {};
        case uapi::kEPOLL_CTL_MOD:
            if (!item) return fail(lib::Errno::kENOENT, "not watched");
            // Linux leaves an EPOLLEXCLUSIVE item as it is, with EINVAL.
            if (item->events & uapi::kEPOLLEXCLUSIVE) return fail(lib::Errno::kEINVAL, "an EPOLLEXCLUSIVE item");
            instance.modify(*item, events | uapi::kEPOLLERR | uapi::kEPOLLHUP, event.data);
            return {};
        default: return fail(lib::Errno::kEINVAL, "unknown epoll_ctl op");
    }
}

lib::Expected<size_t> epoll_wait_events(File& epoll, IoBuffer& out, size_t max, uint64_t deadline_ns) {
    if (!is_epoll(epoll)) return fail(lib::Errno::kEINVAL, "not an epoll instance");
    return static_cast<EpollFile&>(epoll).wait(out, max, deadline_ns);
}

void epoll_forget_file(File& file) {
    MutexGuard global(g_epoll_mutex);
    while (EpollItem* item = file.epoll_items().front()) {
        EpollFile& instance = *item->epoll;
        MutexGuard hold(instance.mutex_);
        instance.remove(*item);
    }
}

}  // namespace fs
