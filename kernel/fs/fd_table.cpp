// The descriptor table (see fd_table.hpp).
#include "kernel/fs/fd_table.hpp"

#include "lib/memory.hpp"

namespace fs {

lib::Expected<FdTable*> FdTable::make() {
    FdTable* table = fs::make<FdTable>();
    if (!table) return fail(lib::Errno::kENOMEM, "no memory for a descriptor table");
    return table;
}

FdTable::~FdTable() {
    for (uint32_t i = 0; i < capacity_; ++i)
        if (slots_[i].file) slots_[i].file->release();
    fs::release(slots_);
}

void FdTable::release() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) unmake(this);
}

lib::Expected<FdTable*> FdTable::copy() {
    FdTable* table = TRY(make());
    ksync::Guard guard(lock_);
    if (capacity_) {
        table->slots_ = static_cast<Slot*>(allocate(sizeof(Slot) * capacity_));
        if (!table->slots_) {
            table->release();
            return fail(lib::Errno::kENOMEM, "no memory for a descriptor table");
        }
        table->capacity_ = capacity_;
        for (uint32_t i = 0; i < capacity_; ++i) {
            table->slots_[i] = slots_[i];
            if (slots_[i].file) slots_[i].file->retain();
        }
    }
    return table;
}

lib::Expected<void> FdTable::grow(uint32_t size) {
    if (size <= capacity_) return {};
    uint32_t capacity = capacity_ ? capacity_ : 64;
    while (capacity < size) capacity *= 2;
    if (capacity > kMaxDescriptors) capacity = kMaxDescriptors;
    auto* slots = static_cast<Slot*>(allocate(sizeof(Slot) * capacity));
    if (!slots) return fail(lib::Errno::kENOMEM, "no memory for descriptors");
    if (capacity_) lib::copy_bytes(slots, slots_, sizeof(Slot) * capacity_);
    lib::fill_bytes(slots + capacity_, 0, sizeof(Slot) * (capacity - capacity_));
    fs::release(slots_);
    slots_ = slots;
    capacity_ = capacity;
    return {};
}

int FdTable::lowest_free(uint32_t minimum, uint32_t limit) const {
    for (uint32_t fd = minimum; fd < limit; ++fd)
        if (fd >= capacity_ || !slots_[fd].file) return int(fd);
    return -1;
}

lib::Expected<int> FdTable::install(File* file, bool close_on_exec, uint32_t limit, uint32_t minimum) {
    if (limit > kMaxDescriptors) limit = kMaxDescriptors;
    if (minimum >= limit) return fail(lib::Errno::kEINVAL, "descriptor at or past RLIMIT_NOFILE");
    ksync::Guard guard(lock_);
    int fd = lowest_free(minimum, limit);
    if (fd < 0) return fail(lib::Errno::kEMFILE, "too many open files");
    TRY(grow(uint32_t(fd) + 1));
    slots_[fd] = {file, close_on_exec};
    return fd;
}

lib::Expected<FileRef> FdTable::get(int fd, bool allow_path) {
    ksync::Guard guard(lock_);
    if (fd < 0 || uint32_t(fd) >= capacity_ || !slots_[fd].file) return fail(lib::Errno::kEBADF, "bad descriptor");
    File* file = slots_[fd].file;
    if (file->is_path_only() && !allow_path) return fail(lib::Errno::kEBADF, "O_PATH descriptor");
    file->retain();
    return FileRef(file);
}

FileBorrow FdTable::borrow_counted(int fd) {
    auto file = get(fd);
    return FileBorrow(file ? file->take() : nullptr, true);
}

lib::Expected<void> FdTable::close(int fd) {
    File* file;
    {
        ksync::Guard guard(lock_);
        if (fd < 0 || uint32_t(fd) >= capacity_ || !slots_[fd].file) return fail(lib::Errno::kEBADF, "bad descriptor");
        file = slots_[fd].file;
        slots_[fd] = {nullptr, false};
    }
    file->release();
    return {};
}

lib::Expected<int> FdTable::duplicate(int fd, uint32_t minimum, bool close_on_exec, uint32_t limit) {
    FileRef file = TRY(get(fd, true));
    int new_fd = TRY(install(file.get(), close_on_exec, limit, minimum));
    (void)file.take();  // the table holds it now
    return new_fd;
}

