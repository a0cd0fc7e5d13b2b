// The termios ABI against the host's Linux UAPI headers: every layout, flag,
// c_cc index and ioctl number in termios.hpp must equal Linux's, since user
// programs (glibc's tcgetattr, busybox's stty) pass these bytes to us as-is.
#include "kernel/tty/termios.hpp"

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <gtest/gtest.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

// Layouts: sizes and every field offset.
static_assert(sizeof(tty::Termios) == sizeof(struct termios));
static_assert(offsetof(tty::Termios, c_iflag) == offsetof(struct termios, c_iflag));
static_assert(offsetof(tty::Termios, c_oflag) == offsetof(struct termios, c_oflag));
static_assert(offsetof(tty::Termios, c_cflag) == offsetof(struct termios, c_cflag));
static_assert(offsetof(tty::Termios, c_lflag) == offsetof(struct termios, c_lflag));
static_assert(offsetof(tty::Termios, c_line) == offsetof(struct termios, c_line));
static_assert(offsetof(tty::Termios, c_cc) == offsetof(struct termios, c_cc));
static_assert(sizeof(tty::Termios::c_cc) == sizeof(termios::c_cc));
static_assert(tty::kNCCS == NCCS);

static_assert(sizeof(tty::Termios2) == sizeof(struct termios2));
static_assert(offsetof(tty::Termios2, c_cc) == offsetof(struct termios2, c_cc));
static_assert(offsetof(tty::Termios2, c_ispeed) == offsetof(struct termios2, c_ispeed));
static_assert(offsetof(tty::Termios2, c_ospeed) == offsetof(struct termios2, c_ospeed));

static_assert(sizeof(tty::WinSize) == sizeof(struct winsize));
static_assert(offsetof(tty::WinSize, ws_row) == offsetof(struct winsize, ws_row));
static_assert(offsetof(tty::WinSize, ws_col) == offsetof(struct winsize, ws_col));
static_assert(offsetof(tty::WinSize, ws_xpixel) == offsetof(struct winsize, ws_xpixel));
static_assert(offsetof(tty::WinSize, ws_ypixel) == offsetof(struct winsize, ws_ypixel));

#define SAME(name) static_assert(tty::k##name == (name), #name " differs from Linux")

// c_cc indexes.
SAME(VINTR); SAME(VQUIT); SAME(VERASE); SAME(VKILL); SAME(VEOF); SAME(VTIME); SAME(VMIN); SAME(VSWTC);
SAME(VSTART); SAME(VSTOP); SAME(VSUSP); SAME(VEOL); SAME(VREPRINT); SAME(VDISCARD); SAME(VWERASE);
SAME(VLNEXT); SAME(VEOL2);

// c_iflag.
SAME(IGNBRK); SAME(BRKINT); SAME(IGNPAR); SAME(PARMRK); SAME(INPCK); SAME(ISTRIP); SAME(INLCR); SAME(IGNCR);
SAME(ICRNL); SAME(IUCLC); SAME(IXON); SAME(IXANY); SAME(IXOFF); SAME(IMAXBEL); SAME(IUTF8);

// c_oflag.
SAME(OPOST); SAME(OLCUC); SAME(ONLCR); SAME(OCRNL); SAME(ONOCR); SAME(ONLRET); SAME(OFILL); SAME(OFDEL);
SAME(NLDLY); SAME(NL0); SAME(NL1); SAME(CRDLY); SAME(CR0); SAME(CR1); SAME(CR2); SAME(CR3);
SAME(TABDLY); SAME(TAB0); SAME(TAB1); SAME(TAB2); SAME(TAB3); SAME(XTABS); SAME(BSDLY); SAME(BS0); SAME(BS1);
SAME(VTDLY); SAME(VT0); SAME(VT1); SAME(FFDLY); SAME(FF0); SAME(FF1);

// c_cflag and speeds.
SAME(CBAUD); SAME(CSIZE); SAME(CS5); SAME(CS6); SAME(CS7); SAME(CS8); SAME(CSTOPB); SAME(CREAD); SAME(PARENB);
SAME(PARODD); SAME(HUPCL); SAME(CLOCAL); SAME(CBAUDEX); SAME(BOTHER); SAME(CIBAUD); SAME(ADDRB); SAME(CMSPAR);
SAME(CRTSCTS); SAME(IBSHIFT);
SAME(B0); SAME(B50); SAME(B75); SAME(B110); SAME(B134); SAME(B150); SAME(B200); SAME(B300); SAME(B600);
SAME(B1200); SAME(B1800); SAME(B2400); SAME(B4800); SAME(B9600); SAME(B19200); SAME(B38400); SAME(B57600);
SAME(B115200); SAME(B230400); SAME(B460800); SAME(B500000); SAME(B576000); SAME(B921600); SAME(B1000000);
SAME(B1152000); SAME(B1500000); SAME(B2000000); SAME(B2500000); SAME(B3000000); SAME(B3500000); SAME(B4000000);

