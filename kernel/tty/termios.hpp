// The terminal interface as Linux's system calls see it: struct termios (what
// TCGETS/TCSETS copy), struct winsize, every flag and c_cc index, and the
// ioctl request numbers a tty answers. Values are Linux's x86_64 UAPI
// (include/uapi/asm-generic/termbits.h, termbits-common.h, ioctls.h; see
// docs/tty.md), checked against the host's own headers in termios_test.cpp.
//
// Names are Linux's with a `k` in front (kICANON for ICANON), so that code
// reads like termios(3) and the host test can include the real headers beside.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace tty {

using TcFlag = uint32_t;  // tcflag_t
using Cc = uint8_t;       // cc_t
using Speed = uint32_t;   // speed_t

constexpr size_t kNCCS = 19;

// struct termios of the TCGETS/TCSETS family: 36 bytes, no padding.
// (glibc's user-space struct termios is larger and is converted by glibc.)
struct Termios {
    TcFlag c_iflag;
    TcFlag c_oflag;
    TcFlag c_cflag;
    TcFlag c_lflag;
    Cc c_line;
    Cc c_cc[kNCCS];
};
static_assert(sizeof(Termios) == 36);

// struct termios2 (TCGETS2/TCSETS2): termios plus explicit speeds.
struct Termios2 {
    TcFlag c_iflag;
    TcFlag c_oflag;
    TcFlag c_cflag;
    TcFlag c_lflag;
    Cc c_line;
    Cc c_cc[kNCCS];
    Speed c_ispeed;
    Speed c_ospeed;
};
static_assert(sizeof(Termios2) == 44);

// struct winsize (TIOCGWINSZ/TIOCSWINSZ).
struct WinSize {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};
static_assert(sizeof(WinSize) == 8);

// c_cc indexes.
constexpr size_t kVINTR = 0, kVQUIT = 1, kVERASE = 2, kVKILL = 3, kVEOF = 4, kVTIME = 5, kVMIN = 6, kVSWTC = 7,
                 kVSTART = 8, kVSTOP = 9, kVSUSP = 10, kVEOL = 11, kVREPRINT = 12, kVDISCARD = 13, kVWERASE = 14,
                 kVLNEXT = 15, kVEOL2 = 16;
// A c_cc entry of 0 disables that special character (_POSIX_VDISABLE).
constexpr Cc kDisabledChar = 0;

// c_iflag.
constexpr TcFlag kIGNBRK = 0x001, kBRKINT = 0x002, kIGNPAR = 0x004, kPARMRK = 0x008, kINPCK = 0x010, kISTRIP = 0x020,
                 kINLCR = 0x040, kIGNCR = 0x080, kICRNL = 0x100, kIUCLC = 0x200, kIXON = 0x400, kIXANY = 0x800,
                 kIXOFF = 0x1000, kIMAXBEL = 0x2000, kIUTF8 = 0x4000;

// c_oflag.
constexpr TcFlag kOPOST = 0x01, kOLCUC = 0x02, kONLCR = 0x04, kOCRNL = 0x08, kONOCR = 0x10, kONLRET = 0x20,
                 kOFILL = 0x40, kOFDEL = 0x80;
constexpr TcFlag kNLDLY = 0x100, kNL0 = 0, kNL1 = 0x100;
constexpr TcFlag kCRDLY = 0x600, kCR0 = 0, kCR1 = 0x200, kCR2 = 0x400, kCR3 = 0x600;
constexpr TcFlag kTABDLY = 0x1800, kTAB0 = 0, kTAB1 = 0x800, kTAB2 = 0x1000, kTAB3 = 0x1800, kXTABS = 0x1800;
constexpr TcFlag kBSDLY = 0x2000, kBS0 = 0, kBS1 = 0x2000;
constexpr TcFlag kVTDLY = 0x4000, kVT0 = 0, kVT1 = 0x4000;
constexpr TcFlag kFFDLY = 0x8000, kFF0 = 0, kFF1 = 0x8000;

