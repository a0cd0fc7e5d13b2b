// Linux errno values (x86_64: the asm-generic numbering), the codes that system
// calls return negated. One enum for the loader, the kernel and host tests;
// lib::Error carries one of these. Enumerators are the Linux names with a k
// (kENOENT for ENOENT): the bare names are macros in every C library. Numbers
// are facts of the Linux ABI (errno(3); the UAPI's asm-generic/errno-base.h and
// errno.h); errno_test.cpp checks every one against the host's own headers.
#pragma once

#include <stdint.h>

namespace lib {

enum class Errno : uint16_t {
    kNone = 0,
    kEPERM = 1,
    kENOENT = 2,
    kESRCH = 3,
    kEINTR = 4,
    kEIO = 5,
    kENXIO = 6,
    kE2BIG = 7,
    kENOEXEC = 8,
    kEBADF = 9,
    kECHILD = 10,
    kEAGAIN = 11,
    kENOMEM = 12,
    kEACCES = 13,
    kEFAULT = 14,
    kENOTBLK = 15,
    kEBUSY = 16,
    kEEXIST = 17,
    kEXDEV = 18,
    kENODEV = 19,
    kENOTDIR = 20,
    kEISDIR = 21,
    kEINVAL = 22,
    kENFILE = 23,
    kEMFILE = 24,
    kENOTTY = 25,
    kETXTBSY = 26,
    kEFBIG = 27,
    kENOSPC = 28,
    kESPIPE = 29,
    kEROFS = 30,
    kEMLINK = 31,
    kEPIPE = 32,
    kEDOM = 33,
    kERANGE = 34,
    kEDEADLK = 35,
    kENAMETOOLONG = 36,
    kENOLCK = 37,
    kENOSYS = 38,
    kENOTEMPTY = 39,
    kELOOP = 40,
    kENOMSG = 42,
    kEIDRM = 43,
    kECHRNG = 44,
    kEL2NSYNC = 45,
    kEL3HLT = 46,
    kEL3RST = 47,
    kELNRNG = 48,
    kEUNATCH = 49,
    kENOCSI = 50,
    kEL2HLT = 51,
    kEBADE = 52,
    kEBADR = 53,
    kEXFULL = 54,
    kENOANO = 55,
    kEBADRQC = 56,
    kEBADSLT = 57,
    kEBFONT = 59,
    kENOSTR = 60,
    kENODATA = 61,
    kETIME = 62,
    kENOSR = 63,
    kENONET = 64,
    kENOPKG = 65,
    kEREMOTE = 66,
    kENOLINK = 67,
    kEADV = 68,
    kESRMNT = 69,
    kECOMM = 70,
    kEPROTO = 71,
    kEMULTIHOP = 72,
    kEDOTDOT = 73,
    kEBADMSG = 74,
    kEOVERFLOW = 75,
    kENOTUNIQ = 76,
    kEBADFD = 77,
    kEREMCHG = 78,
    kELIBACC = 79,
    kELIBBAD = 80,
    kELIBSCN = 81,
    kELIBMAX = 82,
    kELIBEXEC = 83,
    kEILSEQ = 84,
    kERESTART = 85,
    kESTRPIPE = 86,
    kEUSERS = 87,
    kENOTSOCK = 88,
    kEDESTADDRREQ = 89,
    kEMSGSIZE = 90,
    kEPROTOTYPE = 91,
    kENOPROTOOPT = 92,
    kEPROTONOSUPPORT = 93,
    kESOCKTNOSUPPORT = 94,
    kEOPNOTSUPP = 95,
    kEPFNOSUPPORT = 96,
    kEAFNOSUPPORT = 97,
    kEADDRINUSE = 98,
    kEADDRNOTAVAIL = 99,
    kENETDOWN = 100,
    kENETUNREACH = 101,
    kENETRESET = 102,
    kECONNABORTED = 103,
    kECONNRESET = 104,
    kENOBUFS = 105,
    kEISCONN = 106,
    kENOTCONN = 107,
    kESHUTDOWN = 108,
    kETOOMANYREFS = 109,
    kETIMEDOUT = 110,
    kECONNREFUSED = 111,
    kEHOSTDOWN = 112,
    kEHOSTUNREACH = 113,
    kEALREADY = 114,
    kEINPROGRESS = 115,
    kESTALE = 116,
    kEUCLEAN = 117,
    kENOTNAM = 118,
    kENAVAIL = 119,
    kEISNAM = 120,
    kEREMOTEIO = 121,
    kEDQUOT = 122,
    kENOMEDIUM = 123,
    kEMEDIUMTYPE = 124,
    kECANCELED = 125,
    kENOKEY = 126,
    kEKEYEXPIRED = 127,
    kEKEYREVOKED = 128,
    kEKEYREJECTED = 129,
    kEOWNERDEAD = 130,
    kENOTRECOVERABLE = 131,
    kERFKILL = 132,
    kEHWPOISON = 133,
    // The kernel's own codes, never seen by programs (include/linux/errno.h):
    // a system call interrupted by a signal returns one of them, and the
    // signal delivery turns it into EINTR or a restart of the call
    // (kernel/proc/signal_restart.hpp has the rules).
    kERESTARTSYS = 512,            // restart if the handler has SA_RESTART, else EINTR
    kERESTARTNOINTR = 513,         // always restart
    kERESTARTNOHAND = 514,         // restart unless a handler ran (then EINTR)
    kERESTART_RESTARTBLOCK = 516,  // like NOHAND, restarting through restart_syscall(2)
    // Aliases Linux defines for the same numbers.
    kEWOULDBLOCK = kEAGAIN,
    kEDEADLOCK = kEDEADLK,
    kENOTSUP = kEOPNOTSUPP,
};

// The symbolic name ("ENOENT"), or "E?" for a number we do not know.
constexpr const char* errno_name(Errno e) {
    switch (e) {
    case Errno::kNone: return "0";
    case Errno::kEPERM: return "EPERM";
    case Errno::kENOENT: return "ENOENT";
    case Errno::kESRCH: return "ESRCH";
    case Errno::kEINTR: return "EINTR";
    case Errno::kEIO: return "EIO";
    case Errno::kENXIO: return "ENXIO";
    case Errno::kE2BIG: return "E2BIG";
    case Errno::kENOEXEC: return "ENOEXEC";
    case Errno::kEBADF: return "EBADF";
    case Errno::kECHILD: return "ECHILD";
    case Errno::kEAGAIN: return "EAGAIN";
    case Errno::kENOMEM: return "ENOMEM";
    case Errno::kEACCES: return "EACCES";
    case Errno::kEFAULT: return "EFAULT";
    case Errno::kENOTBLK: return "ENOTBLK";
    case Errno::kEBUSY: return "EBUSY";
    case Errno::kEEXIST: return "EEXIST";
    case Errno::kEXDEV: return "EXDEV";
    case Errno::kENODEV: return "ENODEV";
    case Errno::kENOTDIR: return "ENOTDIR";
    case Errno::kEISDIR: return "EISDIR";
    case Errno::kEINVAL: return "EINVAL";
    case Errno::kENFILE: return "ENFILE";
    case Errno::kEMFILE: return "EMFILE";
    case Errno::kENOTTY: return "ENOTTY";
    case Errno::kETXTBSY: return "ETXTBSY";
    case Errno::kEFBIG: return "EFBIG";
    case Errno::kENOSPC: return "ENOSPC";
    case Errno::kESPIPE: return "ESPIPE";
    case Errno::kEROFS: return "EROFS";
    case Errno::kEMLINK: return "EMLINK";
    case Errno::kEPIPE: return "EPIPE";
    case Errno::kEDOM: return "EDOM";
    case Errno::kERANGE: return "ERANGE";
    case Errno::kEDEADLK: return "EDEADLK";
    case Errno::kENAMETOOLONG: return "ENAMETOOLONG";
    case Errno::kENOLCK: return "ENOLCK";
    case Errno::kENOSYS: return "ENOSYS";
    case Errno::kENOTEMPTY: return "ENOTEMPTY";
    case Errno::kELOOP: return "ELOOP";
    case Errno::kENOMSG: return "ENOMSG";
    case Errno::kEIDRM: return "EIDRM";
    case Errno::kECHRNG: return "ECHRNG";
    case Errno::kEL2NSYNC: return "EL2NSYNC";
    case Errno::kEL3HLT: return "EL3HLT";
    case Errno::kEL3RST: return "EL3RST";
    case Errno::kELNRNG: return "ELNRNG";
    case Errno::kEUNATCH: return "EUNATCH";
    case Errno::kENOCSI: return "ENOCSI";
    case Errno::kEL2HLT: return "EL2HLT";
    case Errno::kEBADE: return "EBADE";
    case Errno::kEBADR: return "EBADR";
    case Errno::kEXFULL: return "EXFULL";
    case Errno::kENOANO: return "ENOANO";
    case Errno::kEBADRQC: return "EBADRQC";
    case Errno::kEBADSLT: return "EBADSLT";
    case Errno::kEBFONT: return "EBFONT";
    case Errno::kENOSTR: return "ENOSTR";
    case Errno::kENODATA: return "ENODATA";
    case Errno::kETIME: return "ETIME";
    case Errno::kENOSR: return "ENOSR";
    case Errno::kENONET: return "ENONET";
    case Errno::kENOPKG: return "ENOPKG";
    case Errno::kEREMOTE: return "EREMOTE";
    case Errno::kENOLINK: return "ENOLINK";
    case Errno::kEADV: return "EADV";
    case Errno::kESRMNT: return "ESRMNT";
    case Errno::kECOMM: return "ECOMM";
    case Errno::kEPROTO: return "EPROTO";
    case Errno::kEMULTIHOP: return "EMULTIHOP";
    case Errno::kEDOTDOT: return "EDOTDOT";
    case Errno::kEBADMSG: return "EBADMSG";
    case Errno::kEOVERFLOW: return "EOVERFLOW";
    case Errno::kENOTUNIQ: return "ENOTUNIQ";
    case Errno::kEBADFD: return "EBADFD";
    case Errno::kEREMCHG: return "EREMCHG";
    case Errno::kELIBACC: return "ELIBACC";
    case Errno::kELIBBAD: return "ELIBBAD";
    case Errno::kELIBSCN: return "ELIBSCN";
    case Errno::kELIBMAX: return "ELIBMAX";
    case Errno::kELIBEXEC: return "ELIBEXEC";
    case Errno::kEILSEQ: return "EILSEQ";
    case Errno::kERESTART: return "ERESTART";
    case Errno::kESTRPIPE: return "ESTRPIPE";
    case Errno::kEUSERS: return "EUSERS";
    case Errno::kENOTSOCK: return "ENOTSOCK";
    case Errno::kEDESTADDRREQ: return "EDESTADDRREQ";
    case Errno::kEMSGSIZE: return "EMSGSIZE";
    case Errno::kEPROTOTYPE: return "EPROTOTYPE";
    case Errno::kENOPROTOOPT: return "ENOPROTOOPT";
    case Errno::kEPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case Errno::kESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case Errno::kEOPNOTSUPP: return "EOPNOTSUPP";
    case Errno::kEPFNOSUPPORT: return "EPFNOSUPPORT";
    case Errno::kEAFNOSUPPORT: return "EAFNOSUPPORT";
    case Errno::kEADDRINUSE: return "EADDRINUSE";
    case Errno::kEADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case Errno::kENETDOWN: return "ENETDOWN";
    case Errno::kENETUNREACH: return "ENETUNREACH";
    case Errno::kENETRESET: return "ENETRESET";
    case Errno::kECONNABORTED: return "ECONNABORTED";
    case Errno::kECONNRESET: return "ECONNRESET";
    case Errno::kENOBUFS: return "ENOBUFS";
    case Errno::kEISCONN: return "EISCONN";
    case Errno::kENOTCONN: return "ENOTCONN";
    case Errno::kESHUTDOWN: return "ESHUTDOWN";
    case Errno::kETOOMANYREFS: return "ETOOMANYREFS";
    case Errno::kETIMEDOUT: return "ETIMEDOUT";
    case Errno::kECONNREFUSED: return "ECONNREFUSED";
    case Errno::kEHOSTDOWN: return "EHOSTDOWN";
    case Errno::kEHOSTUNREACH: return "EHOSTUNREACH";
    case Errno::kEALREADY: return "EALREADY";
    case Errno::kEINPROGRESS: return "EINPROGRESS";
    case Errno::kESTALE: return "ESTALE";
    case Errno::kEUCLEAN: return "EUCLEAN";
    case Errno::kENOTNAM: return "ENOTNAM";
    case Errno::kENAVAIL: return "ENAVAIL";
    case Errno::kEISNAM: return "EISNAM";
    case Errno::kEREMOTEIO: return "EREMOTEIO";
    case Errno::kEDQUOT: return "EDQUOT";
    case Errno::kENOMEDIUM: return "ENOMEDIUM";
    case Errno::kEMEDIUMTYPE: return "EMEDIUMTYPE";
    case Errno::kECANCELED: return "ECANCELED";
    case Errno::kENOKEY: return "ENOKEY";
    case Errno::kEKEYEXPIRED: return "EKEYEXPIRED";
    case Errno::kEKEYREVOKED: return "EKEYREVOKED";
    case Errno::kEKEYREJECTED: return "EKEYREJECTED";
    case Errno::kEOWNERDEAD: return "EOWNERDEAD";
    case Errno::kENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case Errno::kERFKILL: return "ERFKILL";
    case Errno::kEHWPOISON: return "EHWPOISON";
    case Errno::kERESTARTSYS: return "ERESTARTSYS";
    case Errno::kERESTARTNOINTR: return "ERESTARTNOINTR";
    case Errno::kERESTARTNOHAND: return "ERESTARTNOHAND";
    case Errno::kERESTART_RESTARTBLOCK: return "ERESTART_RESTARTBLOCK";
    }
    return "E?";
}

}  // namespace lib
