// The Linux x86_64 user ABI for files: open/fcntl flags, the *at flags, file
// type and permission bits, struct stat/statx/statfs, linux_dirent64, poll
// and epoll bits, and the small flag sets of eventfd, memfd, close_range,
// renameat2, openat2 and utimensat. Numbers and layouts are facts of the ABI
// (open(2), fcntl(2), stat(2), statx(2), getdents64(2), epoll_ctl(2), ...;
// the UAPI headers asm-generic/fcntl.h, linux/stat.h, asm/stat.h,
// asm-generic/poll.h, linux/eventpoll.h, linux/openat2.h); the host test
// linux_fs_test.cpp checks every value, size and offset against this host's
// own headers. Names are Linux's with a k in front: the bare names are
// macros in every C library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_time.hpp"

namespace uapi {

// ---- open(2) flags (octal as in asm-generic/fcntl.h; x86_64 uses the generic values)
inline constexpr uint32_t kO_ACCMODE = 03;
inline constexpr uint32_t kO_RDONLY = 00;
inline constexpr uint32_t kO_WRONLY = 01;
inline constexpr uint32_t kO_RDWR = 02;
inline constexpr uint32_t kO_CREAT = 0100;
inline constexpr uint32_t kO_EXCL = 0200;
inline constexpr uint32_t kO_NOCTTY = 0400;
inline constexpr uint32_t kO_TRUNC = 01000;
inline constexpr uint32_t kO_APPEND = 02000;
inline constexpr uint32_t kO_NONBLOCK = 04000;
inline constexpr uint32_t kO_DSYNC = 010000;
inline constexpr uint32_t kO_ASYNC = 020000;  // FASYNC
inline constexpr uint32_t kO_DIRECT = 040000;
inline constexpr uint32_t kO_LARGEFILE = 0100000;
inline constexpr uint32_t kO_DIRECTORY = 0200000;
inline constexpr uint32_t kO_NOFOLLOW = 0400000;
inline constexpr uint32_t kO_NOATIME = 01000000;
inline constexpr uint32_t kO_CLOEXEC = 02000000;
inline constexpr uint32_t kO_SYNC = 04000000 | kO_DSYNC;
inline constexpr uint32_t kO_PATH = 010000000;
inline constexpr uint32_t kO_TMPFILE = 020000000 | kO_DIRECTORY;
// Flags open() accepts at all (others are silently ignored by open/openat,
// refused with EINVAL by openat2: build_open_flags/VALID_OPEN_FLAGS).
inline constexpr uint32_t kValidOpenFlags = kO_ACCMODE | kO_CREAT | kO_EXCL | kO_NOCTTY | kO_TRUNC | kO_APPEND |
                                            kO_NONBLOCK | kO_DSYNC | kO_ASYNC | kO_DIRECT | kO_LARGEFILE |
                                            kO_DIRECTORY | kO_NOFOLLOW | kO_NOATIME | kO_CLOEXEC | kO_SYNC |
                                            kO_PATH | kO_TMPFILE;
// What fcntl(F_SETFL) may change (fcntl(2): the others are ignored).
inline constexpr uint32_t kSetflChangeable = kO_APPEND | kO_NONBLOCK | kO_ASYNC | kO_DIRECT | kO_NOATIME;

// ---- fcntl(2)
inline constexpr int kF_DUPFD = 0;
inline constexpr int kF_GETFD = 1;
inline constexpr int kF_SETFD = 2;
inline constexpr int kF_GETFL = 3;
inline constexpr int kF_SETFL = 4;
inline constexpr int kF_GETLK = 5;
inline constexpr int kF_SETLK = 6;
inline constexpr int kF_SETLKW = 7;
inline constexpr int kF_SETOWN = 8;
inline constexpr int kF_GETOWN = 9;
inline constexpr int kF_SETSIG = 10;
inline constexpr int kF_GETSIG = 11;
inline constexpr int kF_OFD_GETLK = 36;
inline constexpr int kF_OFD_SETLK = 37;
inline constexpr int kF_OFD_SETLKW = 38;
inline constexpr int kF_DUPFD_CLOEXEC = 1030;
inline constexpr int kF_SETPIPE_SZ = 1031;
inline constexpr int kF_GETPIPE_SZ = 1032;
inline constexpr int kF_ADD_SEALS = 1033;
inline constexpr int kF_GET_SEALS = 1034;
inline constexpr uint32_t kFD_CLOEXEC = 1;
inline constexpr short kF_RDLCK = 0;
inline constexpr short kF_WRLCK = 1;
inline constexpr short kF_UNLCK = 2;
// File seals (memfd_create(2), fcntl(2) "File Sealing").
inline constexpr uint32_t kF_SEAL_SEAL = 0x1;
inline constexpr uint32_t kF_SEAL_SHRINK = 0x2;
inline constexpr uint32_t kF_SEAL_GROW = 0x4;
inline constexpr uint32_t kF_SEAL_WRITE = 0x8;
inline constexpr uint32_t kF_SEAL_FUTURE_WRITE = 0x10;

// struct flock (x86_64: off_t and pid_t are 64 and 32 bits).
struct Flock {
    int16_t l_type;
    int16_t l_whence;
    int64_t l_start;
    int64_t l_len;
    int32_t l_pid;
};

// ---- The *at family (linux/fcntl.h)
inline constexpr int kAT_FDCWD = -100;
inline constexpr uint32_t kAT_SYMLINK_NOFOLLOW = 0x100;
inline constexpr uint32_t kAT_EACCESS = 0x200;  // faccessat: same bit as AT_REMOVEDIR
inline constexpr uint32_t kAT_REMOVEDIR = 0x200;
inline constexpr uint32_t kAT_SYMLINK_FOLLOW = 0x400;
inline constexpr uint32_t kAT_NO_AUTOMOUNT = 0x800;
inline constexpr uint32_t kAT_EMPTY_PATH = 0x1000;
inline constexpr uint32_t kAT_STATX_SYNC_TYPE = 0x6000;
inline constexpr uint32_t kAT_STATX_SYNC_AS_STAT = 0x0000;
inline constexpr uint32_t kAT_STATX_FORCE_SYNC = 0x2000;
inline constexpr uint32_t kAT_STATX_DONT_SYNC = 0x4000;
inline constexpr uint32_t kAT_RECURSIVE = 0x8000;

// access(2) modes.
inline constexpr uint32_t kF_OK = 0;
inline constexpr uint32_t kX_OK = 1;
inline constexpr uint32_t kW_OK = 2;
inline constexpr uint32_t kR_OK = 4;

// ---- File type and mode bits (inode(7))
inline constexpr uint32_t kS_IFMT = 0170000;
inline constexpr uint32_t kS_IFSOCK = 0140000;
inline constexpr uint32_t kS_IFLNK = 0120000;
inline constexpr uint32_t kS_IFREG = 0100000;
inline constexpr uint32_t kS_IFBLK = 0060000;
inline constexpr uint32_t kS_IFDIR = 0040000;
inline constexpr uint32_t kS_IFCHR = 0020000;
inline constexpr uint32_t kS_IFIFO = 0010000;
inline constexpr uint32_t kS_ISUID = 04000;
inline constexpr uint32_t kS_ISGID = 02000;
inline constexpr uint32_t kS_ISVTX = 01000;
inline constexpr uint32_t kS_IRWXU = 0700;
inline constexpr uint32_t kS_IRUSR = 0400;
inline constexpr uint32_t kS_IWUSR = 0200;
inline constexpr uint32_t kS_IXUSR = 0100;
inline constexpr uint32_t kS_IRWXG = 070;
inline constexpr uint32_t kS_IRWXO = 07;
inline constexpr uint32_t kS_IALLUGO = 07777;  // permission bits plus suid, sgid, sticky

constexpr bool s_isreg(uint32_t mode) { return (mode & kS_IFMT) == kS_IFREG; }
constexpr bool s_isdir(uint32_t mode) { return (mode & kS_IFMT) == kS_IFDIR; }
constexpr bool s_islnk(uint32_t mode) { return (mode & kS_IFMT) == kS_IFLNK; }
constexpr bool s_ischr(uint32_t mode) { return (mode & kS_IFMT) == kS_IFCHR; }
constexpr bool s_isblk(uint32_t mode) { return (mode & kS_IFMT) == kS_IFBLK; }
constexpr bool s_isfifo(uint32_t mode) { return (mode & kS_IFMT) == kS_IFIFO; }
constexpr bool s_issock(uint32_t mode) { return (mode & kS_IFMT) == kS_IFSOCK; }

// Device numbers as user space sees them in st_dev/st_rdev: x86_64's stat
// carries a 64-bit dev_t in glibc's makedev() encoding (sys/sysmacros.h),
// which agrees with the kernel's new_encode_dev for 12-bit majors and 20-bit
// minors: minor bits 0-7 at 0-7, major bits 0-11 at 8-19, minor bits 8-31 at
// 20-43, major bits 12-31 at 44-63.
constexpr uint64_t make_dev(uint32_t major, uint32_t minor) {
    return ((uint64_t(major) & 0xfffff000ULL) << 32) | ((uint64_t(major) & 0xfffULL) << 8) |
           ((uint64_t(minor) & 0xffffff00ULL) << 12) | (uint64_t(minor) & 0xffULL);
}
constexpr uint32_t dev_major(uint64_t dev) {
    return uint32_t(((dev >> 32) & 0xfffff000ULL) | ((dev >> 8) & 0xfffULL));
}
constexpr uint32_t dev_minor(uint64_t dev) {
    return uint32_t(((dev >> 12) & 0xffffff00ULL) | (dev & 0xffULL));
}

// ---- Limits (limits.h, linux/limits.h)
inline constexpr size_t kNAME_MAX = 255;
inline constexpr size_t kPATH_MAX = 4096;  // including the terminating NUL
inline constexpr unsigned kMAXSYMLINKS = 40;
inline constexpr size_t kPIPE_BUF = 4096;
inline constexpr size_t kIOV_MAX = 1024;  // UIO_MAXIOV

// ---- Times (struct timespec is linux_time.hpp's)
// utimensat(2): tv_nsec values meaning "now" and "leave alone".
inline constexpr int64_t kUTIME_NOW = (1LL << 30) - 1;
inline constexpr int64_t kUTIME_OMIT = (1LL << 30) - 2;

// ---- struct stat (arch/x86/include/uapi/asm/stat.h, the 64-bit layout)
struct Stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;  // 512-byte units
    int64_t st_atime_sec;
    int64_t st_atime_nsec;
    int64_t st_mtime_sec;
    int64_t st_mtime_nsec;
    int64_t st_ctime_sec;
    int64_t st_ctime_nsec;
    int64_t unused[3];
};
static_assert(sizeof(Stat) == 144);

