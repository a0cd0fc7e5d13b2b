/* Terminals through a pseudo-terminal pair (/dev/ptmx): the termios and
 * winsize round trips, cooked-mode line editing and echo, raw mode, FIONREAD,
 * ISIG (Ctrl-C becomes SIGINT for the foreground process group), TIOCSWINSZ's
 * SIGWINCH, the controlling terminal ioctls, and ENOTTY/EFAULT cases; then
 * /proc/<pid>/stat's tty_nr and tpgid of the terminal's session; then
 * the pty's own rules: /dev/pts/N appearing and going, TIOCGPTN,
 * TIOCSPTLCK (EIO while locked), TIOCGPTPEER, poll on both sides, and the
 * hangups (slave closed: the master reads EIO; master closed: the slave
 * reads end of file, writes EIO, its session leader gets SIGHUP), packet
 * mode (TIOCPKT) (man 3 termios, man 2 ioctl_tty, man 4 pts; issue 13). A kernel without ptys prints one
 * line saying so, and the differential comparison then fails: ptys are
 * part of the ABI this program checks. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

#include "common.h"

static int master = -1, slave = -1;

static int open_pair(void) {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return 0;
    if (grantpt(master) != 0 || unlockpt(master) != 0) return 0;
    const char* name = ptsname(master);
    slave = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    return slave >= 0;
}

/* Reads the non-blocking master until what arrived ends with `suffix`
 * (the line discipline echoes asynchronously on Linux), for at most ~5 s. */
static int drain_until(char* buf, int size, const char* suffix) {
    int got = 0;
    size_t len = strlen(suffix);
    for (int tries = 0; tries < 5000; tries++) {
        long r;
        while (got < size - 1 && (r = read(master, buf + got, size - 1 - got)) > 0) got += r;
        buf[got] = 0;
        if ((size_t)got >= len && strcmp(buf + got - len, suffix) == 0) break;
        usleep(1000);
    }
    return got;
}

static const char* visible(const char* s) {
    static char out[256];
    int o = 0;
    for (; *s && o < 240; s++) {
        if (*s == '\r')
            o += snprintf(out + o, sizeof out - o, "\\r");
        else if (*s == '\n')
            o += snprintf(out + o, sizeof out - o, "\\n");
        else if ((unsigned char)*s < 32 || *s == 127)
            o += snprintf(out + o, sizeof out - o, "\\x%02x", (unsigned char)*s);
        else
            out[o++] = *s;
    }
    out[o] = 0;
    return out;
}

