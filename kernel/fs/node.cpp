// Inodes, dentries, mounts and paths: their lifetimes and the tree's shape
// (see node.hpp).
#include "kernel/fs/node.hpp"

#include "kernel/fs/file.hpp"
#include "kernel/vm/allocation.hpp"
#include "lib/memory.hpp"

namespace fs {

namespace {
NamespaceLock g_namespace_lock;
uapi::Timespec no_clock() { return {}; }
uapi::Timespec (*g_now)() = no_clock;
lib::IntrusiveList<Mount, MountTag> g_mounts;
uint64_t g_next_mount_id = 1;
uint32_t g_next_device_minor = 1;
}  // namespace

NamespaceLock& namespace_lock() { return g_namespace_lock; }
uapi::Timespec current_time() { return g_now(); }
void set_time_source(uapi::Timespec (*now)()) { g_now = now ? now : no_clock; }

void* allocate(size_t size) { return vm::allocate_bytes(size, 16); }
void release(void* pointer) { vm::free_bytes(pointer); }

// ---- FileSystem

FileSystem::FileSystem(const char* type_name, int64_t magic) : type_name_(type_name), magic_(magic) {
    // Anonymous block devices (major 0) as Linux numbers its in-memory
    // file systems' st_dev.
    device_ = uapi::make_dev(0, __atomic_fetch_add(&g_next_device_minor, 1, __ATOMIC_RELAXED));
}

uapi::Statfs FileSystem::statfs() {
    uapi::Statfs s{};
    s.f_type = magic_;
    s.f_bsize = 4096;
    s.f_frsize = 4096;
    s.f_namelen = uapi::kNAME_MAX;
    s.f_files = live_inodes();
    s.f_fsid[0] = int32_t(device_);
    s.f_flags = uapi::kST_VALID;
    return s;
}

// ---- Inode

Inode::Inode(FileSystem& fs, uint32_t mode) : fs_(&fs), ino_(fs.next_ino()), mode_(mode) {
    __atomic_fetch_add(&fs.live_inodes_, 1, __ATOMIC_RELAXED);
    uapi::Timespec now = current_time();
    atime_ = mtime_ = ctime_ = now;
}

Inode::~Inode() { __atomic_fetch_sub(&fs_->live_inodes_, 1, __ATOMIC_RELAXED); }

void Inode::release() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) unmake(this);
}

Attributes Inode::attributes() {
    Attributes a;
    a.ino = ino_;
    a.mode = mode();
    a.uid = __atomic_load_n(&uid_, __ATOMIC_RELAXED);
    a.gid = __atomic_load_n(&gid_, __ATOMIC_RELAXED);
    a.nlink = __atomic_load_n(&nlink_, __ATOMIC_RELAXED);
    a.rdev = rdev_;
    ksync::Guard guard(attributes_lock_);
    a.size = size_;
    a.atime = atime_, a.mtime = mtime_, a.ctime = ctime_;
    return a;
}

uapi::Stat Inode::stat() {
    Attributes a = attributes();
    uapi::Stat s{};
    s.st_dev = fs_->device();
    s.st_ino = a.ino;
    s.st_nlink = a.nlink;
    s.st_mode = a.mode;
    s.st_uid = a.uid;
    s.st_gid = a.gid;
    s.st_rdev = a.rdev;
    s.st_size = int64_t(a.size);
    s.st_blksize = 4096;
    // tmpfs counts the pages it holds; a file's size rounded up to pages is
    // what a fully written file holds (holes are not told apart here).
    s.st_blocks = is_regular() || is_directory() ? int64_t((a.size + 4095) / 4096 * 8) : 0;
    s.st_atime_sec = a.atime.tv_sec, s.st_atime_nsec = a.atime.tv_nsec;
    s.st_mtime_sec = a.mtime.tv_sec, s.st_mtime_nsec = a.mtime.tv_nsec;
    s.st_ctime_sec = a.ctime.tv_sec, s.st_ctime_nsec = a.ctime.tv_nsec;
    return s;
}

