/* Files: open/openat flags, read/write and their vector and positioned
 * forms, lseek, dup/dup2/dup3, fcntl, the stat family (statx, AT_EMPTY_PATH),
 * getdents64, directories and links, chdir/getcwd, chmod/chown, truncate,
 * utimensat, ELOOP, ENAMETOOLONG, O_NOFOLLOW, trailing slashes and
 * /proc/self (man 2 open, read, lseek, dup, fcntl, stat, statx, getdents64,
 * mkdir, rename, link, symlink, readlink, utimensat; man 7 path_resolution;
 * issue 13). Everything happens in a fresh scratch directory. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

/* include/uapi/linux/stat.h: statx is called raw (musl 1.2.3 has no wrapper). */
struct kstatx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec, pad;
};
struct kstatx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad1;
    uint64_t ino, size, blocks, attributes_mask;
    struct kstatx_ts atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
#define STATX_BASIC_STATS_ 0x7ffU

static char dir[512];

static const char* at(const char* name) {
    static char paths[4][600];
    static int next;
    char* p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

static void opening(void) {
    int fd = open(at("a"), O_CREAT | O_EXCL | O_RDWR, 0640);
    EXPECT_TRUE("open O_CREAT|O_EXCL: lowest free fd (3)", fd == 3);
    EXPECT_ERR("open O_CREAT|O_EXCL existing", open(at("a"), O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST);
    EXPECT_ERR("open missing", open(at("missing"), O_RDONLY), ENOENT);
    EXPECT_ERR("open missing/x", open(at("missing/x"), O_RDONLY), ENOENT);
    EXPECT_ERR("open a/x (a is a file)", open(at("a/x"), O_RDONLY), ENOTDIR);
    EXPECT_ERR("open a directory for writing", open(dir, O_WRONLY), EISDIR);
    EXPECT_ERR("open O_DIRECTORY on a file", open(at("a"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    EXPECT_ERR("open path=NULL", syscall(SYS_open, NULL, O_RDONLY), EFAULT);
    EXPECT_ERR("open path=kernel", syscall(SYS_open, KERNEL_PTR, O_RDONLY), EFAULT);
    EXPECT_ERR("open empty path", open("", O_RDONLY), ENOENT);
    EXPECT_ERR("openat bad dirfd", openat(999, "a", O_RDONLY), EBADF);
    EXPECT_ERR("openat dirfd is a file", openat(fd, "x", O_RDONLY), ENOTDIR);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd2 = openat(dfd, "a", O_RDONLY);
    EXPECT_TRUE("openat relative to a directory fd", fd2 >= 0);
    EXPECT_TRUE("O_CLOEXEC sets FD_CLOEXEC", fcntl(openat(dfd, "a", O_RDONLY | O_CLOEXEC), F_GETFD) == FD_CLOEXEC);
    struct stat st;
    fstat(fd, &st);
    EXPECT_TRUE("O_CREAT mode honours umask 022", (st.st_mode & 07777) == 0640 && S_ISREG(st.st_mode));
    int flags = fcntl(fd, F_GETFL);
    EXPECT_TRUE("F_GETFL: O_RDWR", (flags & O_ACCMODE) == O_RDWR);
    EXPECT_OK("F_SETFL O_APPEND|O_NONBLOCK", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    flags = fcntl(fd, F_GETFL);
    EXPECT_TRUE("F_GETFL: O_APPEND|O_NONBLOCK set, access mode kept",
                (flags & O_APPEND) && (flags & O_NONBLOCK) && (flags & O_ACCMODE) == O_RDWR);
    fcntl(fd, F_SETFL, 0);
    close(fd2);
    close(dfd);
    close(fd);
}

static void reading_and_writing(void) {
    int fd = open(at("rw"), O_CREAT | O_TRUNC | O_RDWR, 0644);
    EXPECT_TRUE("write 10 bytes", write(fd, "0123456789", 10) == 10);
    EXPECT_TRUE("lseek SEEK_CUR is 10", lseek(fd, 0, SEEK_CUR) == 10);
    EXPECT_TRUE("lseek SEEK_SET 2", lseek(fd, 2, SEEK_SET) == 2);
    char buf[32] = {0};
    EXPECT_TRUE("read 4 bytes from 2", read(fd, buf, 4) == 4 && memcmp(buf, "2345", 4) == 0);
    EXPECT_TRUE("lseek SEEK_END -1", lseek(fd, -1, SEEK_END) == 9);
    EXPECT_TRUE("read at the end gives 1 then 0", read(fd, buf, 8) == 1 && read(fd, buf, 8) == 0);
    EXPECT_ERR("lseek to a negative offset", lseek(fd, -100, SEEK_SET), EINVAL);
    EXPECT_ERR("lseek bad whence", lseek(fd, 0, 42), EINVAL);
    EXPECT_TRUE("lseek past the end is allowed", lseek(fd, 20, SEEK_SET) == 20);
    EXPECT_TRUE("a write there makes a hole", write(fd, "!", 1) == 1);
    memset(buf, 'x', sizeof buf);
    EXPECT_TRUE("pread over the hole reads zeros", pread(fd, buf, 21, 0) == 21 && buf[10] == 0 && buf[19] == 0 &&
                                                        buf[20] == '!');
    EXPECT_TRUE("pread leaves the offset", lseek(fd, 0, SEEK_CUR) == 21);
    EXPECT_TRUE("pwrite at 0", pwrite(fd, "AB", 2, 0) == 2 && lseek(fd, 0, SEEK_CUR) == 21);
    EXPECT_ERR("pread negative offset", pread(fd, buf, 1, -1), EINVAL);

    struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    lseek(fd, 0, SEEK_SET);
    EXPECT_TRUE("writev 3 buffers", writev(fd, iov, 3) == 5);
    char x[2], y[3];
    struct iovec in[2] = {{x, 2}, {y, 3}};
    lseek(fd, 0, SEEK_SET);
    EXPECT_TRUE("readv scatters in order", readv(fd, in, 2) == 5 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
    EXPECT_TRUE("preadv at 1", preadv(fd, in, 1, 1) == 2 && memcmp(x, "bc", 2) == 0);
    struct iovec huge = {x, (size_t)-1};
    EXPECT_ERR("readv with an iov_len over SSIZE_MAX", readv(fd, &huge, 1), EINVAL);
    EXPECT_ERR("readv iovcnt 1025", syscall(SYS_readv, fd, in, 1025), EINVAL);
    EXPECT_ERR("writev iov=kernel", syscall(SYS_writev, fd, KERNEL_PTR, 1), EFAULT);

    EXPECT_ERR("read into a kernel address", syscall(SYS_read, fd, KERNEL_PTR, 1), EFAULT);
    lseek(fd, 0, SEEK_SET);
    EXPECT_ERR("read into unmapped memory", syscall(SYS_read, fd, unmapped_ptr(), 4), EFAULT);
    EXPECT_ERR("write from unmapped memory", syscall(SYS_write, fd, unmapped_ptr(), 4), EFAULT);
    EXPECT_ERR("read from a bad fd", read(999, buf, 1), EBADF);
    EXPECT_ERR("write to a negative fd", write(-1, buf, 1), EBADF);
    int ro = open(at("rw"), O_RDONLY);
    EXPECT_ERR("write to an O_RDONLY fd", write(ro, "x", 1), EBADF);
    int wo = open(at("rw"), O_WRONLY);
    EXPECT_ERR("read from an O_WRONLY fd", read(wo, buf, 1), EBADF);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    EXPECT_ERR("read from a directory", read(dfd, buf, 1), EISDIR);
    close(ro), close(wo), close(dfd);

    int ap = open(at("rw"), O_WRONLY | O_APPEND);
    lseek(ap, 0, SEEK_SET);
    write(ap, "Z", 1);
    struct stat st;
    fstat(fd, &st);
    EXPECT_TRUE("O_APPEND writes at the end whatever the offset", st.st_size == 22 && lseek(ap, 0, SEEK_CUR) == 22);
    close(ap);
    close(fd);
}

static void descriptors(void) {
    int fd = open(at("rw"), O_RDONLY);
    int d = dup(fd);
    EXPECT_TRUE("dup gives the lowest free fd", d == fd + 1);
    lseek(fd, 3, SEEK_SET);
    EXPECT_TRUE("dup shares the file offset", lseek(d, 0, SEEK_CUR) == 3);
    EXPECT_TRUE("dup2 to 20", dup2(fd, 20) == 20);
    EXPECT_TRUE("dup2 to itself returns it", dup2(fd, fd) == fd);
    EXPECT_ERR("dup3 to itself", syscall(SYS_dup3, fd, fd, 0), EINVAL);
    EXPECT_ERR("dup3 bad flags", syscall(SYS_dup3, fd, 21, 0x1234), EINVAL);
    EXPECT_TRUE("dup3 O_CLOEXEC", dup3(fd, 21, O_CLOEXEC) == 21 && fcntl(21, F_GETFD) == FD_CLOEXEC);
    EXPECT_TRUE("the dup2 copy has no FD_CLOEXEC", fcntl(20, F_GETFD) == 0);
    EXPECT_ERR("dup2 from a bad fd", dup2(999, 22), EBADF);
    EXPECT_ERR("dup2 to a fd past RLIMIT_NOFILE", dup2(fd, 1 << 30), EBADF);
    EXPECT_TRUE("F_DUPFD from 30", fcntl(fd, F_DUPFD, 30) == 30);
    EXPECT_TRUE("F_DUPFD_CLOEXEC from 30", fcntl(fd, F_DUPFD_CLOEXEC, 30) == 31 && fcntl(31, F_GETFD) == FD_CLOEXEC);
    EXPECT_OK("F_SETFD FD_CLOEXEC", fcntl(20, F_SETFD, FD_CLOEXEC));
    EXPECT_ERR("fcntl bad command", fcntl(fd, 9999), EINVAL);
    EXPECT_ERR("fcntl bad fd", fcntl(999, F_GETFD), EBADF);
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int rw = open(at("rw"), O_RDWR);
    EXPECT_OK("F_SETLK write lock", fcntl(rw, F_SETLK, &lock));
    lock.l_type = F_WRLCK;
    EXPECT_OK("F_GETLK from the owner", fcntl(rw, F_GETLK, &lock));
    EXPECT_TRUE("F_GETLK: our own lock does not conflict", lock.l_type == F_UNLCK);
    EXPECT_OK("close", close(d));
    EXPECT_ERR("close again", close(d), EBADF);
    for (int f = 20; f <= 31; f++) close(f);
    close(rw);
    close(fd);

    /* Offsets are shared across fork (one open file description). */
    fd = open(at("rw"), O_RDONLY);
    pid_t child = fork();
    if (child == 0) {
        lseek(fd, 7, SEEK_SET);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    EXPECT_TRUE("fork shares the file offset", lseek(fd, 0, SEEK_CUR) == 7);
    close(fd);
}

static void metadata(void) {
    struct stat st;
    EXPECT_OK("stat", stat(at("rw"), &st));
    EXPECT_TRUE("stat: regular, size 22, 1 link", S_ISREG(st.st_mode) && st.st_size == 22 && st.st_nlink == 1);
    EXPECT_TRUE("stat: blksize > 0", st.st_blksize > 0);
    int fd = open(at("rw"), O_RDONLY);
    struct stat fst;
    EXPECT_OK("fstat", fstat(fd, &fst));
    EXPECT_TRUE("fstat and stat agree (ino, dev)", fst.st_ino == st.st_ino && fst.st_dev == st.st_dev);
    struct stat empty;
    EXPECT_OK("newfstatat AT_EMPTY_PATH", syscall(SYS_newfstatat, fd, "", &empty, AT_EMPTY_PATH));
    EXPECT_TRUE("AT_EMPTY_PATH stats the fd", empty.st_ino == st.st_ino);
    EXPECT_ERR("newfstatat empty path without AT_EMPTY_PATH", syscall(SYS_newfstatat, fd, "", &empty, 0), ENOENT);
    EXPECT_ERR("newfstatat bad flags", syscall(SYS_newfstatat, AT_FDCWD, at("rw"), &empty, 0x1), EINVAL);
    EXPECT_ERR("stat into a kernel address", syscall(SYS_stat, at("rw"), KERNEL_PTR), EFAULT);
    EXPECT_ERR("fstat bad fd", syscall(SYS_fstat, 999, &st), EBADF);

    struct kstatx sx;
    memset(&sx, 0, sizeof sx);
    EXPECT_OK("statx", syscall(SYS_statx, AT_FDCWD, at("rw"), 0, STATX_BASIC_STATS_, &sx));
    EXPECT_TRUE("statx: basic stats returned and agree with stat",
                (sx.mask & STATX_BASIC_STATS_) == STATX_BASIC_STATS_ && sx.ino == st.st_ino && sx.size == 22 &&
                    (sx.mode & S_IFMT) == S_IFREG);
    EXPECT_OK("statx AT_EMPTY_PATH", syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS_, &sx));
    EXPECT_ERR("statx bad flags", syscall(SYS_statx, AT_FDCWD, at("rw"), 0x80000000, STATX_BASIC_STATS_, &sx),
               EINVAL);
    EXPECT_ERR("statx reserved mask bit", syscall(SYS_statx, AT_FDCWD, at("rw"), 0, 0x80000000U, &sx), EINVAL);
    EXPECT_ERR("statx buffer=kernel", syscall(SYS_statx, AT_FDCWD, at("rw"), 0, STATX_BASIC_STATS_, KERNEL_PTR),
               EFAULT);
    close(fd);

    EXPECT_OK("chmod 0600", chmod(at("rw"), 0600));
    stat(at("rw"), &st);
    EXPECT_TRUE("mode is 0600", (st.st_mode & 07777) == 0600);
    EXPECT_OK("fchmodat 0644", fchmodat(AT_FDCWD, at("rw"), 0644, 0));
    EXPECT_OK("chown to the same ids", chown(at("rw"), st.st_uid, st.st_gid));
    EXPECT_OK("chown -1 -1 changes nothing", chown(at("rw"), -1, -1));
    EXPECT_ERR("chmod missing", chmod(at("missing"), 0644), ENOENT);

    EXPECT_OK("truncate to 5", truncate(at("rw"), 5));
    stat(at("rw"), &st);
    EXPECT_TRUE("size 5", st.st_size == 5);
    fd = open(at("rw"), O_RDWR);
    EXPECT_OK("ftruncate to 4096", ftruncate(fd, 4096));
    char buf[8];
    EXPECT_TRUE("the extension reads zero", pread(fd, buf, 1, 4000) == 1 && buf[0] == 0);
    EXPECT_ERR("ftruncate negative", ftruncate(fd, -1), EINVAL);
    int ro = open(at("rw"), O_RDONLY);
    EXPECT_ERR("ftruncate read-only fd", ftruncate(ro, 0), EINVAL);
    close(ro);
    EXPECT_ERR("truncate a directory", truncate(dir, 0), EISDIR);

    struct timespec times[2] = {{1000000000, 5}, {1200000000, 7}};
    EXPECT_OK("utimensat", utimensat(AT_FDCWD, at("rw"), times, 0));
    stat(at("rw"), &st);
    EXPECT_TRUE("atime and mtime as set", st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1200000000 &&
                                              st.st_mtim.tv_nsec == 7);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    EXPECT_OK("utimensat OMIT/NOW", utimensat(AT_FDCWD, at("rw"), omit, 0));
    stat(at("rw"), &st);
    EXPECT_TRUE("OMIT kept atime, NOW moved mtime", st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1200000000);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    EXPECT_ERR("utimensat tv_nsec=1e9", utimensat(AT_FDCWD, at("rw"), bad, 0), EINVAL);
    EXPECT_OK("futimens", futimens(fd, NULL));
    close(fd);
    EXPECT_OK("access F_OK", access(at("rw"), F_OK));
    EXPECT_ERR("access missing", access(at("missing"), F_OK), ENOENT);
    EXPECT_ERR("access bad mode", syscall(SYS_access, at("rw"), 0x10), EINVAL);
    EXPECT_OK("faccessat R_OK|W_OK", faccessat(AT_FDCWD, at("rw"), R_OK | W_OK, 0));
}

static void directories(void) {
    EXPECT_OK("mkdir d", mkdir(at("d"), 0755));
    EXPECT_ERR("mkdir existing", mkdir(at("d"), 0755), EEXIST);
    EXPECT_ERR("mkdir under a file", mkdir(at("rw/x"), 0755), ENOTDIR);
    EXPECT_ERR("mkdir missing parent", mkdir(at("nope/x"), 0755), ENOENT);
    EXPECT_OK("mkdir with a trailing slash", mkdir(at("e/"), 0755));
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof name, "d/f%02d", i);
        close(open(at(name), O_CREAT | O_WRONLY, 0644));
    }
    int dfd = open(at("d"), O_RDONLY | O_DIRECTORY);
    char buf[1024];
    int entries = 0, dots = 0, files = 0, types_ok = 1;
    long n;
    while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64* e = (struct dirent64*)(buf + off);
            entries++;
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                dots++, types_ok = types_ok && e->d_type == DT_DIR;
            else if (e->d_name[0] == 'f')
                files++, types_ok = types_ok && e->d_type == DT_REG;
            off += e->d_reclen;
        }
    }
    say("getdents64 in 1 KiB reads: %d entries (%d dots, %d files), types right: %s", entries, dots, files,
        types_ok ? "yes" : "no");
    CHECK(n == 0 && entries == 52 && dots == 2 && files == 50 && types_ok);
    lseek(dfd, 0, SEEK_SET);
    EXPECT_ERR("getdents64 buffer too small", syscall(SYS_getdents64, dfd, buf, 8), EINVAL);
    EXPECT_ERR("getdents64 into a kernel address", syscall(SYS_getdents64, dfd, KERNEL_PTR, 1024), EFAULT);
    int file = open(at("rw"), O_RDONLY);
    EXPECT_ERR("getdents64 on a file", syscall(SYS_getdents64, file, buf, sizeof buf), ENOTDIR);
    EXPECT_ERR("getdents64 bad fd", syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF);
    close(file);
    close(dfd);

    EXPECT_ERR("rmdir non-empty", rmdir(at("d")), ENOTEMPTY);
    EXPECT_ERR("rmdir a file", rmdir(at("rw")), ENOTDIR);
    EXPECT_ERR("rmdir .", rmdir(at("e/.")), EINVAL);
    EXPECT_ERR("unlink a directory", unlink(at("d")), EISDIR);
    EXPECT_OK("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, at("e"), AT_REMOVEDIR));
    EXPECT_ERR("unlinkat bad flags", unlinkat(AT_FDCWD, at("rw"), 0x1), EINVAL);

    EXPECT_OK("rename file", rename(at("d/f00"), at("d/g00")));
    EXPECT_ERR("rename missing", rename(at("d/f00"), at("d/h00")), ENOENT);
    EXPECT_OK("rename over an existing file", rename(at("d/f01"), at("d/g00")));
    EXPECT_ERR("rename a directory into itself", rename(at("d"), at("d/sub")), EINVAL);
    mkdir(at("empty"), 0755);
    EXPECT_ERR("rename a file over an empty directory", rename(at("d/f02"), at("empty")), EISDIR);
    EXPECT_ERR("rename a directory over a file", rename(at("d"), at("rw")), ENOTDIR);
    EXPECT_OK("link", link(at("d/f02"), at("hard")));
    struct stat st;
    stat(at("hard"), &st);
    EXPECT_TRUE("link count 2", st.st_nlink == 2);
    EXPECT_ERR("link to an existing name", link(at("d/f02"), at("hard")), EEXIST);
    EXPECT_ERR("link a directory", link(at("d"), at("dirlink")), EPERM);
    EXPECT_OK("unlink one name", unlink(at("hard")));
    stat(at("d/f02"), &st);
    EXPECT_TRUE("link count 1 again", st.st_nlink == 1);

    /* chdir/getcwd and relative paths. */
    char cwd[PATH_MAX], saved[PATH_MAX];
    CHECK(getcwd(saved, sizeof saved) != NULL);
    EXPECT_OK("chdir", chdir(at("d")));
    EXPECT_TRUE("getcwd names it", getcwd(cwd, sizeof cwd) && strcmp(cwd, at("d")) == 0);
    EXPECT_TRUE("relative open in the new cwd", access("f03", F_OK) == 0);
    EXPECT_OK("chdir ..", chdir(".."));
    EXPECT_TRUE("getcwd after ..", getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0);
    EXPECT_ERR("getcwd buffer too small", syscall(SYS_getcwd, cwd, 2), ERANGE);
    EXPECT_ERR("getcwd into a kernel address", syscall(SYS_getcwd, KERNEL_PTR, sizeof cwd), EFAULT);
    EXPECT_ERR("chdir to a file", chdir(at("rw")), ENOTDIR);
    int dfd2 = open(at("d"), O_RDONLY | O_DIRECTORY);
    EXPECT_OK("fchdir", fchdir(dfd2));
    EXPECT_TRUE("getcwd after fchdir", getcwd(cwd, sizeof cwd) && strcmp(cwd, at("d")) == 0);
    close(dfd2);
    chdir(saved);
}

static void links_and_paths(void) {
    EXPECT_OK("symlink", symlink("rw", at("sym")));
    char target[64] = {0};
    EXPECT_TRUE("readlink gives the target, not NUL-terminated", readlink(at("sym"), target, sizeof target) == 2 &&
                                                                      memcmp(target, "rw", 2) == 0);
    EXPECT_TRUE("readlink truncates to the buffer", readlink(at("sym"), target, 1) == 1);
    EXPECT_ERR("readlink of a file", readlink(at("rw"), target, sizeof target), EINVAL);
    EXPECT_ERR("readlink buffer size 0", syscall(SYS_readlink, at("sym"), target, 0), EINVAL);
    EXPECT_ERR("readlink into a kernel address", syscall(SYS_readlink, at("sym"), KERNEL_PTR, 64), EFAULT);
    struct stat st, lst;
    stat(at("sym"), &st);
    lstat(at("sym"), &lst);
    EXPECT_TRUE("stat follows, lstat does not", S_ISREG(st.st_mode) && S_ISLNK(lst.st_mode) && lst.st_size == 2);
    EXPECT_ERR("open O_NOFOLLOW on a symlink", open(at("sym"), O_RDONLY | O_NOFOLLOW), ELOOP);
    EXPECT_TRUE("O_PATH|O_NOFOLLOW opens the link itself",
                fstat(open(at("sym"), O_PATH | O_NOFOLLOW), &lst) == 0 && S_ISLNK(lst.st_mode));
    EXPECT_OK("fstatat AT_SYMLINK_NOFOLLOW", fstatat(AT_FDCWD, at("sym"), &lst, AT_SYMLINK_NOFOLLOW));
    EXPECT_ERR("symlink over an existing name", symlink("x", at("sym")), EEXIST);
    EXPECT_OK("dangling symlink", symlink("nowhere", at("dangling")));
    EXPECT_ERR("open through a dangling symlink", open(at("dangling"), O_RDONLY), ENOENT);
    EXPECT_TRUE("O_CREAT through a dangling symlink creates the target",
                open(at("dangling"), O_CREAT | O_WRONLY, 0644) >= 0 && access(at("nowhere"), F_OK) == 0);
    EXPECT_OK("self loop", symlink("loop", at("loop")));
    EXPECT_ERR("open a symlink loop", open(at("loop"), O_RDONLY), ELOOP);
    /* A chain of 41 links: more than the 40 Linux follows. */
    char name[32], next[32];
    for (int i = 0; i < 41; i++) {
        snprintf(name, sizeof name, "chain%02d", i);
        snprintf(next, sizeof next, i == 40 ? "rw" : "chain%02d", i + 1);
        symlink(next, at(name));
    }
    EXPECT_TRUE("a chain of 40 links resolves", access(at("chain01"), F_OK) == 0);
    EXPECT_ERR("a chain of 41 links is ELOOP", access(at("chain00"), F_OK), ELOOP);

    /* Trailing slashes (man 7 path_resolution). */
    EXPECT_ERR("stat file/", stat(at("rw/"), &st), ENOTDIR);
    EXPECT_OK("stat dir/", stat(at("d/"), &st));
    EXPECT_OK("stat dir/.", stat(at("d/."), &st));
    EXPECT_ERR("open file/ O_CREAT", open(at("new/"), O_CREAT | O_WRONLY, 0644), EISDIR);
    EXPECT_ERR("unlink file/", unlink(at("rw/")), ENOTDIR);
    EXPECT_OK("symlink to a dir, followed with a slash", symlink("d", at("dsym")));
    EXPECT_TRUE("stat dsym/ is the directory", stat(at("dsym/"), &st) == 0 && S_ISDIR(st.st_mode));
    EXPECT_ERR("rmdir dsym/ (a symlink, not a directory)", rmdir(at("dsym")), ENOTDIR);

    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    EXPECT_ERR("a 256-byte name component", open(at(longname), O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    char* longpath = malloc(PATH_MAX + 10);
    memset(longpath, 'a', PATH_MAX + 9);
    for (int i = 1; i < PATH_MAX + 9; i += 2) longpath[i] = '/';
    longpath[PATH_MAX + 9] = 0;
    EXPECT_ERR("a path of PATH_MAX+9 bytes", open(longpath, O_RDONLY), ENAMETOOLONG);
    free(longpath);
}

static void proc_self(void) {
    char buf[4096], exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    EXPECT_TRUE("/proc/self/exe is an absolute path", n > 0 && exe[0] == '/');
    int fd = open(at("rw"), O_RDONLY);
    char link[64], target[PATH_MAX] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof target - 1);
    EXPECT_TRUE("/proc/self/fd/N names the file", n > 0 && strcmp(target, at("rw")) == 0);
    close(fd);
    char cwd[PATH_MAX];
    getcwd(cwd, sizeof cwd);
    n = readlink("/proc/self/cwd", target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    EXPECT_TRUE("/proc/self/cwd is the cwd", strcmp(target, cwd) == 0);
    fd = open("/proc/self/stat", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char* paren = strrchr(buf, ')');
    EXPECT_TRUE("/proc/self/stat: pid (comm) R ...", atoi(buf) == getpid() && paren && paren[2] == 'R');
    fd = open("/proc/self/status", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char* pid_line = strstr(buf, "\nPid:");
    EXPECT_TRUE("/proc/self/status: Pid: line", pid_line && atoi(pid_line + 5) == getpid());
    fd = open("/proc/self/cmdline", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    EXPECT_TRUE("/proc/self/cmdline: argv[0] NUL-terminated", n > 0 && buf[n - 1] == 0 && strlen(buf) + 1 <= (size_t)n);
    fd = open("/proc/self/maps", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    EXPECT_TRUE("/proc/self/maps: lines like 'start-end perms offset'", n > 0 && strchr(buf, '-') && strstr(buf, " r"));
}

int main(void) {
    umask(022);
    snprintf(dir, sizeof dir, "%s", scratch_dir());
    opening();
    reading_and_writing();
    descriptors();
    metadata();
    directories();
    links_and_paths();
    proc_self();
    return finish("files");
}
