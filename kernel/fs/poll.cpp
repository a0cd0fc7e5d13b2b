// Poll heads and tables (see poll.hpp).
#include "kernel/fs/poll.hpp"

#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/node.hpp"

namespace fs {

PollHead::~PollHead() {
    ksync::Guard guard(lock_);
    while (PollEntry* e = entries_.front()) {
        entries_.remove(*e);
        e->head = nullptr;
    }
    __atomic_store_n(&count_, 0, __ATOMIC_RELAXED);
}

void PollHead::add(PollEntry& entry) {
    {
        ksync::Guard guard(lock_);
        entry.head = this;
        entries_.push_back(entry);
        __atomic_store_n(&count_, count_ + 1, __ATOMIC_RELAXED);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void PollHead::remove(PollEntry& entry) {
    ksync::Guard guard(lock_);
    if (entry.head != this) return;
    entries_.remove(entry);
    entry.head = nullptr;
    __atomic_store_n(&count_, count_ - 1, __ATOMIC_RELAXED);
}

void PollHead::notify_entries(uint32_t events) {
    ksync::Guard guard(lock_);
    bool woke_exclusive = false;
    for (PollEntry* e = entries_.front(); e; e = entries_.next(*e)) {
        if (!e->exclusive)
            e->callback(e, events);
        else if (!woke_exclusive)
            woke_exclusive = e->callback(e, events);
    }
}

bool PollWaitTable::wake(PollEntry* entry, uint32_t) {
    auto* table = static_cast<PollWaitTable*>(entry->context);
    __atomic_store_n(&table->triggered_, true, __ATOMIC_RELEASE);
    table->queue_.wake_all();
    return true;
}

void PollWaitTable::add(PollHead& head) {
    if (last_->used == Block::kEntries) {
        Block* block = make<Block>();
        if (!block) {
            overflowed_ = true;
            return;
        }
        last_->next = block;
        last_ = block;
    }
    PollEntry& entry = last_->entries[last_->used++];
    entry.callback = wake;
    entry.context = this;
    head.add(entry);
}

lib::Expected<void> PollWaitTable::wait(uint64_t deadline_ns) {
    if (overflowed_) return {};
    auto waited = wait_interruptible(queue_, [this] { return triggered(); }, deadline_ns);
    __atomic_store_n(&triggered_, false, __ATOMIC_RELEASE);
    return waited;
}

void PollWaitTable::clear() {
    for (Block* b = &first_; b; b = b->next)
        for (size_t i = 0; i < b->used; ++i)
            if (PollHead* head = __atomic_load_n(&b->entries[i].head, __ATOMIC_ACQUIRE)) head->remove(b->entries[i]);
    Block* b = first_.next;
    while (b) {
        Block* next = b->next;
        unmake(b);
        b = next;
    }
    first_.used = 0;
    first_.next = nullptr;
    last_ = &first_;
    overflowed_ = false;
    __atomic_store_n(&triggered_, false, __ATOMIC_RELEASE);
}

namespace {

// Polls every entry once; registers on `table` when given.
size_t poll_once(FdTable& files, uapi::Pollfd* fds, size_t count, PollTable* table) {
    size_t ready = 0;
    for (size_t i = 0; i < count; ++i) {
        uapi::Pollfd& p = fds[i];
        p.revents = 0;
        if (p.fd < 0) continue;
        auto file = files.get(p.fd, true);
        uint32_t mask;
        if (!file) {
            mask = uapi::kPOLLNVAL;
        } else if ((*file)->is_path_only()) {
            mask = uapi::kPOLLNVAL;  // O_PATH descriptors poll as bad ones (fdget fails)
        } else {
            uint32_t wanted = uint16_t(p.events) | uapi::kPOLLERR | uapi::kPOLLHUP;
            mask = (*file)->poll(table) & wanted;
        }
        p.revents = int16_t(mask);
        if (mask) ++ready;
    }
    return ready;
}

}  // namespace

lib::Expected<size_t> poll_files(FdTable& files, uapi::Pollfd* fds, size_t count, uint64_t deadline_ns) {
    PollWaitTable table;
    bool registered = deadline_ns != 0;
    for (;;) {
        size_t ready = poll_once(files, fds, count, registered ? &table : nullptr);
        if (ready || deadline_ns == 0) return ready;
        registered = false;  // one registration pass is enough
        auto waited = table.wait(deadline_ns);
        if (!waited) {
            if (waited.error().code == lib::Errno::kETIMEDOUT) return poll_once(files, fds, count, nullptr);
            return fail(lib::Errno::kERESTARTNOHAND, "poll interrupted by a signal");
        }
    }
}

lib::Expected<size_t> select_files(FdTable& files, uint32_t nfds, uint64_t* read, uint64_t* write, uint64_t* except,
                                   uint64_t deadline_ns) {
    constexpr uint32_t kIn = uapi::kPOLLRDNORM | uapi::kPOLLRDBAND | uapi::kPOLLIN | uapi::kPOLLHUP | uapi::kPOLLERR;
    constexpr uint32_t kOut = uapi::kPOLLWRBAND | uapi::kPOLLWRNORM | uapi::kPOLLOUT | uapi::kPOLLERR;
    constexpr uint32_t kEx = uapi::kPOLLPRI;
    auto bit = [](const uint64_t* set, uint32_t fd) { return set && (set[fd / 64] >> (fd % 64)) & 1; };
    // Which descriptors are asked about, and that they exist (EBADF).
    for (uint32_t fd = 0; fd < nfds; ++fd) {
        if (!bit(read, fd) && !bit(write, fd) && !bit(except, fd)) continue;
        auto file = files.get(int(fd), true);
        if (!file || (*file)->is_path_only()) return fail(lib::Errno::kEBADF, "select of a closed descriptor");
    }
    size_t words = (nfds + 63) / 64;
    // The sets asked about (the caller's become the answers).
    auto* asked = static_cast<uint64_t*>(allocate(3 * (words ? words : 1) * sizeof(uint64_t)));
    if (!asked) return fail(lib::Errno::kENOMEM, "no memory for select");
    struct Free {
        uint64_t* p;
        ~Free() { release(p); }
    } free_asked{asked};
    uint64_t *in_read = asked, *in_write = asked + words, *in_except = asked + 2 * words;
    for (size_t w = 0; w < words; ++w) {
        in_read[w] = read ? read[w] : 0;
        in_write[w] = write ? write[w] : 0;
        in_except[w] = except ? except[w] : 0;
    }
    PollWaitTable table;
    bool registered = deadline_ns != 0;
    for (;;) {
        size_t ready = 0;
        for (size_t w = 0; w < words; ++w) {
            if (read) read[w] = 0;
            if (write) write[w] = 0;
            if (except) except[w] = 0;
        }
        for (uint32_t fd = 0; fd < nfds; ++fd) {
            bool r = bit(in_read, fd), wr = bit(in_write, fd), ex = bit(in_except, fd);
            if (!r && !wr && !ex) continue;
            auto file = files.get(int(fd), true);
            if (!file) return fail(lib::Errno::kEBADF, "descriptor closed during select");
            uint32_t mask = (*file)->poll(registered ? &table : nullptr);
            uint64_t one = 1ULL << (fd % 64);
            if (r && (mask & kIn)) read[fd / 64] |= one, ++ready;
            if (wr && (mask & kOut)) write[fd / 64] |= one, ++ready;
            if (ex && (mask & kEx)) except[fd / 64] |= one, ++ready;
        }
        if (ready || deadline_ns == 0) return ready;
        registered = false;
        auto waited = table.wait(deadline_ns);
        if (!waited) {
            if (waited.error().code == lib::Errno::kETIMEDOUT) {
                deadline_ns = 0;  // one last look, no more waiting
                continue;
            }
            return fail(lib::Errno::kERESTARTNOHAND, "select interrupted by a signal");
        }
    }
}

}  // namespace fs