lib::Expected<void> Inode::permission(const Credentials& who, uint32_t mask) {
    uint32_t m = mode();
    if (who.privileged()) {
        // CAP_DAC_OVERRIDE: read and write always; execute when some x bit
        // is set or it is a directory (search).
        if (!(mask & kMayExec) || is_directory() || (m & 0111)) return {};
        return fail(lib::Errno::kEACCES, "no execute bit set");
    }
    uint32_t bits;
    if (who.uid == __atomic_load_n(&uid_, __ATOMIC_RELAXED)) bits = (m >> 6) & 7;
    else if (who.in_group(__atomic_load_n(&gid_, __ATOMIC_RELAXED))) bits = (m >> 3) & 7;
    else bits = m & 7;
    if ((bits & mask) == mask) return {};
    return fail(lib::Errno::kEACCES, "permission denied");
}

void Inode::set_mode_bits(uint32_t permissions) {
    uint32_t old = mode();
    __atomic_store_n(&mode_, (old & uapi::kS_IFMT) | (permissions & uapi::kS_IALLUGO), __ATOMIC_RELAXED);
    touch_ctime();
}

void Inode::set_owner(uint32_t uid, uint32_t gid) {
    if (uid != ~0u) __atomic_store_n(&uid_, uid, __ATOMIC_RELAXED);
    if (gid != ~0u) __atomic_store_n(&gid_, gid, __ATOMIC_RELAXED);
    touch_ctime();
}

void Inode::set_times(const uapi::Timespec* atime, const uapi::Timespec* mtime) {
    uapi::Timespec now = current_time();
    ksync::Guard guard(attributes_lock_);
    if (atime) atime_ = *atime;
    if (mtime) mtime_ = *mtime;
    ctime_ = now;
}

void Inode::touch_ctime() {
    uapi::Timespec now = current_time();
    ksync::Guard guard(attributes_lock_);
    ctime_ = now;
}

void Inode::touch_mtime_ctime() {
    uapi::Timespec now = current_time();
    ksync::Guard guard(attributes_lock_);
    mtime_ = ctime_ = now;
}

lib::Expected<size_t> Inode::read(uint64_t, IoBuffer&, size_t) {
    return fail(is_directory() ? lib::Errno::kEISDIR : lib::Errno::kEINVAL, "not a regular file");
}
lib::Expected<size_t> Inode::write(uint64_t*, bool, IoBuffer&, size_t) {
    return fail(is_directory() ? lib::Errno::kEISDIR : lib::Errno::kEINVAL, "not a regular file");
}
lib::Expected<void> Inode::truncate(uint64_t) {
    return fail(is_directory() ? lib::Errno::kEISDIR : lib::Errno::kEINVAL, "not a regular file");
}
lib::Expected<void> Inode::allocate_range(uint32_t, uint64_t, uint64_t) {
    return fail(is_directory() ? lib::Errno::kEISDIR : lib::Errno::kENODEV, "not a regular file");
}

// ---- Dentry

Dentry* Dentry::make(Dentry* parent, lib::StringView name, Inode* inode) {
    Dentry* d = fs::make<Dentry>();
    if (!d) return nullptr;
    if (name.size()) {
        d->name_ = static_cast<char*>(allocate(name.size() + 1));
        if (!d->name_) {
            unmake(d);
            return nullptr;
        }
        lib::copy_bytes(d->name_, name.data(), name.size());
        d->name_[name.size()] = 0;
        d->name_length_ = name.size();
    }
    d->parent_ = parent;
    if (parent) parent->retain();
    d->inode_ = inode;
    if (inode) inode->retain();
    return d;
}

Dentry::~Dentry() {
    if (name_) fs::release(name_);
    if (inode_) inode_->release();
    if (parent_) parent_->release();
}

void Dentry::release() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) unmake(this);
}

Dentry* Dentry::child(lib::StringView name) const {
    for (Dentry* c = children_.front(); c; c = children_.next(*c))
        if (c->name() == name) return c;
    return nullptr;
}

Dentry* Dentry::child_from(uint64_t cookie) const {
    for (Dentry* c = children_.front(); c; c = children_.next(*c))
        if (c->cookie_ >= cookie) return c;
    return nullptr;
}

