// The Limine boot protocol, x86_64, base revision 2: the definitions shared by
// the project's UEFI loader (loader/) and the kernel's boot module
// (kernel/boot/limine.cpp). Nothing else may include this header: the rest of
// the kernel sees only BootInfo.
//
// The protocol's facts, in our words, are in docs/limine-protocol.md (as
// Limine 8.x implements it); section numbers below refer to it.
//
// Every field is a fixed-width integer or a pointer: the loader is built for
// the x86_64 UEFI (LLP64) target and the kernel for x86_64 ELF (LP64), and the
// layouts must agree byte for byte. The static_asserts at the end pin them.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace limine {

// ---------------------------------------------------------------------------
// §1 Markers, base revision tag, request ids
// ---------------------------------------------------------------------------

inline constexpr uint64_t kCommonMagic0 = 0xc7b1dd30df4c8b88ULL;
inline constexpr uint64_t kCommonMagic1 = 0x0a82e883a194f07bULL;

inline constexpr uint64_t kRequestsStartMarker[4] = {
    0xf6b8f4b39de7d1aeULL, 0xfab91a6940fcb9cfULL, 0x785c6ed015d3e316ULL, 0x181e920a7852b9d9ULL};
inline constexpr uint64_t kRequestsEndMarker[2] = {0xadc0e0531bb10d03ULL, 0x9572709f31764c62ULL};

inline constexpr uint64_t kBaseRevisionMagic0 = 0xf9562b2d5c95a6c8ULL;
inline constexpr uint64_t kBaseRevisionMagic1 = 0x6a7b384944536bdcULL;
// The revision this project's kernel asks for: the newest, as the official
// templates do; it follows whichever revision the loader applied (§7).
inline constexpr uint64_t kBaseRevision = 6;
// The newest revision the project's loader implements (0 to 6, each with its
// own rules: docs/limine-protocol.md §7).
inline constexpr uint64_t kMaxBaseRevision = 6;

// A request's identity: the common magic followed by two feature words.
struct RequestId {
    uint64_t words[4];
};

constexpr RequestId make_id(uint64_t a, uint64_t b) { return RequestId{{kCommonMagic0, kCommonMagic1, a, b}}; }

// §4: feature id words.
namespace id {
inline constexpr RequestId kBootloaderInfo = make_id(0xf55038d8e2a1202fULL, 0x279426fcf5f59740ULL);
inline constexpr RequestId kFirmwareType = make_id(0x8c2f75d90bef28a8ULL, 0x7045a4688eac00c3ULL);
inline constexpr RequestId kStackSize = make_id(0x224ef0460a8e8926ULL, 0xe1cb0fc25f46ea3dULL);
inline constexpr RequestId kHhdm = make_id(0x48dcf1cb8ad2b852ULL, 0x63984e959a98244bULL);
inline constexpr RequestId kFramebuffer = make_id(0x9d5827dcd881dd75ULL, 0xa3148604f6fab11bULL);
inline constexpr RequestId kPagingMode = make_id(0x95c1a0edab0944cbULL, 0xa4e5cb3842f7488aULL);
inline constexpr RequestId kSmp = make_id(0x95a67b819a1b857eULL, 0xa0b61b723b6a73e0ULL);
inline constexpr RequestId kMemmap = make_id(0x67cf3d9d378a806fULL, 0xe304acdfc50c3c62ULL);
inline constexpr RequestId kEntryPoint = make_id(0x13d86c035a1cd3e1ULL, 0x2b0caa89d8f3026aULL);
inline constexpr RequestId kKernelFile = make_id(0xad97e90e83f1ed67ULL, 0x31eb5d1c5ff23b69ULL);
inline constexpr RequestId kModule = make_id(0x3e7e279702be32afULL, 0xca1c4f3bd1280ceeULL);
inline constexpr RequestId kRsdp = make_id(0xc5e77b6b397e7b43ULL, 0x27637845accdcf3cULL);
inline constexpr RequestId kSmbios = make_id(0x9e9046f11e095391ULL, 0xaa4a520fefbde5eeULL);
inline constexpr RequestId kEfiSystemTable = make_id(0x5ceba5163eaaf6d6ULL, 0x0a6981610cf65fccULL);
inline constexpr RequestId kEfiMemmap = make_id(0x7df62a431d6872d5ULL, 0xa4fcdfb3e57306c8ULL);
inline constexpr RequestId kBootTime = make_id(0x502746e184c088aaULL, 0xfbc5ec83e6327893ULL);
inline constexpr RequestId kKernelAddress = make_id(0x71ba76863cc55f63ULL, 0xb2644a48c516a487ULL);
// docs/limine-protocol.md §7: requests newer than Limine 8.x (and the Device
// Tree Blob request, which 8.x has too).
inline constexpr RequestId kDtb = make_id(0xb40ddb48fb54bac7ULL, 0x545081493f81ffb7ULL);
inline constexpr RequestId kExecutableCmdline = make_id(0x4b161536e598651eULL, 0xb390ad4a2f1f303aULL);
inline constexpr RequestId kBootloaderPerformance = make_id(0x6b50ad9bf36d13adULL, 0xdc4c7e88fc759e17ULL);
inline constexpr RequestId kKeepIommu = make_id(0x8ebaabe51f490179ULL, 0x2aa86a59ffb4ab0fULL);
inline constexpr RequestId kTscFrequency = make_id(0x10f2ee1d87d195e4ULL, 0xf747a2b78f6ddb31ULL);
inline constexpr RequestId kEntropy = make_id(0x65ea80255d5682c5ULL, 0x9117240723f493ebULL);
inline constexpr RequestId kRiscvBspHartId = make_id(0x1369359f025525f9ULL, 0x2ff2a56178391bb6ULL);
// The same ids under the names the protocol uses since Limine 9.
inline constexpr RequestId kMp = kSmp;
inline constexpr RequestId kExecutableFile = kKernelFile;
inline constexpr RequestId kExecutableAddress = kKernelAddress;
inline constexpr RequestId kDateAtBoot = kBootTime;
}  // namespace id