static void termios_round_trip(void) {
    struct termios t, back;
    EXPECT_OK("tcgetattr on the slave", tcgetattr(slave, &t));
    say("default lflag: ICANON=%d ECHO=%d ISIG=%d; oflag ONLCR=%d; iflag ICRNL=%d", !!(t.c_lflag & ICANON),
        !!(t.c_lflag & ECHO), !!(t.c_lflag & ISIG), !!(t.c_oflag & ONLCR), !!(t.c_iflag & ICRNL));
    say("default c_cc: VINTR=%d VERASE=%d VKILL=%d VEOF=%d VMIN=%d", t.c_cc[VINTR], t.c_cc[VERASE], t.c_cc[VKILL],
        t.c_cc[VEOF], t.c_cc[VMIN]);
    struct termios raw = t;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 3;
    raw.c_cc[VTIME] = 0;
    EXPECT_OK("tcsetattr raw", tcsetattr(slave, TCSANOW, &raw));
    CHECK(tcgetattr(slave, &back) == 0);
    EXPECT_TRUE("raw settings read back the same",
                back.c_iflag == raw.c_iflag && back.c_oflag == raw.c_oflag && back.c_lflag == raw.c_lflag &&
                    (back.c_cflag & ~CBAUD) == (raw.c_cflag & ~CBAUD) && back.c_cc[VMIN] == 3);
    write(master, "ab", 2);
    int avail = -1;
    EXPECT_OK("FIONREAD", ioctl(slave, FIONREAD, &avail));
    /* Input reaches the line discipline asynchronously: wait for it. */
    for (int tries = 0; tries < 5000 && avail < 2; tries++) usleep(1000), ioctl(slave, FIONREAD, &avail);
    EXPECT_TRUE("FIONREAD: 2 bytes waiting in raw mode", avail == 2);
    write(master, "c", 1);
    char buf[16] = {0};
    EXPECT_TRUE("VMIN=3: one read returns the 3 bytes", read(slave, buf, sizeof buf) == 3 && memcmp(buf, "abc", 3) == 0);
    EXPECT_OK("tcsetattr back to cooked", tcsetattr(slave, TCSAFLUSH, &t));

    struct winsize ws = {.ws_row = 33, .ws_col = 101}, ws_back;
    EXPECT_OK("TIOCSWINSZ", ioctl(slave, TIOCSWINSZ, &ws));
    EXPECT_OK("TIOCGWINSZ on the master", ioctl(master, TIOCGWINSZ, &ws_back));
    EXPECT_TRUE("winsize round trip 33x101", ws_back.ws_row == 33 && ws_back.ws_col == 101);
    EXPECT_ERR("TCGETS into a kernel address", syscall(SYS_ioctl, slave, TCGETS, KERNEL_PTR), EFAULT);
    EXPECT_ERR("TCSETS from unmapped memory", syscall(SYS_ioctl, slave, TCSETS, unmapped_ptr()), EFAULT);
    EXPECT_ERR("TCGETS on /dev/null", syscall(SYS_ioctl, open("/dev/null", O_RDWR), TCGETS, &t), ENOTTY);
    EXPECT_ERR("TCGETS on a bad fd", syscall(SYS_ioctl, 999, TCGETS, &t), EBADF);
    EXPECT_ERR("tcsetattr bad action", syscall(SYS_ioctl, slave, 0x5499, &t), ENOTTY);
}

static void cooked_mode(void) {
    char out[256], line[64];
    int flags = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, flags | O_NONBLOCK);
    /* Typed: "helo", erase (DEL), "lo wrld", word-erase (^W), "world", Enter. */
    write(master, "helo\177lo wrld\027world\r", 19);
    long n = read(slave, line, sizeof line - 1);
    line[n > 0 ? n : 0] = 0;
    say("cooked read after erase and word-erase: \"%s\"", visible(line));
    CHECK(strcmp(line, "hello world\n") == 0);
    drain_until(out, sizeof out, "world\r\n");
    say("echo of it: \"%s\"", visible(out));
    write(master, "x\025y\n", 4); /* kill (^U) the line */
    n = read(slave, line, sizeof line - 1);
    line[n > 0 ? n : 0] = 0;
    say("after kill: \"%s\"", visible(line));
    CHECK(strcmp(line, "y\n") == 0);
    drain_until(out, sizeof out, "y\r\n");
    write(slave, "out\n", 4);
    drain_until(out, sizeof out, "\n");
    say("output through ONLCR: \"%s\"", visible(out));
    CHECK(strcmp(out, "out\r\n") == 0);
    write(master, "\004", 1); /* EOF at the start of a line: read returns 0 */
    EXPECT_TRUE("VEOF on an empty line reads as end of file", read(slave, line, sizeof line) == 0);
    fcntl(master, F_SETFL, flags);
}

static void on_sigint(int sig) { (void)sig; }

/* The child becomes a session leader with the slave as its controlling
 * terminal, then waits for SIGINT. */
