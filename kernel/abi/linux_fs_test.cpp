// kernel/abi/linux_fs.hpp against this host's own C library and UAPI
// headers: every number, and the size and offset of every field.
#include "kernel/abi/linux_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace {

#define EXPECT_SAME(ours, theirs) EXPECT_EQ(static_cast<int64_t>(ours), static_cast<int64_t>(theirs)) << #theirs
#define EXPECT_FIELD(Ours, ours_field, Theirs, theirs_field)                                     \
    do {                                                                                         \
        EXPECT_EQ(offsetof(Ours, ours_field), offsetof(Theirs, theirs_field)) << #theirs_field;  \
        EXPECT_EQ(sizeof(static_cast<Ours*>(nullptr)->ours_field),                              \
                  sizeof(static_cast<Theirs*>(nullptr)->theirs_field))                                   \
            << #theirs_field;                                                                    \
    } while (0)

TEST(LinuxFsAbi, OpenFlags) {
    EXPECT_SAME(uapi::kO_ACCMODE, O_ACCMODE);
    EXPECT_SAME(uapi::kO_RDONLY, O_RDONLY);
    EXPECT_SAME(uapi::kO_WRONLY, O_WRONLY);
    EXPECT_SAME(uapi::kO_RDWR, O_RDWR);
    EXPECT_SAME(uapi::kO_CREAT, O_CREAT);
    EXPECT_SAME(uapi::kO_EXCL, O_EXCL);
    EXPECT_SAME(uapi::kO_NOCTTY, O_NOCTTY);
    EXPECT_SAME(uapi::kO_TRUNC, O_TRUNC);
    EXPECT_SAME(uapi::kO_APPEND, O_APPEND);
    EXPECT_SAME(uapi::kO_NONBLOCK, O_NONBLOCK);
    EXPECT_SAME(uapi::kO_DSYNC, O_DSYNC);
    EXPECT_SAME(uapi::kO_ASYNC, O_ASYNC);
    EXPECT_SAME(uapi::kO_DIRECT, O_DIRECT);
    EXPECT_SAME(uapi::kO_LARGEFILE, 0100000);  // glibc defines O_LARGEFILE as 0 on 64-bit
    EXPECT_SAME(uapi::kO_DIRECTORY, O_DIRECTORY);
    EXPECT_SAME(uapi::kO_NOFOLLOW, O_NOFOLLOW);
    EXPECT_SAME(uapi::kO_NOATIME, O_NOATIME);
    EXPECT_SAME(uapi::kO_CLOEXEC, O_CLOEXEC);
    EXPECT_SAME(uapi::kO_SYNC, O_SYNC);
    EXPECT_SAME(uapi::kO_PATH, O_PATH);
    EXPECT_SAME(uapi::kO_TMPFILE, O_TMPFILE);
}