// c_cflag.
constexpr TcFlag kCBAUD = 0x100f, kCSIZE = 0x30, kCS5 = 0x00, kCS6 = 0x10, kCS7 = 0x20, kCS8 = 0x30, kCSTOPB = 0x40,
                 kCREAD = 0x80, kPARENB = 0x100, kPARODD = 0x200, kHUPCL = 0x400, kCLOCAL = 0x800, kCBAUDEX = 0x1000,
                 kBOTHER = 0x1000, kCIBAUD = 0x100f0000, kADDRB = 0x20000000, kCMSPAR = 0x40000000,
                 kCRTSCTS = 0x80000000;
constexpr unsigned kIBSHIFT = 16;  // CBAUD << IBSHIFT = CIBAUD

// Baud rates (the CBAUD field).
constexpr TcFlag kB0 = 0x0, kB50 = 0x1, kB75 = 0x2, kB110 = 0x3, kB134 = 0x4, kB150 = 0x5, kB200 = 0x6, kB300 = 0x7,
                 kB600 = 0x8, kB1200 = 0x9, kB1800 = 0xa, kB2400 = 0xb, kB4800 = 0xc, kB9600 = 0xd, kB19200 = 0xe,
                 kB38400 = 0xf, kB57600 = 0x1001, kB115200 = 0x1002, kB230400 = 0x1003, kB460800 = 0x1004,
                 kB500000 = 0x1005, kB576000 = 0x1006, kB921600 = 0x1007, kB1000000 = 0x1008, kB1152000 = 0x1009,
                 kB1500000 = 0x100a, kB2000000 = 0x100b, kB2500000 = 0x100c, kB3000000 = 0x100d,
                 kB3500000 = 0x100e, kB4000000 = 0x100f;

// c_lflag.
constexpr TcFlag kISIG = 0x1, kICANON = 0x2, kXCASE = 0x4, kECHO = 0x8, kECHOE = 0x10, kECHOK = 0x20,
                 kECHONL = 0x40, kNOFLSH = 0x80, kTOSTOP = 0x100, kECHOCTL = 0x200, kECHOPRT = 0x400,
                 kECHOKE = 0x800, kFLUSHO = 0x1000, kPENDIN = 0x4000, kIEXTEN = 0x8000, kEXTPROC = 0x10000;

// tcsetattr()'s optional actions, tcflow() and tcflush() selectors (the
// argument of TCXONC and TCFLSH).
constexpr int kTCSANOW = 0, kTCSADRAIN = 1, kTCSAFLUSH = 2;
constexpr int kTCOOFF = 0, kTCOON = 1, kTCIOFF = 2, kTCION = 3;
constexpr int kTCIFLUSH = 0, kTCOFLUSH = 1, kTCIOFLUSH = 2;
// A pty master's packet mode (TIOCPKT): the first byte of each read.
constexpr uint8_t kTIOCPKT_DATA = 0, kTIOCPKT_FLUSHREAD = 1, kTIOCPKT_FLUSHWRITE = 2;

// ioctl request numbers ('T' = 0x54 group; the termios2 and pty ones use
// the _IOR/_IOW encoding: direction << 30 | size << 16 | 'T' << 8 | number).
constexpr unsigned long kTCGETS = 0x5401, kTCSETS = 0x5402, kTCSETSW = 0x5403, kTCSETSF = 0x5404,
                        kTCGETA = 0x5405, kTCSETA = 0x5406, kTCSETAW = 0x5407, kTCSETAF = 0x5408,
                        kTCSBRK = 0x5409, kTCXONC = 0x540A, kTCFLSH = 0x540B, kTIOCEXCL = 0x540C,
                        kTIOCNXCL = 0x540D, kTIOCSCTTY = 0x540E, kTIOCGPGRP = 0x540F, kTIOCSPGRP = 0x5410,
                        kTIOCOUTQ = 0x5411, kTIOCSTI = 0x5412, kTIOCGWINSZ = 0x5413, kTIOCSWINSZ = 0x5414,
                        kTIOCMGET = 0x5415, kTIOCMBIS = 0x5416, kTIOCMBIC = 0x5417, kTIOCMSET = 0x5418,
                        kTIOCGSOFTCAR = 0x5419, kTIOCSSOFTCAR = 0x541A, kFIONREAD = 0x541B, kTIOCINQ = kFIONREAD,
                        kTIOCLINUX = 0x541C, kTIOCCONS = 0x541D, kTIOCPKT = 0x5420, kFIONBIO = 0x5421,
                        kTIOCNOTTY = 0x5422, kTIOCSETD = 0x5423, kTIOCGETD = 0x5424, kTCSBRKP = 0x5425,
                        kTIOCSBRK = 0x5427, kTIOCCBRK = 0x5428, kTIOCGSID = 0x5429, kTIOCVHANGUP = 0x5437,
                        kFIONCLEX = 0x5450, kFIOCLEX = 0x5451, kFIOASYNC = 0x5452, kTIOCGLCKTRMIOS = 0x5456,
                        kTIOCSLCKTRMIOS = 0x5457, kFIOQSIZE = 0x5460;