static void interrupt_child(int ready_fd) {
    setsid();
    const char* name = ptsname(master);
    int fd = open(name, O_RDWR); /* no O_NOCTTY: becomes the controlling terminal */
    int ok = fd >= 0 && ioctl(fd, TIOCSCTTY, 0) == 0;
    pid_t pgrp = 0, sid = 0;
    ok = ok && ioctl(fd, TIOCGPGRP, &pgrp) == 0 && pgrp == getpid();
    ok = ok && ioctl(fd, TIOCGSID, &sid) == 0 && sid == getpid();
    ok = ok && tcgetpgrp(fd) == getpid();
    sigset_t usr, old;
    sigemptyset(&usr);
    sigaddset(&usr, SIGINT);
    sigaddset(&usr, SIGWINCH);
    sigprocmask(SIG_BLOCK, &usr, &old);
    signal(SIGINT, on_sigint);
    signal(SIGWINCH, on_sigint);
    write(ready_fd, ok ? "y" : "n", 1);
    siginfo_t info;
    struct timespec limit = {20, 0};
    /* The parent changes the window (SIGWINCH), then types ^C (SIGINT):
     * both may be pending at once, and the lower number comes first. */
    int first = sigtimedwait(&usr, &info, &limit);
    int second = sigtimedwait(&usr, &info, &limit);
    int both = (first == SIGWINCH && second == SIGINT) || (first == SIGINT && second == SIGWINCH);
    _exit(both ? (ok ? 0 : 2) : 3);
}

static void signals_from_the_terminal(void) {
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) interrupt_child(ready[1]);
    char c = 0;
    read(ready[0], &c, 1);
    EXPECT_TRUE("TIOCSCTTY, TIOCGPGRP, TIOCGSID, tcgetpgrp in a new session", c == 'y');
    /* The master answers for its slave without being our terminal. */
    pid_t pgrp = 0;
    EXPECT_TRUE("TIOCGPGRP on the master: the child's group", ioctl(master, TIOCGPGRP, &pgrp) == 0 && pgrp == child);
    EXPECT_ERR("TIOCGPGRP on the slave: not our controlling terminal", ioctl(slave, TIOCGPGRP, &pgrp), ENOTTY);
    struct winsize ws = {.ws_row = 40, .ws_col = 120};
    ioctl(master, TIOCSWINSZ, &ws);
    write(master, "\003", 1);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("TIOCSWINSZ sent SIGWINCH, Ctrl-C SIGINT, to its foreground group",
                WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]), close(ready[1]);
}

/* /proc/<pid>/stat's fields 7 and 8 (proc(5)): tty_nr, the controlling
 * terminal's device number, and tpgid, its foreground process group (0 and
 * -1 without a terminal); busybox ps shows its TTY column from tty_nr.
 * `pid` 0: the caller's. */
static int stat_terminal(pid_t pid, long* tty_nr, long* tpgid) {
    char path[64], buf[1024];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/stat");
    if (read_text(path, buf, sizeof buf) <= 0) return 0;
    char* end = strrchr(buf, ')'); /* the name may hold spaces and ')' */
    char state;
    int ppid, pgrp, sid;
    return end && sscanf(end + 1, " %c %d %d %d %ld %ld", &state, &ppid, &pgrp, &sid, tty_nr, tpgid) == 6;
}

/* Linux's new_encode_dev, which tty_nr is in. */
static long encode_dev(dev_t dev) {
    unsigned long maj = major(dev), min = minor(dev);
    return (long)((min & 0xff) | (maj << 8) | ((min & ~0xfful) << 12));
}

enum { kTermChecks = 6 };
static const char* const term_check_names[kTermChecks] = {
    "stat after setsid: tty_nr 0, tpgid -1",
    "stat with the slave open O_NOCTTY: still no terminal",
    "stat after TIOCSCTTY: tty_nr is the slave's st_rdev, tpgid the caller's group (tcgetpgrp)",
    "stat after tcsetpgrp to a child's group: tpgid is that group",
    "the child's stat: the same terminal, the same foreground group",
    "task/<tid>/stat: the same tty_nr and tpgid",
};
struct term_report {
    char ok[kTermChecks];
    long tty_nr;
    int foreground;
};