TEST(LinuxFsAbi, FcntlCommands) {
    EXPECT_SAME(uapi::kF_DUPFD, F_DUPFD);
    EXPECT_SAME(uapi::kF_GETFD, F_GETFD);
    EXPECT_SAME(uapi::kF_SETFD, F_SETFD);
    EXPECT_SAME(uapi::kF_GETFL, F_GETFL);
    EXPECT_SAME(uapi::kF_SETFL, F_SETFL);
    EXPECT_SAME(uapi::kF_GETLK, F_GETLK);
    EXPECT_SAME(uapi::kF_SETLK, F_SETLK);
    EXPECT_SAME(uapi::kF_SETLKW, F_SETLKW);
    EXPECT_SAME(uapi::kF_SETOWN, F_SETOWN);
    EXPECT_SAME(uapi::kF_GETOWN, F_GETOWN);
    EXPECT_SAME(uapi::kF_SETSIG, F_SETSIG);
    EXPECT_SAME(uapi::kF_GETSIG, F_GETSIG);
    EXPECT_SAME(uapi::kF_OFD_GETLK, F_OFD_GETLK);
    EXPECT_SAME(uapi::kF_OFD_SETLK, F_OFD_SETLK);
    EXPECT_SAME(uapi::kF_OFD_SETLKW, F_OFD_SETLKW);
    EXPECT_SAME(uapi::kF_DUPFD_CLOEXEC, F_DUPFD_CLOEXEC);
    EXPECT_SAME(uapi::kF_SETPIPE_SZ, F_SETPIPE_SZ);
    EXPECT_SAME(uapi::kF_GETPIPE_SZ, F_GETPIPE_SZ);
    EXPECT_SAME(uapi::kF_ADD_SEALS, F_ADD_SEALS);
    EXPECT_SAME(uapi::kF_GET_SEALS, F_GET_SEALS);
    EXPECT_SAME(uapi::kF_SEAL_SEAL, F_SEAL_SEAL);
    EXPECT_SAME(uapi::kF_SEAL_SHRINK, F_SEAL_SHRINK);
    EXPECT_SAME(uapi::kF_SEAL_GROW, F_SEAL_GROW);
    EXPECT_SAME(uapi::kF_SEAL_WRITE, F_SEAL_WRITE);
    EXPECT_SAME(uapi::kF_SEAL_FUTURE_WRITE, F_SEAL_FUTURE_WRITE);
    EXPECT_SAME(uapi::kFD_CLOEXEC, FD_CLOEXEC);
    EXPECT_SAME(uapi::kF_RDLCK, F_RDLCK);
    EXPECT_SAME(uapi::kF_WRLCK, F_WRLCK);
    EXPECT_SAME(uapi::kF_UNLCK, F_UNLCK);
    EXPECT_EQ(sizeof(uapi::Flock), sizeof(struct flock));
    EXPECT_FIELD(uapi::Flock, l_type, struct flock, l_type);
    EXPECT_FIELD(uapi::Flock, l_whence, struct flock, l_whence);
    EXPECT_FIELD(uapi::Flock, l_start, struct flock, l_start);
    EXPECT_FIELD(uapi::Flock, l_len, struct flock, l_len);
    EXPECT_FIELD(uapi::Flock, l_pid, struct flock, l_pid);
}

TEST(LinuxFsAbi, AtFlagsAndAccessModes) {
    EXPECT_SAME(uapi::kAT_FDCWD, AT_FDCWD);
    EXPECT_SAME(uapi::kAT_SYMLINK_NOFOLLOW, AT_SYMLINK_NOFOLLOW);
    EXPECT_SAME(uapi::kAT_EACCESS, AT_EACCESS);
    EXPECT_SAME(uapi::kAT_REMOVEDIR, AT_REMOVEDIR);
    EXPECT_SAME(uapi::kAT_SYMLINK_FOLLOW, AT_SYMLINK_FOLLOW);
    EXPECT_SAME(uapi::kAT_NO_AUTOMOUNT, AT_NO_AUTOMOUNT);
    EXPECT_SAME(uapi::kAT_EMPTY_PATH, AT_EMPTY_PATH);
    EXPECT_SAME(uapi::kAT_STATX_SYNC_TYPE, AT_STATX_SYNC_TYPE);
    EXPECT_SAME(uapi::kAT_STATX_SYNC_AS_STAT, AT_STATX_SYNC_AS_STAT);
    EXPECT_SAME(uapi::kAT_STATX_FORCE_SYNC, AT_STATX_FORCE_SYNC);
    EXPECT_SAME(uapi::kAT_STATX_DONT_SYNC, AT_STATX_DONT_SYNC);
    EXPECT_SAME(uapi::kAT_RECURSIVE, AT_RECURSIVE);
    EXPECT_SAME(uapi::kF_OK, F_OK);
    EXPECT_SAME(uapi::kX_OK, X_OK);
    EXPECT_SAME(uapi::kW_OK, W_OK);
    EXPECT_SAME(uapi::kR_OK, R_OK);
}