lib::Expected<int> FdTable::duplicate_to(int old_fd, int new_fd, uint32_t flags, bool is_dup3, uint32_t limit) {
    if (is_dup3 && (flags & ~uapi::kO_CLOEXEC)) return fail(lib::Errno::kEINVAL, "dup3 flags");
    FileRef file = TRY(get(old_fd, true));
    if (old_fd == new_fd) {
        if (is_dup3) return fail(lib::Errno::kEINVAL, "dup3 to the same descriptor");
        return new_fd;
    }
    if (limit > kMaxDescriptors) limit = kMaxDescriptors;
    if (new_fd < 0 || uint32_t(new_fd) >= limit) return fail(lib::Errno::kEBADF, "new descriptor out of range");
    File* replaced = nullptr;
    {
        ksync::Guard guard(lock_);
        TRY(grow(uint32_t(new_fd) + 1));
        replaced = slots_[new_fd].file;
        slots_[new_fd] = {file.take(), (flags & uapi::kO_CLOEXEC) != 0};
    }
    if (replaced) replaced->release();
    return new_fd;
}

lib::Expected<bool> FdTable::close_on_exec(int fd) {
    ksync::Guard guard(lock_);
    if (fd < 0 || uint32_t(fd) >= capacity_ || !slots_[fd].file) return fail(lib::Errno::kEBADF, "bad descriptor");
    return slots_[fd].close_on_exec;
}

lib::Expected<void> FdTable::set_close_on_exec(int fd, bool value) {
    ksync::Guard guard(lock_);
    if (fd < 0 || uint32_t(fd) >= capacity_ || !slots_[fd].file) return fail(lib::Errno::kEBADF, "bad descriptor");
    slots_[fd].close_on_exec = value;
    return {};
}

void FdTable::close_on_exec_now() {
    for (uint32_t fd = 0;; ++fd) {
        File* file = nullptr;
        {
            ksync::Guard guard(lock_);
            if (fd >= capacity_) return;
            if (slots_[fd].file && slots_[fd].close_on_exec) {
                file = slots_[fd].file;
                slots_[fd] = {nullptr, false};
            }
        }
        if (file) file->release();
    }
}

lib::Expected<void> FdTable::close_range(uint32_t first, uint32_t last, uint32_t flags) {
    if (flags & ~(uapi::kCLOSE_RANGE_CLOEXEC | uapi::kCLOSE_RANGE_UNSHARE))
        return fail(lib::Errno::kEINVAL, "close_range flags");
    if (first > last) return fail(lib::Errno::kEINVAL, "close_range: first > last");
    for (uint64_t fd = first; fd <= last; ++fd) {
        File* file = nullptr;
        {
            ksync::Guard guard(lock_);
            if (fd >= capacity_) return {};
            if (!slots_[fd].file) continue;
            if (flags & uapi::kCLOSE_RANGE_CLOEXEC) {
                slots_[fd].close_on_exec = true;
                continue;
            }
            file = slots_[fd].file;
            slots_[fd] = {nullptr, false};
        }
        file->release();
    }
    return {};
}

uint32_t FdTable::count() const {
    ksync::Guard guard(lock_);
    uint32_t n = 0;
    for (uint32_t i = 0; i < capacity_; ++i) n += slots_[i].file != nullptr;
    return n;
}

lib::Expected<FdTable::Description> FdTable::describe(int fd) const {
    ksync::Guard guard(lock_);
    if (fd < 0 || uint32_t(fd) >= capacity_ || !slots_[fd].file) return fail(lib::Errno::kEBADF, "bad descriptor");
    const File* file = slots_[fd].file;
    return Description{file->path(), file->inode()->ino(), file->inode()->mode(), file->flags()};
}

int FdTable::next_open(int fd) const {
    ksync::Guard guard(lock_);
    for (uint32_t i = fd < 0 ? 0 : uint32_t(fd); i < capacity_; ++i)
        if (slots_[i].file) return int(i);
    return -1;
}

uint32_t FdTable::end() const {
    ksync::Guard guard(lock_);
    uint32_t e = 0;
    for (uint32_t i = 0; i < capacity_; ++i)
        if (slots_[i].file) e = i + 1;
    return e;
}

}  // namespace fs