static void terminal_stat_child(int report_fd, int go_fd) {
    struct term_report r;
    memset(r.ok, 'n', sizeof r.ok);
    long nr = -2, fg = -2;
    setsid();
    r.ok[0] = stat_terminal(0, &nr, &fg) && nr == 0 && fg == -1 ? 'y' : 'n';
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    int s = m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 ? open(ptsname(m), O_RDWR | O_NOCTTY) : -1;
    r.ok[1] = s >= 0 && stat_terminal(0, &nr, &fg) && nr == 0 && fg == -1 ? 'y' : 'n';
    struct stat st;
    int ctty = s >= 0 && ioctl(s, TIOCSCTTY, 0) == 0 && fstat(s, &st) == 0;
    r.tty_nr = ctty ? encode_dev(st.st_rdev) : -3;
    r.ok[2] = ctty && stat_terminal(0, &nr, &fg) && nr == r.tty_nr && nr != 0 && fg == getpid() &&
                      tcgetpgrp(s) == getpid()
                  ? 'y'
                  : 'n';
    int hold[2];
    if (pipe(hold) != 0) _exit(4);
    pid_t member = fork();
    if (member == 0) {
        setpgid(0, 0);
        char c;
        read(hold[0], &c, 1); /* until its parent has looked */
        _exit(0);
    }
    setpgid(member, member); /* either of the two calls makes the group */
    r.foreground = member;
    r.ok[3] = tcsetpgrp(s, member) == 0 && stat_terminal(0, &nr, &fg) && nr == r.tty_nr && fg == member &&
                      tcgetpgrp(s) == member
                  ? 'y'
                  : 'n';
    r.ok[4] = stat_terminal(member, &nr, &fg) && nr == r.tty_nr && fg == member ? 'y' : 'n';
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
    char buf[1024];
    long n = read_text(path, buf, sizeof buf);
    char expect[64];
    snprintf(expect, sizeof expect, " %ld %d ", r.tty_nr, member);
    r.ok[5] = n > 0 && strstr(buf, expect) ? 'y' : 'n';
    write(report_fd, &r, sizeof r);
    char c;
    read(go_fd, &c, 1); /* the parent has read our stat */
    write(hold[1], "x", 1);
    waitpid(member, NULL, 0);
    _exit(0);
}

static void terminal_in_stat(void) {
    int report[2], go[2];
    CHECK(pipe(report) == 0 && pipe(go) == 0);
    pid_t child = fork();
    if (child == 0) terminal_stat_child(report[1], go[0]);
    struct term_report r;
    memset(&r, 0, sizeof r);
    long got = read(report[0], &r, sizeof r);
    for (int i = 0; i < kTermChecks; i++) EXPECT_TRUE(term_check_names[i], got == sizeof r && r.ok[i] == 'y');
    long nr = -2, fg = -2;
    EXPECT_TRUE("another session's stat of the child: its tty_nr and tpgid",
                got == sizeof r && stat_terminal(child, &nr, &fg) && nr == r.tty_nr && fg == r.foreground);
    EXPECT_TRUE("tty_nr of a pty slave: major 136", got == sizeof r && ((r.tty_nr >> 8) & 0xfff) == 136);
    write(go[1], "g", 1);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(report[0]), close(report[1]), close(go[0]), close(go[1]);
}

/* 200 000 bytes each way (one way, then both at once) through a raw pair, far more than the line
 * discipline and the pty hold: the writer (a child) waits for room, the
 * reader gets every byte in order. */
static pid_t writer(int to, int count) {
    pid_t child = fork();
    if (child == 0) {
        unsigned char chunk[1000];
        for (int sent = 0; sent < count; sent += (int)sizeof chunk) {
            for (unsigned i = 0; i < sizeof chunk; i++) chunk[i] = (unsigned char)((sent + i) % 251);
            for (unsigned done = 0; done < sizeof chunk;) {
                long w = write(to, chunk + done, sizeof chunk - done);
                if (w <= 0) _exit(1);
                done += (unsigned)w;
            }
        }
        _exit(0);
    }
    return child;
}