TEST(LinuxFsAbi, ModeBits) {
    EXPECT_SAME(uapi::kS_IFMT, S_IFMT);
    EXPECT_SAME(uapi::kS_IFSOCK, S_IFSOCK);
    EXPECT_SAME(uapi::kS_IFLNK, S_IFLNK);
    EXPECT_SAME(uapi::kS_IFREG, S_IFREG);
    EXPECT_SAME(uapi::kS_IFBLK, S_IFBLK);
    EXPECT_SAME(uapi::kS_IFDIR, S_IFDIR);
    EXPECT_SAME(uapi::kS_IFCHR, S_IFCHR);
    EXPECT_SAME(uapi::kS_IFIFO, S_IFIFO);
    EXPECT_SAME(uapi::kS_ISUID, S_ISUID);
    EXPECT_SAME(uapi::kS_ISGID, S_ISGID);
    EXPECT_SAME(uapi::kS_ISVTX, S_ISVTX);
    EXPECT_SAME(uapi::kS_IRWXU, S_IRWXU);
    EXPECT_SAME(uapi::kS_IRUSR, S_IRUSR);
    EXPECT_SAME(uapi::kS_IWUSR, S_IWUSR);
    EXPECT_SAME(uapi::kS_IXUSR, S_IXUSR);
    EXPECT_SAME(uapi::kS_IRWXG, S_IRWXG);
    EXPECT_SAME(uapi::kS_IRWXO, S_IRWXO);
    for (uint32_t type : {S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO}) {
        uint32_t mode = type | 0644;
        EXPECT_EQ(uapi::s_isreg(mode), S_ISREG(mode));
        EXPECT_EQ(uapi::s_isdir(mode), S_ISDIR(mode));
        EXPECT_EQ(uapi::s_islnk(mode), S_ISLNK(mode));
        EXPECT_EQ(uapi::s_ischr(mode), S_ISCHR(mode));
        EXPECT_EQ(uapi::s_isblk(mode), S_ISBLK(mode));
        EXPECT_EQ(uapi::s_isfifo(mode), S_ISFIFO(mode));
        EXPECT_EQ(uapi::s_issock(mode), S_ISSOCK(mode));
        EXPECT_EQ(uapi::dtype_of_mode(mode), IFTODT(mode));
    }
}

TEST(LinuxFsAbi, DeviceNumbersEncodeAsGlibcMakedev) {
    const uint32_t values[] = {0, 1, 5, 136, 255, 256, 4095, 4096, 0xfffff, 0x12345, 0xffffffffu};
    for (uint32_t major : values)
        for (uint32_t minor : values) {
            EXPECT_EQ(uapi::make_dev(major, minor), makedev(major, minor)) << major << ":" << minor;
            EXPECT_EQ(uapi::dev_major(makedev(major, minor)), major);
            EXPECT_EQ(uapi::dev_minor(makedev(major, minor)), minor);
        }
}

TEST(LinuxFsAbi, Limits) {
    EXPECT_SAME(uapi::kNAME_MAX, NAME_MAX);
    EXPECT_SAME(uapi::kPATH_MAX, PATH_MAX);
    EXPECT_SAME(uapi::kPIPE_BUF, PIPE_BUF);
    EXPECT_SAME(uapi::kIOV_MAX, IOV_MAX);
    EXPECT_SAME(uapi::kUTIME_NOW, UTIME_NOW);
    EXPECT_SAME(uapi::kUTIME_OMIT, UTIME_OMIT);
}

TEST(LinuxFsAbi, StructStat) {
    EXPECT_EQ(sizeof(uapi::Stat), sizeof(struct stat));
    EXPECT_FIELD(uapi::Stat, st_dev, struct stat, st_dev);
    EXPECT_FIELD(uapi::Stat, st_ino, struct stat, st_ino);
    EXPECT_FIELD(uapi::Stat, st_nlink, struct stat, st_nlink);
    EXPECT_FIELD(uapi::Stat, st_mode, struct stat, st_mode);
    EXPECT_FIELD(uapi::Stat, st_uid, struct stat, st_uid);
    EXPECT_FIELD(uapi::Stat, st_gid, struct stat, st_gid);
    EXPECT_FIELD(uapi::Stat, st_rdev, struct stat, st_rdev);
    EXPECT_FIELD(uapi::Stat, st_size, struct stat, st_size);
    EXPECT_FIELD(uapi::Stat, st_blksize, struct stat, st_blksize);
    EXPECT_FIELD(uapi::Stat, st_blocks, struct stat, st_blocks);
    EXPECT_FIELD(uapi::Stat, st_atime_sec, struct stat, st_atim.tv_sec);
    EXPECT_FIELD(uapi::Stat, st_atime_nsec, struct stat, st_atim.tv_nsec);
    EXPECT_FIELD(uapi::Stat, st_mtime_sec, struct stat, st_mtim.tv_sec);
    EXPECT_FIELD(uapi::Stat, st_mtime_nsec, struct stat, st_mtim.tv_nsec);
    EXPECT_FIELD(uapi::Stat, st_ctime_sec, struct stat, st_ctim.tv_sec);
    EXPECT_FIELD(uapi::Stat, st_ctime_nsec, struct stat, st_ctim.tv_nsec);
}