// ---- statx(2) (linux/stat.h)
struct StatxTimestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct Statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t spare0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    StatxTimestamp stx_atime;
    StatxTimestamp stx_btime;
    StatxTimestamp stx_ctime;
    StatxTimestamp stx_mtime;
    uint32_t stx_rdev_major;
    uint32_t stx_rdev_minor;
    uint32_t stx_dev_major;
    uint32_t stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align;
    uint32_t stx_dio_offset_align;
    uint64_t spare3[12];
};
static_assert(sizeof(Statx) == 256);
inline constexpr uint32_t kSTATX_TYPE = 0x1;
inline constexpr uint32_t kSTATX_MODE = 0x2;
inline constexpr uint32_t kSTATX_NLINK = 0x4;
inline constexpr uint32_t kSTATX_UID = 0x8;
inline constexpr uint32_t kSTATX_GID = 0x10;
inline constexpr uint32_t kSTATX_ATIME = 0x20;
inline constexpr uint32_t kSTATX_MTIME = 0x40;
inline constexpr uint32_t kSTATX_CTIME = 0x80;
inline constexpr uint32_t kSTATX_INO = 0x100;
inline constexpr uint32_t kSTATX_SIZE = 0x200;
inline constexpr uint32_t kSTATX_BLOCKS = 0x400;
inline constexpr uint32_t kSTATX_BASIC_STATS = 0x7ff;
inline constexpr uint32_t kSTATX_BTIME = 0x800;
inline constexpr uint32_t kSTATX_MNT_ID = 0x1000;
inline constexpr uint32_t kSTATX__RESERVED = 0x80000000u;  // statx() refuses a mask with it: EINVAL