static int read_stream(int from, int count) {
    int got = 0, in_order = 1;
    unsigned char buf[3000];
    while (got < count) {
        long r = read(from, buf, sizeof buf);
        if (r <= 0) break;
        for (long i = 0; i < r; i++) in_order &= buf[i] == (unsigned char)((got + i) % 251);
        got += (int)r;
    }
    return got == count && in_order;
}

static int exited_ok(pid_t child) {
    int status = 0;
    return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int pump(int to, int from, int count) {
    pid_t child = writer(to, count);
    int ok = read_stream(from, count);
    return exited_ok(child) && ok;
}

/* Both directions at once: a writer on each side, a reader on each. */
static int pump_both(int count) {
    pid_t to_slave = writer(master, count), to_master = writer(slave, count);
    pid_t reader = fork();
    if (reader == 0) _exit(read_stream(master, count) ? 0 : 1);
    int ok = read_stream(slave, count);
    ok &= exited_ok(to_slave);
    ok &= exited_ok(to_master);
    return exited_ok(reader) && ok;
}

static void bulk(void) {
    struct termios t, raw;
    CHECK(tcgetattr(slave, &t) == 0);
    raw = t;
    cfmakeraw(&raw);
    CHECK(tcsetattr(slave, TCSANOW, &raw) == 0);
    /* What is left on either side (the ^C echo) goes first. */
    CHECK(tcflush(master, TCIFLUSH) == 0 && tcflush(slave, TCIFLUSH) == 0);
    EXPECT_TRUE("200000 bytes master to slave, in order", pump(master, slave, 200000));
    EXPECT_TRUE("200000 bytes slave to master, in order", pump(slave, master, 200000));
    EXPECT_TRUE("200000 bytes each way at once, in order", pump_both(200000));
    CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
}

/* In a child (never a session leader, even when this program is PID 1). */
static void not_a_leader(void) {
    EXPECT_ERR("TIOCSCTTY without being a session leader", ioctl(slave, TIOCSCTTY, 0), EPERM);
    _exit(checks_failed ? 1 : 0);
}

static const char* events(int revents) {
    static char out[96];
    static const struct {
        int bit;
        const char* name;
    } names[] = {{POLLIN, "IN"},   {POLLPRI, "PRI"},       {POLLOUT, "OUT"},       {POLLERR, "ERR"},
                 {POLLHUP, "HUP"}, {POLLRDNORM, "RDNORM"}, {POLLWRNORM, "WRNORM"}, {POLLNVAL, "NVAL"}};
    out[0] = 0;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (revents & names[i].bit) strcat(out, out[0] ? "|" : ""), strcat(out, names[i].name);
    return out[0] ? out : "none";
}

static int poll_one(int fd, int events_wanted, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = events_wanted};
    return poll(&p, 1, timeout_ms) < 0 ? -1 : p.revents;
}

/* Whether /dev/pts/<n> is the slave's node (136, n). */
static int slave_node(unsigned n) {
    char name[32];
    struct stat st;
    snprintf(name, sizeof name, "/dev/pts/%u", n);
    if (stat(name, &st) != 0) return -errno;
    return S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && minor(st.st_rdev) == n;
}

/* Slave-side output seen on the master within ~5 s. */
static int master_sees(int fd, int count) {
    int avail = 0;
    for (int tries = 0; tries < 5000 && avail < count; tries++) {
        if (ioctl(fd, FIONREAD, &avail) != 0) return -1;
        if (avail < count) usleep(1000);
    }
    return avail;
}