TEST(LinuxFsAbi, StructStatx) {
    EXPECT_EQ(sizeof(uapi::Statx), sizeof(struct statx));
    EXPECT_FIELD(uapi::Statx, stx_mask, struct statx, stx_mask);
    EXPECT_FIELD(uapi::Statx, stx_blksize, struct statx, stx_blksize);
    EXPECT_FIELD(uapi::Statx, stx_attributes, struct statx, stx_attributes);
    EXPECT_FIELD(uapi::Statx, stx_nlink, struct statx, stx_nlink);
    EXPECT_FIELD(uapi::Statx, stx_uid, struct statx, stx_uid);
    EXPECT_FIELD(uapi::Statx, stx_gid, struct statx, stx_gid);
    EXPECT_FIELD(uapi::Statx, stx_mode, struct statx, stx_mode);
    EXPECT_FIELD(uapi::Statx, stx_ino, struct statx, stx_ino);
    EXPECT_FIELD(uapi::Statx, stx_size, struct statx, stx_size);
    EXPECT_FIELD(uapi::Statx, stx_blocks, struct statx, stx_blocks);
    EXPECT_FIELD(uapi::Statx, stx_attributes_mask, struct statx, stx_attributes_mask);
    EXPECT_FIELD(uapi::Statx, stx_atime, struct statx, stx_atime);
    EXPECT_FIELD(uapi::Statx, stx_btime, struct statx, stx_btime);
    EXPECT_FIELD(uapi::Statx, stx_ctime, struct statx, stx_ctime);
    EXPECT_FIELD(uapi::Statx, stx_mtime, struct statx, stx_mtime);
    EXPECT_FIELD(uapi::Statx, stx_rdev_major, struct statx, stx_rdev_major);
    EXPECT_FIELD(uapi::Statx, stx_rdev_minor, struct statx, stx_rdev_minor);
    EXPECT_FIELD(uapi::Statx, stx_dev_major, struct statx, stx_dev_major);
    EXPECT_FIELD(uapi::Statx, stx_dev_minor, struct statx, stx_dev_minor);
    EXPECT_FIELD(uapi::StatxTimestamp, tv_sec, struct statx_timestamp, tv_sec);
    EXPECT_FIELD(uapi::StatxTimestamp, tv_nsec, struct statx_timestamp, tv_nsec);
    EXPECT_EQ(sizeof(uapi::StatxTimestamp), sizeof(struct statx_timestamp));
    EXPECT_SAME(uapi::kSTATX_TYPE, STATX_TYPE);
    EXPECT_SAME(uapi::kSTATX_MODE, STATX_MODE);
    EXPECT_SAME(uapi::kSTATX_NLINK, STATX_NLINK);
    EXPECT_SAME(uapi::kSTATX_UID, STATX_UID);
    EXPECT_SAME(uapi::kSTATX_GID, STATX_GID);
    EXPECT_SAME(uapi::kSTATX_ATIME, STATX_ATIME);
    EXPECT_SAME(uapi::kSTATX_MTIME, STATX_MTIME);
    EXPECT_SAME(uapi::kSTATX_CTIME, STATX_CTIME);
    EXPECT_SAME(uapi::kSTATX_INO, STATX_INO);
    EXPECT_SAME(uapi::kSTATX_SIZE, STATX_SIZE);
    EXPECT_SAME(uapi::kSTATX_BLOCKS, STATX_BLOCKS);
    EXPECT_SAME(uapi::kSTATX_BASIC_STATS, STATX_BASIC_STATS);
    EXPECT_SAME(uapi::kSTATX_BTIME, STATX_BTIME);
    EXPECT_SAME(uapi::kSTATX__RESERVED, STATX__RESERVED);
}