// ---- getdents64(2)
struct LinuxDirent64 {
    uint64_t d_ino;
    int64_t d_off;  // the position to resume after this entry (lseek/telldir cookie)
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];  // NUL-terminated, record padded to 8 bytes
};
inline constexpr size_t kDirent64HeaderSize = 19;  // offsetof(d_name)
inline constexpr uint8_t kDT_UNKNOWN = 0;
inline constexpr uint8_t kDT_FIFO = 1;
inline constexpr uint8_t kDT_CHR = 2;
inline constexpr uint8_t kDT_DIR = 4;
inline constexpr uint8_t kDT_BLK = 6;
inline constexpr uint8_t kDT_REG = 8;
inline constexpr uint8_t kDT_LNK = 10;
inline constexpr uint8_t kDT_SOCK = 12;
inline constexpr uint8_t kDT_WHT = 14;
// The d_type of a mode: its S_IFMT bits shifted down (fs_umode_to_dtype).
constexpr uint8_t dtype_of_mode(uint32_t mode) { return uint8_t((mode & kS_IFMT) >> 12); }

// ---- renameat2(2)
inline constexpr uint32_t kRENAME_NOREPLACE = 1;
inline constexpr uint32_t kRENAME_EXCHANGE = 2;
inline constexpr uint32_t kRENAME_WHITEOUT = 4;