// Every request starts with this header; `response` is written by the loader.
// Request-specific fields follow in the concrete request structs.
struct RequestHeader {
    uint64_t id[4];
    uint64_t revision;
    uint64_t response;  // virtual (HHDM) address of the response, 0 if none
};

// ---------------------------------------------------------------------------
// §4 Responses (each starts with its own revision)
// ---------------------------------------------------------------------------

struct BootloaderInfoResponse {
    uint64_t revision;
    const char* name;
    const char* version;
};

enum FirmwareType : uint64_t { kFirmwareX86Bios = 0, kFirmwareUefi32 = 1, kFirmwareUefi64 = 2, kFirmwareSbi = 3 };

struct FirmwareTypeResponse {
    uint64_t revision;
    uint64_t firmware_type;
};

struct StackSizeResponse {
    uint64_t revision;
};

struct HhdmResponse {
    uint64_t revision;
    uint64_t offset;
};

enum MemoryModel : uint8_t { kMemoryModelRgb = 1 };

struct VideoMode {
    uint64_t pitch;
    uint64_t width;
    uint64_t height;
    uint16_t bpp;
    uint8_t memory_model;
    uint8_t red_mask_size;
    uint8_t red_mask_shift;
    uint8_t green_mask_size;
    uint8_t green_mask_shift;
    uint8_t blue_mask_size;
    uint8_t blue_mask_shift;
};

struct Framebuffer {
    void* address;
    uint64_t width;
    uint64_t height;
    uint64_t pitch;
    uint16_t bpp;
    uint8_t memory_model;
    uint8_t red_mask_size;
    uint8_t red_mask_shift;
    uint8_t green_mask_size;
    uint8_t green_mask_shift;
    uint8_t blue_mask_size;
    uint8_t blue_mask_shift;
    uint8_t unused[7];
    uint64_t edid_size;
    void* edid;
    // Response revision 1 and later:
    uint64_t mode_count;
    VideoMode** modes;
};

struct FramebufferResponse {
    uint64_t revision;
    uint64_t framebuffer_count;
    Framebuffer** framebuffers;
};

enum PagingMode : uint64_t { kPaging4Level = 0, kPaging5Level = 1 };

struct PagingModeResponse {
    uint64_t revision;
    uint64_t mode;
};

struct SmpInfo;
using GotoAddress = void (*)(SmpInfo*);

struct SmpInfo {
    uint32_t processor_id;  // ACPI processor UID
    uint32_t lapic_id;
    uint64_t reserved;
    GotoAddress goto_address;  // written atomically by the kernel to start the AP
    uint64_t extra_argument;
};