TEST(LinuxFsAbi, Dirent64) {
    // glibc's struct dirent64 has linux_dirent64's header followed by a fixed name array.
    EXPECT_FIELD(uapi::LinuxDirent64, d_ino, struct dirent64, d_ino);
    EXPECT_FIELD(uapi::LinuxDirent64, d_off, struct dirent64, d_off);
    EXPECT_FIELD(uapi::LinuxDirent64, d_reclen, struct dirent64, d_reclen);
    EXPECT_FIELD(uapi::LinuxDirent64, d_type, struct dirent64, d_type);
    EXPECT_EQ(offsetof(uapi::LinuxDirent64, d_name), offsetof(struct dirent64, d_name));
    EXPECT_EQ(uapi::kDirent64HeaderSize, offsetof(struct dirent64, d_name));
    EXPECT_SAME(uapi::kDT_UNKNOWN, DT_UNKNOWN);
    EXPECT_SAME(uapi::kDT_FIFO, DT_FIFO);
    EXPECT_SAME(uapi::kDT_CHR, DT_CHR);
    EXPECT_SAME(uapi::kDT_DIR, DT_DIR);
    EXPECT_SAME(uapi::kDT_BLK, DT_BLK);
    EXPECT_SAME(uapi::kDT_REG, DT_REG);
    EXPECT_SAME(uapi::kDT_LNK, DT_LNK);
    EXPECT_SAME(uapi::kDT_SOCK, DT_SOCK);
    EXPECT_SAME(uapi::kDT_WHT, DT_WHT);
}

TEST(LinuxFsAbi, RenameSeekFallocate) {
    EXPECT_SAME(uapi::kRENAME_NOREPLACE, RENAME_NOREPLACE);
    EXPECT_SAME(uapi::kRENAME_EXCHANGE, RENAME_EXCHANGE);
    EXPECT_SAME(uapi::kRENAME_WHITEOUT, RENAME_WHITEOUT);
    EXPECT_SAME(uapi::kSEEK_SET, SEEK_SET);
    EXPECT_SAME(uapi::kSEEK_CUR, SEEK_CUR);
    EXPECT_SAME(uapi::kSEEK_END, SEEK_END);
    EXPECT_SAME(uapi::kSEEK_DATA, SEEK_DATA);
    EXPECT_SAME(uapi::kSEEK_HOLE, SEEK_HOLE);
    EXPECT_SAME(uapi::kFALLOC_FL_KEEP_SIZE, FALLOC_FL_KEEP_SIZE);
    EXPECT_SAME(uapi::kFALLOC_FL_PUNCH_HOLE, FALLOC_FL_PUNCH_HOLE);
    EXPECT_SAME(uapi::kFALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_COLLAPSE_RANGE);
    EXPECT_SAME(uapi::kFALLOC_FL_ZERO_RANGE, FALLOC_FL_ZERO_RANGE);
    EXPECT_SAME(uapi::kFALLOC_FL_INSERT_RANGE, FALLOC_FL_INSERT_RANGE);
}

TEST(LinuxFsAbi, Iovec) {
    EXPECT_EQ(sizeof(uapi::Iovec), sizeof(struct iovec));
    EXPECT_FIELD(uapi::Iovec, iov_base, struct iovec, iov_base);
    EXPECT_FIELD(uapi::Iovec, iov_len, struct iovec, iov_len);
}