// c_lflag.
SAME(ISIG); SAME(ICANON); SAME(XCASE); SAME(ECHO); SAME(ECHOE); SAME(ECHOK); SAME(ECHONL); SAME(NOFLSH);
SAME(TOSTOP); SAME(ECHOCTL); SAME(ECHOPRT); SAME(ECHOKE); SAME(FLUSHO); SAME(PENDIN); SAME(IEXTEN); SAME(EXTPROC);

// Actions and selectors.
SAME(TCSANOW); SAME(TCSADRAIN); SAME(TCSAFLUSH); SAME(TCOOFF); SAME(TCOON); SAME(TCIOFF); SAME(TCION);
SAME(TCIFLUSH); SAME(TCOFLUSH); SAME(TCIOFLUSH);

// ioctl numbers.
SAME(TCGETS); SAME(TCSETS); SAME(TCSETSW); SAME(TCSETSF); SAME(TCGETA); SAME(TCSETA); SAME(TCSETAW);
SAME(TCSETAF); SAME(TCSBRK); SAME(TCXONC); SAME(TCFLSH); SAME(TIOCEXCL); SAME(TIOCNXCL); SAME(TIOCSCTTY);
SAME(TIOCGPGRP); SAME(TIOCSPGRP); SAME(TIOCOUTQ); SAME(TIOCSTI); SAME(TIOCGWINSZ); SAME(TIOCSWINSZ);
SAME(TIOCMGET); SAME(TIOCMBIS); SAME(TIOCMBIC); SAME(TIOCMSET); SAME(TIOCGSOFTCAR); SAME(TIOCSSOFTCAR);
SAME(FIONREAD); SAME(TIOCINQ); SAME(TIOCLINUX); SAME(TIOCCONS); SAME(TIOCPKT); SAME(FIONBIO); SAME(TIOCNOTTY);
SAME(TIOCSETD); SAME(TIOCGETD); SAME(TCSBRKP); SAME(TIOCSBRK); SAME(TIOCCBRK); SAME(TIOCGSID);
SAME(TIOCVHANGUP); SAME(FIONCLEX); SAME(FIOCLEX); SAME(FIOASYNC); SAME(TIOCGLCKTRMIOS); SAME(TIOCSLCKTRMIOS);
SAME(FIOQSIZE); SAME(TCGETS2); SAME(TCSETS2); SAME(TCSETSW2); SAME(TCSETSF2); SAME(TIOCGPTN); SAME(TIOCSPTLCK);
SAME(TIOCGDEV); SAME(TIOCSIG); SAME(TIOCGPKT); SAME(TIOCGPTLCK); SAME(TIOCGEXCL); SAME(TIOCGPTPEER);
SAME(N_TTY);

#undef SAME

// A new pty slave on this host starts from tty_std_termios with a different
// c_cflag (drivers/tty/pty.c); every other field must match ours.
TEST(Termios, StandardSettingsMatchANewLinuxPty) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ASSERT_GE(master, 0);
    ASSERT_EQ(grantpt(master), 0);
    ASSERT_EQ(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    ASSERT_GE(slave, 0);
    struct termios linux_settings {};
    ASSERT_EQ(ioctl(slave, TCGETS, &linux_settings), 0);
    close(slave);
    close(master);

    const tty::Termios ours = tty::standard_termios();
    EXPECT_EQ(ours.c_iflag, linux_settings.c_iflag);
    EXPECT_EQ(ours.c_oflag, linux_settings.c_oflag);
    EXPECT_EQ(ours.c_lflag, linux_settings.c_lflag);
    EXPECT_EQ(ours.c_cflag & ~tty::kHUPCL, linux_settings.c_cflag);  // pty slaves: B38400 | CS8 | CREAD
    EXPECT_EQ(ours.c_line, linux_settings.c_line);
    for (size_t i = 0; i < tty::kNCCS; ++i) EXPECT_EQ(ours.c_cc[i], linux_settings.c_cc[i]) << "c_cc[" << i << "]";
}

}  // namespace