void Dentry::link_child(Dentry* child) {
    child->cookie_ = next_cookie_++;
    child->unlinked_ = false;
    children_.push_back(*child);
    if (child->inode_) child->inode_->alias_ = child;
}

Dentry* Dentry::unlink_child(Dentry* child) {
    children_.remove(*child);
    child->unlinked_ = true;
    if (child->inode_ && child->inode_->alias_ == child) child->inode_->alias_ = nullptr;
    return child;
}

lib::Expected<void> Dentry::move_child(Dentry* child, Dentry* new_parent, lib::StringView new_name) {
    if (!(child->name() == new_name)) {
        char* name = static_cast<char*>(allocate(new_name.size() + 1));
        if (!name) return fail(lib::Errno::kENOMEM, "no memory for a name");
        lib::copy_bytes(name, new_name.data(), new_name.size());
        name[new_name.size()] = 0;
        fs::release(child->name_);
        child->name_ = name;
        child->name_length_ = new_name.size();
    }
    children_.remove(*child);
    if (new_parent != this) {
        new_parent->retain();
        Dentry* old = child->parent_;
        child->parent_ = new_parent;
        old->release();  // `this`, still held by the tree (and the caller)
    }
    new_parent->link_child(child);
    return {};
}

// ---- Mount

void Mount::release() {
    if (__atomic_sub_fetch(&references_, 1, __ATOMIC_ACQ_REL) == 0) {
        if (root_) root_->release();
        if (mount_point_) mount_point_->release();
        if (parent_) parent_->release();
        unmake(this);
    }
}

lib::Expected<Mount*> Mount::make_root(FileSystem& fs, uint32_t flags) {
    Mount* m = fs::make<Mount>();
    if (!m) return fail(lib::Errno::kENOMEM, "no memory for a mount");
    m->fs_ = &fs;
    m->root_ = fs.root();
    m->root_->retain();
    m->flags_ = flags;
    m->id_ = g_next_mount_id++;
    g_mounts.push_back(*m);
    m->retain();  // the mount list's
    return m;
}

lib::Expected<Mount*> Mount::attach(FileSystem& fs, const Path& where, uint32_t flags) {
    Mount* m = TRY(make_root(fs, flags));
    m->parent_ = where.mount();
    m->parent_->retain();
    m->mount_point_ = where.dentry();
    m->mount_point_->retain();
    ++m->mount_point_->mounts_;
    return m;
}

Mount* Mount::mounted_on(const Mount* parent, const Dentry* mount_point) {
    if (!mount_point->is_mount_point()) return nullptr;
    for (Mount* m = g_mounts.back(); m; m = g_mounts.prev(*m))
        if (m->parent_ == parent && m->mount_point_ == mount_point) return m;
    return nullptr;
}

Mount* Mount::first() { return g_mounts.front(); }
Mount* Mount::next(const Mount& mount) { return g_mounts.next(mount); }

lib::Expected<void> Mount::detach() {
    if (!parent_) return fail(lib::Errno::kEINVAL, "the root mount stays");
    for (Mount* m = g_mounts.front(); m; m = g_mounts.next(*m))
        if (m->parent_ == this) return fail(lib::Errno::kEBUSY, "something is mounted under it");
    --mount_point_->mounts_;
    g_mounts.remove(*this);
    release();  // the list's
    return {};
}

// ---- Path

Path::Path(Mount* mount, Dentry* dentry) : mount_(mount), dentry_(dentry) {
    if (mount_) mount_->retain();
    if (dentry_) dentry_->retain();
}

Path& Path::operator=(const Path& other) {
    if (this != &other) {
        Path copy(other);
        *this = lib::move(copy);
    }
    return *this;
}

Path& Path::operator=(Path&& other) {
    if (this != &other) {
        reset();
        mount_ = other.mount_, dentry_ = other.dentry_;
        other.mount_ = nullptr, other.dentry_ = nullptr;
    }
    return *this;
}

void Path::reset() {
    if (dentry_) dentry_->release();
    if (mount_) mount_->release();
    mount_ = nullptr, dentry_ = nullptr;
}

}  // namespace fs