TEST(LinuxFsAbi, Statfs) {
    EXPECT_EQ(sizeof(uapi::Statfs), sizeof(struct statfs));
    EXPECT_FIELD(uapi::Statfs, f_type, struct statfs, f_type);
    EXPECT_FIELD(uapi::Statfs, f_bsize, struct statfs, f_bsize);
    EXPECT_FIELD(uapi::Statfs, f_blocks, struct statfs, f_blocks);
    EXPECT_FIELD(uapi::Statfs, f_bfree, struct statfs, f_bfree);
    EXPECT_FIELD(uapi::Statfs, f_bavail, struct statfs, f_bavail);
    EXPECT_FIELD(uapi::Statfs, f_files, struct statfs, f_files);
    EXPECT_FIELD(uapi::Statfs, f_ffree, struct statfs, f_ffree);
    EXPECT_FIELD(uapi::Statfs, f_fsid, struct statfs, f_fsid);
    EXPECT_FIELD(uapi::Statfs, f_namelen, struct statfs, f_namelen);
    EXPECT_FIELD(uapi::Statfs, f_frsize, struct statfs, f_frsize);
    EXPECT_FIELD(uapi::Statfs, f_flags, struct statfs, f_flags);
    EXPECT_FIELD(uapi::Statfs, f_spare, struct statfs, f_spare);
    EXPECT_SAME(uapi::kTMPFS_MAGIC, TMPFS_MAGIC);
    EXPECT_SAME(uapi::kPROC_SUPER_MAGIC, PROC_SUPER_MAGIC);
    EXPECT_SAME(uapi::kDEVPTS_SUPER_MAGIC, DEVPTS_SUPER_MAGIC);
    EXPECT_SAME(uapi::kPIPEFS_MAGIC, PIPEFS_MAGIC);
    EXPECT_SAME(uapi::kST_RDONLY, ST_RDONLY);
    EXPECT_SAME(uapi::kST_NOSUID, ST_NOSUID);
    EXPECT_SAME(uapi::kST_NODEV, ST_NODEV);
    EXPECT_SAME(uapi::kST_NOEXEC, ST_NOEXEC);
    EXPECT_SAME(uapi::kST_RELATIME, ST_RELATIME);
    EXPECT_SAME(uapi::kST_VALID, 0x20);  // linux/statfs.h; glibc does not name it
}

TEST(LinuxFsAbi, PollAndEpoll) {
    EXPECT_SAME(uapi::kPOLLIN, POLLIN);
    EXPECT_SAME(uapi::kPOLLPRI, POLLPRI);
    EXPECT_SAME(uapi::kPOLLOUT, POLLOUT);
    EXPECT_SAME(uapi::kPOLLERR, POLLERR);
    EXPECT_SAME(uapi::kPOLLHUP, POLLHUP);
    EXPECT_SAME(uapi::kPOLLNVAL, POLLNVAL);
    EXPECT_SAME(uapi::kPOLLRDNORM, POLLRDNORM);
    EXPECT_SAME(uapi::kPOLLRDBAND, POLLRDBAND);
    EXPECT_SAME(uapi::kPOLLWRNORM, POLLWRNORM);
    EXPECT_SAME(uapi::kPOLLWRBAND, POLLWRBAND);
    EXPECT_SAME(uapi::kPOLLMSG, POLLMSG);
    EXPECT_SAME(uapi::kPOLLRDHUP, POLLRDHUP);
    EXPECT_EQ(sizeof(uapi::Pollfd), sizeof(struct pollfd));
    EXPECT_FIELD(uapi::Pollfd, fd, struct pollfd, fd);
    EXPECT_FIELD(uapi::Pollfd, events, struct pollfd, events);
    EXPECT_FIELD(uapi::Pollfd, revents, struct pollfd, revents);
    EXPECT_SAME(uapi::kEPOLLIN, EPOLLIN);
    EXPECT_SAME(uapi::kEPOLLPRI, EPOLLPRI);
    EXPECT_SAME(uapi::kEPOLLOUT, EPOLLOUT);
    EXPECT_SAME(uapi::kEPOLLERR, EPOLLERR);
    EXPECT_SAME(uapi::kEPOLLHUP, EPOLLHUP);
    EXPECT_SAME(uapi::kEPOLLRDNORM, EPOLLRDNORM);
    EXPECT_SAME(uapi::kEPOLLRDBAND, EPOLLRDBAND);
    EXPECT_SAME(uapi::kEPOLLWRNORM, EPOLLWRNORM);
    EXPECT_SAME(uapi::kEPOLLWRBAND, EPOLLWRBAND);
    EXPECT_SAME(uapi::kEPOLLMSG, EPOLLMSG);
    EXPECT_SAME(uapi::kEPOLLRDHUP, EPOLLRDHUP);
    EXPECT_SAME(uapi::kEPOLLEXCLUSIVE, EPOLLEXCLUSIVE);
    EXPECT_SAME(uapi::kEPOLLWAKEUP, EPOLLWAKEUP);
    EXPECT_SAME(uapi::kEPOLLONESHOT, EPOLLONESHOT);
    EXPECT_EQ(uapi::kEPOLLET, static_cast<uint32_t>(EPOLLET));
    EXPECT_SAME(uapi::kEPOLL_CTL_ADD, EPOLL_CTL_ADD);
    EXPECT_SAME(uapi::kEPOLL_CTL_DEL, EPOLL_CTL_DEL);
    EXPECT_SAME(uapi::kEPOLL_CTL_MOD, EPOLL_CTL_MOD);
    EXPECT_SAME(uapi::kEPOLL_CLOEXEC, EPOLL_CLOEXEC);
    EXPECT_EQ(sizeof(uapi::EpollEvent), sizeof(struct epoll_event));
    EXPECT_FIELD(uapi::EpollEvent, events, struct epoll_event, events);
    EXPECT_FIELD(uapi::EpollEvent, data, struct epoll_event, data);
}

