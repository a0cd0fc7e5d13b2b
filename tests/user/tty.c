/* Terminals through a pseudo-terminal pair (/dev/ptmx): the termios and
 * winsize round trips, cooked-mode line editing and echo, raw mode, FIONREAD,
 * ISIG (Ctrl-C becomes SIGINT for the foreground process group), the
 * controlling terminal ioctls, and ENOTTY/EFAULT cases (man 3 termios,
 * man 2 ioctl_tty, man 4 pts; issue 13). A kernel without ptys prints one
 * line saying so, and the differential comparison then fails: ptys are
 * part of the ABI this program checks. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
    sigprocmask(SIG_BLOCK, &usr, &old);
    signal(SIGINT, on_sigint);
    write(ready_fd, ok ? "y" : "n", 1);
    siginfo_t info;
    struct timespec limit = {20, 0};
    int sig = sigtimedwait(&usr, &info, &limit);
    _exit(sig == SIGINT ? (ok ? 0 : 2) : 3);
}

static void signals_from_the_terminal(void) {
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) interrupt_child(ready[1]);
    char c = 0;
    read(ready[0], &c, 1);
    EXPECT_TRUE("TIOCSCTTY, TIOCGPGRP, TIOCGSID, tcgetpgrp in a new session", c == 'y');
    write(master, "\003", 1);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("Ctrl-C on the terminal sent SIGINT to its foreground group",
                WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_ERR("TIOCSCTTY without being a session leader", ioctl(slave, TIOCSCTTY, 0), EPERM);
    close(ready[0]), close(ready[1]);
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
    return finish("tty");
}