inline constexpr uint64_t kSmpRequestX2apic = 1;   // request flag bit 0
inline constexpr uint32_t kSmpResponseX2apic = 1;  // response flag bit 0

struct SmpResponse {
    uint64_t revision;
    uint32_t flags;
    uint32_t bsp_lapic_id;
    uint64_t cpu_count;
    SmpInfo** cpus;
};

enum MemmapType : uint64_t {
    kMemmapUsable = 0,
    kMemmapReserved = 1,
    kMemmapAcpiReclaimable = 2,
    kMemmapAcpiNvs = 3,
    kMemmapBadMemory = 4,
    kMemmapBootloaderReclaimable = 5,
    kMemmapKernelAndModules = 6,  // called EXECUTABLE_AND_MODULES since Limine 9
    kMemmapFramebuffer = 7,
    kMemmapReservedMapped = 8,  // base revision 4 and later (§7)
};

// Whether the HHDM of `base_revision` maps a region of `type` wherever it
// lies (§7; below 4 GiB revisions 0 to 2 map everything anyway): the one
// statement of the rule, for the loader that follows it and the tests that
// check it.
constexpr bool hhdm_maps_type(uint64_t type, uint64_t base_revision) {
    switch (type) {
        case kMemmapUsable:
        case kMemmapBootloaderReclaimable:
        case kMemmapKernelAndModules:
        case kMemmapFramebuffer: return true;
        case kMemmapAcpiReclaimable:
        case kMemmapAcpiNvs:
        case kMemmapReservedMapped: return base_revision != 3;
        default: return base_revision == 0;  // RESERVED, BAD_MEMORY, unknown
    }
}

struct MemmapEntry {
    uint64_t base;
    uint64_t length;
    uint64_t type;
};

struct MemmapResponse {
    uint64_t revision;
    uint64_t entry_count;
    MemmapEntry** entries;
};

struct EntryPointResponse {
    uint64_t revision;
};

struct Uuid {
    uint32_t a;
    uint16_t b;
    uint16_t c;
    uint8_t d[8];
};

enum MediaType : uint32_t { kMediaGeneric = 0, kMediaOptical = 1, kMediaTftp = 2 };

struct File {
    uint64_t revision;
    void* address;  // 4 KiB aligned
    uint64_t size;
    char* path;  // leading slash
    char* cmdline;
    uint32_t media_type;
    uint32_t unused;
    uint32_t tftp_ip;
    uint32_t tftp_port;
    uint32_t partition_index;  // 1-based, 0 = none
    uint32_t mbr_disk_id;
    Uuid gpt_disk_uuid;
    Uuid gpt_part_uuid;
    Uuid part_uuid;
};

struct KernelFileResponse {
    uint64_t revision;
    File* kernel_file;
};

inline constexpr uint64_t kInternalModuleRequired = 1;
inline constexpr uint64_t kInternalModuleCompressed = 2;  // refused by Limine 8+ and by ours

struct InternalModule {
    const char* path;  // relative to the kernel's directory
    const char* cmdline;
    uint64_t flags;
};

struct ModuleResponse {
    uint64_t revision;
    uint64_t module_count;
    File** modules;
};

struct RsdpResponse {
    uint64_t revision;
    void* address;
};

struct SmbiosResponse {
    uint64_t revision;
    void* entry_32;
    void* entry_64;
};

struct EfiSystemTableResponse {
    uint64_t revision;
    void* address;
};

struct EfiMemmapResponse {
    uint64_t revision;
    void* memmap;
    uint64_t memmap_size;
    uint64_t desc_size;
    uint64_t desc_version;
};

struct BootTimeResponse {
    uint64_t revision;
    int64_t boot_time;  // UNIX seconds, from the RTC
};

struct KernelAddressResponse {
    uint64_t revision;
    uint64_t physical_base;
    uint64_t virtual_base;
};

struct DtbResponse {
    uint64_t revision;
    void* dtb;  // the flattened device tree (HHDM, bootloader-reclaimable)
};

struct ExecutableCmdlineResponse {
    uint64_t revision;
    const char* cmdline;  // the same string as the executable file's cmdline
};

struct BootloaderPerformanceResponse {
    uint64_t revision;
    uint64_t reset_usec;  // microseconds, all from one arbitrary origin
    uint64_t init_usec;
    uint64_t exec_usec;
};

struct KeepIommuResponse {
    uint64_t revision;
};