TEST(LinuxFsAbi, EventfdMemfdCloseRange) {
    EXPECT_SAME(uapi::kEFD_SEMAPHORE, EFD_SEMAPHORE);
    EXPECT_SAME(uapi::kEFD_CLOEXEC, EFD_CLOEXEC);
    EXPECT_SAME(uapi::kEFD_NONBLOCK, EFD_NONBLOCK);
    EXPECT_SAME(uapi::kMFD_CLOEXEC, MFD_CLOEXEC);
    EXPECT_SAME(uapi::kMFD_ALLOW_SEALING, MFD_ALLOW_SEALING);
    EXPECT_SAME(uapi::kMFD_HUGETLB, MFD_HUGETLB);
    EXPECT_SAME(uapi::kCLOSE_RANGE_UNSHARE, CLOSE_RANGE_UNSHARE);
    EXPECT_SAME(uapi::kCLOSE_RANGE_CLOEXEC, CLOSE_RANGE_CLOEXEC);
}

TEST(LinuxFsAbi, Openat2) {
    EXPECT_EQ(sizeof(uapi::OpenHow), sizeof(struct open_how));
    EXPECT_FIELD(uapi::OpenHow, flags, struct open_how, flags);
    EXPECT_FIELD(uapi::OpenHow, mode, struct open_how, mode);
    EXPECT_FIELD(uapi::OpenHow, resolve, struct open_how, resolve);
    EXPECT_SAME(uapi::kRESOLVE_NO_XDEV, RESOLVE_NO_XDEV);
    EXPECT_SAME(uapi::kRESOLVE_NO_MAGICLINKS, RESOLVE_NO_MAGICLINKS);
    EXPECT_SAME(uapi::kRESOLVE_NO_SYMLINKS, RESOLVE_NO_SYMLINKS);
    EXPECT_SAME(uapi::kRESOLVE_BENEATH, RESOLVE_BENEATH);
    EXPECT_SAME(uapi::kRESOLVE_IN_ROOT, RESOLVE_IN_ROOT);
    EXPECT_SAME(uapi::kRESOLVE_CACHED, RESOLVE_CACHED);
}

TEST(LinuxFsAbi, Ioctls) {
    EXPECT_SAME(uapi::kFIONREAD, FIONREAD);
    EXPECT_SAME(uapi::kFIONBIO, FIONBIO);
    EXPECT_SAME(uapi::kFIONCLEX, FIONCLEX);
    EXPECT_SAME(uapi::kFIOCLEX, FIOCLEX);
    EXPECT_SAME(uapi::kFIOASYNC, FIOASYNC);
}

// The pipe defaults are facts of the running kernel (pipe(7)); this host is a Linux.
TEST(LinuxFsAbi, PipeDefaultsMatchTheHostKernel) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    EXPECT_EQ(fcntl(fds[0], F_GETPIPE_SZ), static_cast<int>(uapi::kPipeDefaultSize));
    close(fds[0]);
    close(fds[1]);
    FILE* max = fopen("/proc/sys/fs/pipe-max-size", "r");
    ASSERT_NE(max, nullptr);
    long value = 0;
    EXPECT_EQ(fscanf(max, "%ld", &value), 1);
    fclose(max);
    EXPECT_EQ(value, static_cast<long>(uapi::kPipeMaxSize));
}

}  // namespace