// ---- lseek(2)
inline constexpr int kSEEK_SET = 0;
inline constexpr int kSEEK_CUR = 1;
inline constexpr int kSEEK_END = 2;
inline constexpr int kSEEK_DATA = 3;
inline constexpr int kSEEK_HOLE = 4;

// ---- fallocate(2)
inline constexpr uint32_t kFALLOC_FL_KEEP_SIZE = 0x01;
inline constexpr uint32_t kFALLOC_FL_PUNCH_HOLE = 0x02;
inline constexpr uint32_t kFALLOC_FL_COLLAPSE_RANGE = 0x08;
inline constexpr uint32_t kFALLOC_FL_ZERO_RANGE = 0x10;
inline constexpr uint32_t kFALLOC_FL_INSERT_RANGE = 0x20;

// ---- readv(2)/writev(2)
struct Iovec {
    uint64_t iov_base;  // a user address
    uint64_t iov_len;
};

// ---- statfs(2) (the x86_64 layout: every field a long except f_fsid)
struct Statfs {
    int64_t f_type;
    int64_t f_bsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
    uint64_t f_files;
    uint64_t f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen;
    int64_t f_frsize;
    int64_t f_flags;
    int64_t f_spare[4];
};
static_assert(sizeof(Statfs) == 120);
// f_type values (linux/magic.h); devtmpfs reports tmpfs's.
inline constexpr int64_t kTMPFS_MAGIC = 0x01021994;
inline constexpr int64_t kPROC_SUPER_MAGIC = 0x9fa0;
inline constexpr int64_t kDEVPTS_SUPER_MAGIC = 0x1cd1;
inline constexpr int64_t kPIPEFS_MAGIC = 0x50495045;
// f_flags (statfs(2), ST_* / MS_* mount flags).
inline constexpr int64_t kST_RDONLY = 0x1;
inline constexpr int64_t kST_NOSUID = 0x2;
inline constexpr int64_t kST_NODEV = 0x4;
inline constexpr int64_t kST_NOEXEC = 0x8;
inline constexpr int64_t kST_VALID = 0x20;
inline constexpr int64_t kST_RELATIME = 0x1000;
// mount(2) flags (linux/mount.h) and umount2(2) flags.
inline constexpr uint64_t kMS_RDONLY = 0x1, kMS_NOSUID = 0x2, kMS_NODEV = 0x4, kMS_NOEXEC = 0x8;
inline constexpr uint64_t kMS_REMOUNT = 0x20, kMS_BIND = 0x1000, kMS_MOVE = 0x2000, kMS_REC = 0x4000;
inline constexpr uint64_t kMS_SILENT = 0x8000, kMS_UNBINDABLE = 1u << 17, kMS_PRIVATE = 1u << 18;
inline constexpr uint64_t kMS_SLAVE = 1u << 19, kMS_SHARED = 1u << 20;
inline constexpr uint64_t kMS_MGC_MASK = 0xffff0000, kMS_MGC_VAL = 0xC0ED0000;
inline constexpr uint32_t kMNT_FORCE = 1, kMNT_DETACH = 2, kMNT_EXPIRE = 4, kUMOUNT_NOFOLLOW = 8;