static void pty_rules(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(m >= 0);
    unsigned n = 0;
    EXPECT_OK("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
    EXPECT_TRUE("/dev/pts/<n> is a character device (136, n)", slave_node(n) == 1);
    char name[32];
    snprintf(name, sizeof name, "/dev/pts/%u", n);
    EXPECT_TRUE("ptsname is /dev/pts/<n>", strcmp(ptsname(m), name) == 0);
    int locked = -1;
    EXPECT_TRUE("a new pair is locked (TIOCGPTLCK 1)", ioctl(m, TIOCGPTLCK, &locked) == 0 && locked == 1);
    EXPECT_ERR("open of a locked slave", open(name, O_RDWR | O_NOCTTY), EIO);
    EXPECT_ERR("TIOCGPTPEER of a locked pair", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
    EXPECT_OK("unlockpt", unlockpt(m));
    EXPECT_TRUE("TIOCGPTLCK 0 after unlockpt", ioctl(m, TIOCGPTLCK, &locked) == 0 && locked == 0);
    int s = open(name, O_RDWR | O_NOCTTY);
    EXPECT_TRUE("open of the unlocked slave", s >= 0);
    EXPECT_ERR("TIOCGPTN on the slave", ioctl(s, TIOCGPTN, &n), ENOTTY);
    EXPECT_ERR("TIOCSPTLCK on the slave", ioctl(s, TIOCSPTLCK, &locked), ENOTTY);
    struct termios t;
    CHECK(tcgetattr(m, &t) == 0);
    say("master's TCGETS is the slave's: lflag ICANON=%d ECHO=%d", !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO));
    struct winsize ws;
    EXPECT_TRUE("a new pty's window is 0x0", ioctl(s, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 0 && ws.ws_col == 0);

    say("poll, master with nothing to read: %s", events(poll_one(m, POLLIN | POLLOUT, 0)));
    say("poll, slave with nothing to read: %s", events(poll_one(s, POLLIN | POLLOUT, 0)));
    write(s, "x\n", 2);
    /* Linux hands the bytes over asynchronously: wait for them first. */
    EXPECT_TRUE("FIONREAD on the master: \"x\\r\\n\" is 3 bytes", master_sees(m, 3) == 3);
    say("poll, master after the slave wrote: %s", events(poll_one(m, POLLIN | POLLOUT, 0)));
    write(m, "ab", 2); /* no newline: not a line yet in cooked mode */
    say("poll, slave with half a line: %s", events(poll_one(s, POLLIN, 0)));
    write(m, "\r", 1); /* ICRNL: a newline, echoed as \r\n */
    say("poll, slave with a line: %s", events(poll_one(s, POLLIN, 5000)));
    int avail = -1;
    EXPECT_TRUE("FIONREAD on the slave: the line \"ab\\n\" is 3 bytes", ioctl(s, FIONREAD, &avail) == 0 && avail == 3);
    char buf[64];
    EXPECT_TRUE("the slave reads the line", read(s, buf, sizeof buf) == 3 && memcmp(buf, "ab\n", 3) == 0);

    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    EXPECT_TRUE("TIOCGPTPEER opens the slave", peer >= 0 && isatty(peer));
    EXPECT_TRUE("TIOCGPTPEER's descriptor is close-on-exec", (fcntl(peer, F_GETFD) & FD_CLOEXEC) != 0);
    EXPECT_ERR("TIOCGPTPEER on the slave", ioctl(s, TIOCGPTPEER, O_RDWR), EIO);

    /* Every slave closed: what it wrote is still read, then EIO; HUP. */
    write(peer, "bye\n", 4);
    CHECK(master_sees(m, 3 + 4 + 5) == 12);
    close(s), close(peer);
    long got = read(m, buf, sizeof buf);
    EXPECT_TRUE("master read after the slave closed: what was left", got == 12 && memcmp(buf, "x\r\nab\r\nbye\r\n", 12) == 0);
    EXPECT_ERR("master read with the slave closed", read(m, buf, sizeof buf), EIO);
    say("poll, master with the slave closed: %s", events(poll_one(m, POLLIN | POLLOUT, 0)));
    s = open(name, O_RDWR | O_NOCTTY);
    EXPECT_TRUE("the slave opens again", s >= 0);
    say("poll, master with the slave open again: %s", events(poll_one(m, POLLIN | POLLOUT, 0)));

    /* A session leader whose controlling terminal is the slave, then the
     * master closes: the leader gets SIGHUP, the slave hangs up. */
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) {
        close(m);
        setsid();
        sigset_t hup;
        sigemptyset(&hup);
        sigaddset(&hup, SIGHUP);
        sigprocmask(SIG_BLOCK, &hup, NULL);
        int fd = open(name, O_RDWR); /* becomes the controlling terminal */
        write(ready[1], fd >= 0 ? "y" : "n", 1);
        siginfo_t info;
        struct timespec limit = {20, 0};
        int sig = sigtimedwait(&hup, &info, &limit);
        char c;
        long r = read(fd, &c, 1);
        _exit(sig == SIGHUP && r == 0 ? 0 : 3);
    }
    char c = 0;
    read(ready[0], &c, 1);
    EXPECT_TRUE("a child in a new session took the slave as its terminal", c == 'y');
    /* State the next pair must not inherit: a window, raw settings, input. */
    struct winsize odd = {.ws_row = 7, .ws_col = 9};
    struct termios raw = t;
    cfmakeraw(&raw);
    CHECK(ioctl(m, TIOCSWINSZ, &odd) == 0 && tcsetattr(m, TCSANOW, &raw) == 0);
    write(m, "junk", 4);
    close(m);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("master closed: SIGHUP to the session leader, its read is end of file",
                WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_TRUE("master closed: /dev/pts/<n> is gone", slave_node(n) == -ENOENT);
    EXPECT_TRUE("master closed: the slave reads end of file", read(s, buf, sizeof buf) == 0);
    EXPECT_ERR("master closed: a write to the slave", write(s, "z", 1), EIO);
    EXPECT_ERR("master closed: TCGETS on the slave", ioctl(s, TCGETS, &t), EIO);
    EXPECT_ERR("master closed: TIOCSPGRP on the slave", ioctl(s, TIOCSPGRP, &child), ENOTTY);
    say("poll, slave with the master closed: %s", events(poll_one(s, POLLIN | POLLOUT, 0)));
    close(s);

    /* Both sides closed: a new pair (here possibly the same number again)
     * starts afresh. */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(m >= 0 && unlockpt(m) == 0);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    CHECK(s >= 0);
    EXPECT_TRUE("a new pair: window 0x0", ioctl(s, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 0 && ws.ws_col == 0);
    EXPECT_TRUE("a new pair: cooked with echo", tcgetattr(s, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO));
    EXPECT_TRUE("a new pair: no input", ioctl(s, FIONREAD, &avail) == 0 && avail == 0);
    write(m, "q\r", 2);
    EXPECT_TRUE("a new pair: a line typed is read", read(s, buf, sizeof buf) == 2 && memcmp(buf, "q\n", 2) == 0);
    close(s);
    close(m);
    close(ready[0]), close(ready[1]);
}

/* Packet mode on a pty master (man 2 ioctl_tty, TIOCPKT): each read starts
 * with a control byte, TIOCPKT_DATA (0) before data, or alone the status
 * the slave's tcflush left (TIOCPKT_FLUSHREAD/FLUSHWRITE), which poll
 * reports as POLLPRI. */
static int read_packet(int m, unsigned char* buf, int size) {
    struct pollfd p = {.fd = m, .events = POLLIN | POLLPRI};
    if (poll(&p, 1, 5000) != 1) return -1;
    return (int)read(m, buf, size);
}

static void packet_mode(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    CHECK(s >= 0);
    int on = 1, off = 0, value = -1;
    EXPECT_OK("TIOCGPKT", ioctl(m, TIOCGPKT, &value));
    say("packet mode at open: %d", value);
    EXPECT_ERR("TIOCPKT from a kernel pointer", syscall(SYS_ioctl, m, TIOCPKT, KERNEL_PTR), EFAULT);
    EXPECT_ERR("TIOCGPKT to a kernel pointer", syscall(SYS_ioctl, m, TIOCGPKT, KERNEL_PTR), EFAULT);
    EXPECT_ERR("TIOCPKT on the slave", ioctl(s, TIOCPKT, &on), ENOTTY);
    EXPECT_ERR("TIOCGPKT on the slave", ioctl(s, TIOCGPKT, &value), ENOTTY);
    EXPECT_OK("TIOCPKT 1", ioctl(m, TIOCPKT, &on));
    value = -1;
    CHECK(ioctl(m, TIOCGPKT, &value) == 0);
    say("packet mode after TIOCPKT 1: %d", value);
    say("poll with nothing to read: %s", events(poll_one(m, POLLIN | POLLPRI, 0)));

    /* Data: every read starts with TIOCPKT_DATA (the bytes may come in
     * several reads). */
    CHECK(write(s, "hi\n", 3) == 3);
    char data[16];
    int got = 0, headers_ok = 1;
    unsigned char buf[64];
    for (int reads = 0; reads < 16 && got < 4; reads++) {
        int n = read_packet(m, buf, sizeof buf);
        if (n < 1) break;
        headers_ok &= buf[0] == TIOCPKT_DATA;
        for (int i = 1; i < n && got < (int)sizeof data - 1; i++) data[got++] = (char)buf[i];
    }
    data[got] = 0;
    EXPECT_TRUE("each read of data starts with TIOCPKT_DATA", headers_ok && got > 0);
    say("the data after it: %s", visible(data));

    /* The slave's flushes: one status byte, alone; two flushes add up. */
    static const struct {
        int how;
        const char* name;
    } flushes[] = {{TCIFLUSH, "TCIFLUSH"}, {TCOFLUSH, "TCOFLUSH"}, {TCIOFLUSH, "TCIOFLUSH"}};
    for (unsigned i = 0; i < sizeof flushes / sizeof flushes[0]; i++) {
        CHECK(tcflush(s, flushes[i].how) == 0);
        say("poll after the slave's %s: %s", flushes[i].name, events(poll_one(m, POLLIN | POLLPRI, 0)));
        int n = read_packet(m, buf, sizeof buf);
        say("read after the slave's %s: %d byte(s), status %#x", flushes[i].name, n, n > 0 ? buf[0] : 0);
    }
    CHECK(tcflush(s, TCIFLUSH) == 0 && tcflush(s, TCOFLUSH) == 0);
    int n = read_packet(m, buf, sizeof buf);
    say("read after TCIFLUSH then TCOFLUSH: %d byte(s), status %#x", n, n > 0 ? buf[0] : 0);

    /* A flush while packet mode is off is not kept; turning it on again
     * starts with no status; off, data comes without the byte. */
    CHECK(ioctl(m, TIOCPKT, &off) == 0 && tcflush(s, TCIOFLUSH) == 0 && ioctl(m, TIOCPKT, &on) == 0);
    say("poll after a flush made with packet mode off: %s", events(poll_one(m, POLLIN | POLLPRI, 0)));
    CHECK(tcflush(s, TCIFLUSH) == 0 && ioctl(m, TIOCPKT, &off) == 0);
    say("poll after TIOCPKT 0 with status pending: %s", events(poll_one(m, POLLIN | POLLPRI, 0)));
    CHECK(write(s, "x\n", 2) == 2);
    n = read_packet(m, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    say("read with packet mode off: %s", visible((char*)buf));
    close(s), close(m);
}

int main(void) {
    if (!open_pair()) {
        say("ptmx: unavailable (%s)", errno_name(errno));
        return finish("tty");
    }
    say("ptmx: a master/slave pair opened");
    EXPECT_TRUE("isatty(slave) and isatty(master)", isatty(slave) && isatty(master));
    EXPECT_TRUE("isatty(/dev/null) is false with ENOTTY", !isatty(open("/dev/null", O_RDONLY)) && errno == ENOTTY);
    termios_round_trip();
    cooked_mode();
    signals_from_the_terminal();
    terminal_in_stat();
    int status = in_child(not_a_leader);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    bulk();
    pty_rules();
    packet_mode();
    return finish("tty");
}
