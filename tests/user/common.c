/* Helpers shared by the user-space test programs: see common.h. */
#include "common.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

int checks_run;
int checks_failed;
static char scratch[256];

void say(const char* fmt, ...) {
    char line[1024];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, args);
    va_end(args);
    if (n < 0) n = 0;
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    for (int done = 0; done < n;) {
        ssize_t w = write(1, line + done, n - done);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            _exit(3);
        }
        done += w;
    }
}

#define E(name) [name] = #name
static const char* const names[] = {
    E(EPERM),   E(ENOENT),    E(ESRCH),     E(EINTR),        E(EIO),       E(ENXIO),     E(E2BIG),
    E(ENOEXEC), E(EBADF),     E(ECHILD),    E(EAGAIN),       E(ENOMEM),    E(EACCES),    E(EFAULT),
    E(ENOTBLK), E(EBUSY),     E(EEXIST),    E(EXDEV),        E(ENODEV),    E(ENOTDIR),   E(EISDIR),
    E(EINVAL),  E(ENFILE),    E(EMFILE),    E(ENOTTY),       E(ETXTBSY),   E(EFBIG),     E(ENOSPC),
    E(ESPIPE),  E(EROFS),     E(EMLINK),    E(EPIPE),        E(EDOM),      E(ERANGE),    E(EDEADLK),
    E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS),  E(ENOTEMPTY),    E(ELOOP),     E(ENOMSG),    E(EIDRM),
    E(ENODATA), E(ETIME),     E(EOVERFLOW), E(EBADFD),       E(EILSEQ),    E(EUSERS),    E(ENOTSOCK),
    E(EOPNOTSUPP), E(ETIMEDOUT), E(EALREADY), E(EINPROGRESS), E(ESTALE),   E(ECANCELED), E(EOWNERDEAD),
    E(ENOTRECOVERABLE), E(ERESTART), E(ENOTCONN), E(EPROTO), E(ENOTUNIQ),
};
#undef E

const char* errno_name(int err) {
    static char other[16];
    if (err > 0 && err < (int)(sizeof names / sizeof names[0]) && names[err]) return names[err];
    snprintf(other, sizeof other, "E%d", err);
    return other;
}

long report(const char* what, long ret) {
    if (ret >= 0)
        say("%s: ok", what);
    else
        say("%s: %s", what, errno_name(errno));
    return ret;
}

void check_failed(const char* file, int line, const char* expr) {
    checks_failed++;
    say("FAIL %s:%d: %s (errno %s)", file, line, expr, errno_name(errno));
}

long read_text(const char* path, char* buf, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = 0;
    return n;
}

int in_child(void (*fn)(void)) {
    pid_t pid = fork();
    if (pid == 0) {
        checks_failed = 0;
        fn();
        _exit(checks_failed ? 1 : 0);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        say("FAIL: fork/wait for a child: %s", errno_name(errno));
        checks_failed++;
    }
    return status;
}

const char* scratch_dir(void) {
    if (!scratch[0]) {
        const char* base = getenv("TMPDIR");
        snprintf(scratch, sizeof scratch, "%s/utest-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(scratch)) {
            say("FAIL: mkdtemp(%s): %s", scratch, errno_name(errno));
            _exit(2);
        }
    }
    return scratch;
}

static int remove_entry(const char* path, const struct stat* st, int type, struct FTW* ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

int finish(const char* prog) {
    if (scratch[0]) nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    say("%s: checks=%d failures=%d", prog, checks_run, checks_failed);
    return checks_failed ? 1 : 0;
}