// ---- poll(2) (asm-generic/poll.h) and epoll(7) (linux/eventpoll.h)
inline constexpr uint32_t kPOLLIN = 0x0001;
inline constexpr uint32_t kPOLLPRI = 0x0002;
inline constexpr uint32_t kPOLLOUT = 0x0004;
inline constexpr uint32_t kPOLLERR = 0x0008;
inline constexpr uint32_t kPOLLHUP = 0x0010;
inline constexpr uint32_t kPOLLNVAL = 0x0020;
inline constexpr uint32_t kPOLLRDNORM = 0x0040;
inline constexpr uint32_t kPOLLRDBAND = 0x0080;
inline constexpr uint32_t kPOLLWRNORM = 0x0100;
inline constexpr uint32_t kPOLLWRBAND = 0x0200;
inline constexpr uint32_t kPOLLMSG = 0x0400;
inline constexpr uint32_t kPOLLRDHUP = 0x2000;
struct Pollfd {
    int32_t fd;
    int16_t events;
    int16_t revents;
};
inline constexpr uint32_t kEPOLLIN = kPOLLIN;
inline constexpr uint32_t kEPOLLPRI = kPOLLPRI;
inline constexpr uint32_t kEPOLLOUT = kPOLLOUT;
inline constexpr uint32_t kEPOLLERR = kPOLLERR;
inline constexpr uint32_t kEPOLLHUP = kPOLLHUP;
inline constexpr uint32_t kEPOLLRDNORM = kPOLLRDNORM;
inline constexpr uint32_t kEPOLLRDBAND = kPOLLRDBAND;
inline constexpr uint32_t kEPOLLWRNORM = kPOLLWRNORM;
inline constexpr uint32_t kEPOLLWRBAND = kPOLLWRBAND;
inline constexpr uint32_t kEPOLLMSG = kPOLLMSG;
inline constexpr uint32_t kEPOLLRDHUP = kPOLLRDHUP;
inline constexpr uint32_t kEPOLLEXCLUSIVE = 1u << 28;
inline constexpr uint32_t kEPOLLWAKEUP = 1u << 29;
inline constexpr uint32_t kEPOLLONESHOT = 1u << 30;
inline constexpr uint32_t kEPOLLET = 1u << 31;
inline constexpr int kEPOLL_CTL_ADD = 1;
inline constexpr int kEPOLL_CTL_DEL = 2;
inline constexpr int kEPOLL_CTL_MOD = 3;
inline constexpr uint32_t kEPOLL_CLOEXEC = kO_CLOEXEC;
// Packed on x86_64 only (EPOLL_PACKED in linux/eventpoll.h): 12 bytes, so
// 32-bit and 64-bit programs share the layout.
struct __attribute__((packed)) EpollEvent {
    uint32_t events;
    uint64_t data;
};
static_assert(sizeof(EpollEvent) == 12);

// ---- eventfd(2), memfd_create(2), close_range(2), pipe2(2), dup3(2)
inline constexpr uint32_t kEFD_SEMAPHORE = 1;
inline constexpr uint32_t kEFD_CLOEXEC = kO_CLOEXEC;
inline constexpr uint32_t kEFD_NONBLOCK = kO_NONBLOCK;
inline constexpr uint32_t kMFD_CLOEXEC = 0x1;
inline constexpr uint32_t kMFD_ALLOW_SEALING = 0x2;
inline constexpr uint32_t kMFD_HUGETLB = 0x4;
inline constexpr uint32_t kCLOSE_RANGE_UNSHARE = 1u << 1;
inline constexpr uint32_t kCLOSE_RANGE_CLOEXEC = 1u << 2;

// ---- openat2(2) (linux/openat2.h)
struct OpenHow {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};
static_assert(sizeof(OpenHow) == 24);
inline constexpr uint64_t kRESOLVE_NO_XDEV = 0x01;
inline constexpr uint64_t kRESOLVE_NO_MAGICLINKS = 0x02;
inline constexpr uint64_t kRESOLVE_NO_SYMLINKS = 0x04;
inline constexpr uint64_t kRESOLVE_BENEATH = 0x08;
inline constexpr uint64_t kRESOLVE_IN_ROOT = 0x10;
inline constexpr uint64_t kRESOLVE_CACHED = 0x20;

// ---- Generic file ioctls (asm-generic/ioctls.h)
inline constexpr uint32_t kFIONREAD = 0x541B;
inline constexpr uint32_t kFIONBIO = 0x5421;
inline constexpr uint32_t kFIONCLEX = 0x5450;
inline constexpr uint32_t kFIOCLEX = 0x5451;
inline constexpr uint32_t kFIOASYNC = 0x5452;

// ---- Pipes (pipe(7)): the default capacity and the unprivileged maximum
// (/proc/sys/fs/pipe-max-size).
inline constexpr size_t kPipeDefaultSize = 65536;
inline constexpr size_t kPipeMaxSize = 1048576;

}  // namespace uapi