namespace ioctl_encoding {
constexpr unsigned long kRead = 2, kWrite = 1;
constexpr unsigned long make(unsigned long direction, unsigned long number, unsigned long size) {
    return direction << 30 | size << 16 | 0x54ul << 8 | number;
}
}  // namespace ioctl_encoding
constexpr unsigned long kTCGETS2 = ioctl_encoding::make(ioctl_encoding::kRead, 0x2A, sizeof(Termios2)),
                        kTCSETS2 = ioctl_encoding::make(ioctl_encoding::kWrite, 0x2B, sizeof(Termios2)),
                        kTCSETSW2 = ioctl_encoding::make(ioctl_encoding::kWrite, 0x2C, sizeof(Termios2)),
                        kTCSETSF2 = ioctl_encoding::make(ioctl_encoding::kWrite, 0x2D, sizeof(Termios2)),
                        kTIOCGPTN = ioctl_encoding::make(ioctl_encoding::kRead, 0x30, sizeof(unsigned)),
                        kTIOCSPTLCK = ioctl_encoding::make(ioctl_encoding::kWrite, 0x31, sizeof(int)),
                        kTIOCGDEV = ioctl_encoding::make(ioctl_encoding::kRead, 0x32, sizeof(unsigned)),
                        kTIOCSIG = ioctl_encoding::make(ioctl_encoding::kWrite, 0x36, sizeof(int)),
                        kTIOCGPKT = ioctl_encoding::make(ioctl_encoding::kRead, 0x38, sizeof(int)),
                        kTIOCGPTLCK = ioctl_encoding::make(ioctl_encoding::kRead, 0x39, sizeof(int)),
                        kTIOCGEXCL = ioctl_encoding::make(ioctl_encoding::kRead, 0x40, sizeof(int)),
                        kTIOCGPTPEER = ioctl_encoding::make(0, 0x41, 0);

// Line disciplines (TIOCSETD): only N_TTY exists here.
constexpr int kN_TTY = 0;

// The signals a terminal raises, by Linux's x86_64 numbers.
constexpr int kSIGHUP = 1, kSIGINT = 2, kSIGQUIT = 3, kSIGCONT = 18, kSIGTSTP = 20, kSIGTTIN = 21, kSIGTTOU = 22,
              kSIGWINCH = 28;

// The settings a new terminal starts with: Linux's tty_std_termios
// (drivers/tty/tty_io.c) — cooked mode with echo, ^C ^\ ^Z signals, CR read
// as NL, NL written as CR NL, 38400 baud 8N1.
constexpr Termios standard_termios() {
    Termios t{};
    t.c_iflag = kICRNL | kIXON;
    t.c_oflag = kOPOST | kONLCR;
    t.c_cflag = kB38400 | kCS8 | kCREAD | kHUPCL;
    t.c_lflag = kISIG | kICANON | kECHO | kECHOE | kECHOK | kECHOCTL | kECHOKE | kIEXTEN;
    t.c_line = kN_TTY;
    // INIT_C_CC: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, SWTC 0, ^Q ^S ^Z, EOL 0, ^R ^O ^W ^V, EOL2 0.
    const Cc cc[kNCCS] = {0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0};
    for (size_t i = 0; i < kNCCS; ++i) t.c_cc[i] = cc[i];
    return t;
}

}  // namespace tty