struct TscFrequencyResponse {
    uint64_t revision;
    uint64_t frequency;  // Hz
};

struct EntropyResponse {
    uint64_t revision;
    uint64_t value_count;
    uint64_t* values;
};

// ---------------------------------------------------------------------------
// §4 Requests: header fields, then request-specific extras
// ---------------------------------------------------------------------------

template <typename Response>
struct Request {
    uint64_t id[4];
    uint64_t revision;
    Response* response;
};

using BootloaderInfoRequest = Request<BootloaderInfoResponse>;
using FirmwareTypeRequest = Request<FirmwareTypeResponse>;
using HhdmRequest = Request<HhdmResponse>;
using FramebufferRequest = Request<FramebufferResponse>;
using MemmapRequest = Request<MemmapResponse>;
using KernelFileRequest = Request<KernelFileResponse>;
using RsdpRequest = Request<RsdpResponse>;
using SmbiosRequest = Request<SmbiosResponse>;
using EfiSystemTableRequest = Request<EfiSystemTableResponse>;
using EfiMemmapRequest = Request<EfiMemmapResponse>;
using BootTimeRequest = Request<BootTimeResponse>;
using KernelAddressRequest = Request<KernelAddressResponse>;
using DtbRequest = Request<DtbResponse>;
using ExecutableCmdlineRequest = Request<ExecutableCmdlineResponse>;
using BootloaderPerformanceRequest = Request<BootloaderPerformanceResponse>;
using KeepIommuRequest = Request<KeepIommuResponse>;
using TscFrequencyRequest = Request<TscFrequencyResponse>;

struct EntropyRequest {
    uint64_t id[4];
    uint64_t revision;
    EntropyResponse* response;
    uint64_t value_count;  // how many random 64-bit words the kernel wants
};

// The stack every CPU enters the kernel on is at least this large, or the
// Stack Size request's size when larger (docs/limine-protocol.md §3).
inline constexpr uint64_t kDefaultStackSize = 64 * 1024;

struct StackSizeRequest {
    uint64_t id[4];
    uint64_t revision;
    StackSizeResponse* response;
    uint64_t stack_size;
};

struct PagingModeRequest {
    uint64_t id[4];
    uint64_t revision;
    PagingModeResponse* response;
    uint64_t mode;
    // Request revision 1 and later:
    uint64_t max_mode;
    uint64_t min_mode;
};

struct SmpRequest {
    uint64_t id[4];
    uint64_t revision;
    SmpResponse* response;
    uint64_t flags;
};

struct EntryPointRequest {
    uint64_t id[4];
    uint64_t revision;
    EntryPointResponse* response;
    void (*entry)();
};

struct ModuleRequest {
    uint64_t id[4];
    uint64_t revision;
    ModuleResponse* response;
    // Request revision 1 and later:
    uint64_t internal_module_count;
    InternalModule** internal_modules;
};

// ---------------------------------------------------------------------------
// Layout checks: the loader (LLP64) and the kernel (LP64) must agree.
// ---------------------------------------------------------------------------

static_assert(sizeof(void*) == 8, "the protocol is 64-bit only");
static_assert(sizeof(RequestHeader) == 48);
static_assert(sizeof(Request<HhdmResponse>) == sizeof(RequestHeader));
static_assert(offsetof(Framebuffer, bpp) == 32);
static_assert(offsetof(Framebuffer, unused) == 41);
static_assert(offsetof(Framebuffer, edid_size) == 48);
static_assert(offsetof(Framebuffer, mode_count) == 64);
static_assert(sizeof(Framebuffer) == 80);
static_assert(sizeof(VideoMode) == 40);
static_assert(sizeof(SmpInfo) == 32);
static_assert(offsetof(SmpInfo, goto_address) == 16);
static_assert(offsetof(SmpResponse, cpu_count) == 16);
static_assert(sizeof(MemmapEntry) == 24);
static_assert(offsetof(File, media_type) == 40);
static_assert(offsetof(File, gpt_disk_uuid) == 64);
static_assert(sizeof(File) == 112);
static_assert(sizeof(ModuleRequest) == 64);
static_assert(sizeof(PagingModeRequest) == 72);
static_assert(sizeof(SmpRequest) == 56);
static_assert(sizeof(EntropyRequest) == 56);
static_assert(sizeof(BootloaderPerformanceResponse) == 32);

}  // namespace limine
