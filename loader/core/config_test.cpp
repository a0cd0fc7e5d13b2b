// Host tests of the limine.conf parser and resource paths (docs/limine-protocol.md §5).
#include "loader/core/config.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using loader::Config;
using loader::ConfigResult;
using loader::parse_config;
using loader::parse_resource_path;

std::string str(lib::StringView view) {
    return std::string(view.data() ? view.data() : "", view.size());
}

// Owns the text too: the Config's views point into it.
struct Parsed {
    std::unique_ptr<std::string> text;
    std::unique_ptr<Config> config = std::make_unique<Config>();
    ConfigResult result;
};

Parsed parse(const std::string& text) {
    Parsed parsed;
    parsed.text = std::make_unique<std::string>(text);
    parsed.result = parse_config(lib::StringView(parsed.text->data(), parsed.text->size()), *parsed.config);
    return parsed;
}

// The failure message, or "" when parsing succeeded.
std::string message_of(const Parsed& parsed) {
    return parsed.result.ok ? "" : std::string(parsed.result.failure.error.message);
}

TEST(Config, ParsesTheProjectsOwnFile) {
    std::string text =
        "# Boot configuration\n"
        "timeout: 0\n"
        "\n"
        "/cxxkernel\n"
        "    protocol: limine\n"
        "    kernel_path: boot():/boot/kernel\n"
        "    cmdline: \n";
    Parsed p = parse(text);
    ASSERT_TRUE(p.result.ok) << message_of(p);
    EXPECT_EQ(p.config->timeout_seconds, 0u);
    ASSERT_EQ(p.config->entry_count, 1u);
    EXPECT_EQ(p.config->default_entry, 0u);
    const loader::ConfigEntry& e = p.config->entries[0];
    EXPECT_EQ(str(e.title), "cxxkernel");
    EXPECT_EQ(str(e.protocol), "limine");
    EXPECT_EQ(str(e.kernel_path), "boot():/boot/kernel");
    EXPECT_EQ(str(e.cmdline), "");
    EXPECT_EQ(e.module_count, 0u);
    EXPECT_FALSE(e.kaslr);
}

TEST(Config, DefaultsWhenEmpty) {
    Parsed p = parse("");
    ASSERT_TRUE(p.result.ok);
    EXPECT_EQ(p.config->timeout_seconds, 5u);
    EXPECT_EQ(p.config->entry_count, 0u);
}

TEST(Config, AllLocalOptionsAndCrlf) {
    std::string text =
        "TIMEOUT: 12\r\n"
        "Default_Entry: 2\r\n"
        "/First\r\n"
        "protocol: limine\r\n"
        "path: boot():/a\r\n"
        "/ Second entry \r\n"
        "\tPROTOCOL: limine\r\n"
        "\tkernel_path: boot(2):/boot/kernel\r\n"
        "\tkernel_cmdline: console=ttyS0 quiet: yes\r\n"
        "\tmodule_path: boot():/boot/initrd.tar\r\n"
        "\tmodule_cmdline: initrd\r\n"
        "\tmodule_path: boot():/boot/second\r\n"
        "\tresolution: 1024x768x32\r\n"
        "\tkaslr: yes\r\n"
        "\twallpaper: boot():/bg.png\r\n";
    Parsed p = parse(text);
    ASSERT_TRUE(p.result.ok) << message_of(p) << " line " << p.result.failure.line;
    EXPECT_EQ(p.config->timeout_seconds, 12u);
    EXPECT_EQ(p.config->default_entry, 1u);
    ASSERT_EQ(p.config->entry_count, 2u);
    EXPECT_EQ(str(p.config->entries[0].path), "boot():/a");
    EXPECT_EQ(str(p.config->entries[0].executable_path()), "boot():/a");
    const loader::ConfigEntry& e = p.config->entries[1];
    EXPECT_EQ(str(e.title), "Second entry");
    EXPECT_EQ(str(e.protocol), "limine");
    EXPECT_EQ(str(e.kernel_path), "boot(2):/boot/kernel");
    EXPECT_EQ(str(e.cmdline), "console=ttyS0 quiet: yes");
    ASSERT_EQ(e.module_count, 2u);
    EXPECT_EQ(str(e.modules[0].path), "boot():/boot/initrd.tar");
    EXPECT_EQ(str(e.modules[0].cmdline), "initrd");
    EXPECT_EQ(str(e.modules[1].path), "boot():/boot/second");
    EXPECT_EQ(str(e.modules[1].cmdline), "");
    EXPECT_EQ(e.resolution.width, 1024u);
    EXPECT_EQ(e.resolution.height, 768u);
    EXPECT_EQ(e.resolution.bpp, 32u);
    EXPECT_TRUE(e.kaslr);
}

TEST(Config, TimeoutNoMeansForever) {
    Parsed p = parse("timeout: No\n");
    ASSERT_TRUE(p.result.ok);
    EXPECT_EQ(p.config->timeout_seconds, UINT64_MAX);
}

TEST(Config, ResolutionWithoutBpp) {
    Parsed p = parse("/A\nresolution: 800x600\n");
    ASSERT_TRUE(p.result.ok) << message_of(p);
    EXPECT_EQ(p.config->entries[0].resolution.width, 800u);
    EXPECT_EQ(p.config->entries[0].resolution.height, 600u);
    EXPECT_EQ(p.config->entries[0].resolution.bpp, 0u);
}

TEST(Config, GlobalOptionsAreAcceptedAfterEntries) {
    Parsed p = parse("/A\nprotocol: limine\n/B\ndefault_entry: 2\ntimeout: 3\n");
    ASSERT_TRUE(p.result.ok) << message_of(p);
    EXPECT_EQ(p.config->default_entry, 1u);
    EXPECT_EQ(p.config->timeout_seconds, 3u);
}

TEST(Config, UnknownOptionsIgnoredEverywhere) {
    Parsed p = parse("graphics: yes\nverbose: yes\n/A\nfoo: bar\ntextmode: yes\n");
    ASSERT_TRUE(p.result.ok) << message_of(p);
    EXPECT_EQ(p.config->entry_count, 1u);
}

TEST(Config, LastLineWithoutNewline) {
    Parsed p = parse("/A\nkernel_path: boot():/k");
    ASSERT_TRUE(p.result.ok);
    EXPECT_EQ(str(p.config->entries[0].kernel_path), "boot():/k");
}

struct FailureCase {
    const char* text;
    size_t line;
    lib::ErrorCode code;
    const char* message_part;
};

TEST(Config, EachDocumentedFailure) {
    const FailureCase cases[] = {
        {"timeout: 0\nthis line is garbage\n", 2, lib::ErrorCode::kEINVAL, "no ':'"},
        {"protocol: limine\n/A\n", 1, lib::ErrorCode::kEINVAL, "before any '/Title'"},
        {"cmdline: x\n", 1, lib::ErrorCode::kEINVAL, "before any '/Title'"},
        {"//Sub\n", 1, lib::ErrorCode::kEINVAL, "more than one level deeper"},
        {"/A\n///Sub\n", 2, lib::ErrorCode::kEINVAL, "more than one level deeper"},
        {"/\n", 1, lib::ErrorCode::kEINVAL, "empty title"},
        {"/A\nmodule_cmdline: x\n", 2, lib::ErrorCode::kEINVAL, "without a module_path"},
        {"/A\nmodule_path: boot():/m\nmodule_cmdline: x\nmodule_cmdline: y\n", 4, lib::ErrorCode::kEEXIST,
         "module_string given twice"},
        {"/A\nmodule_path: boot():/m\nmodule_string: x\nmodule_cmdline: y\n", 4, lib::ErrorCode::kEEXIST,
         "module_string given twice"},
        {"/A\nresolution: 1024\n", 2, lib::ErrorCode::kEINVAL, "resolution"},
        {"/A\nresolution: 1024x\n", 2, lib::ErrorCode::kEINVAL, "resolution"},
        {"/A\nresolution: 0x768\n", 2, lib::ErrorCode::kEINVAL, "resolution"},
        {"/A\nresolution: 1x2x3x4\n", 2, lib::ErrorCode::kEINVAL, "resolution"},
        {"/A\nresolution: 99999999999x2\n", 2, lib::ErrorCode::kEINVAL, "resolution"},
        {"/A\nresolution: axb\n", 2, lib::ErrorCode::kEINVAL, "resolution"},
        {"timeout: soon\n", 1, lib::ErrorCode::kEINVAL, "timeout"},
        {"timeout: -1\n", 1, lib::ErrorCode::kEINVAL, "timeout"},
        {"timeout: 1.x\n", 1, lib::ErrorCode::kEINVAL, "timeout"},
        {"timeout: .\n", 1, lib::ErrorCode::kEINVAL, "timeout"},
        {"timeout:\n", 1, lib::ErrorCode::kEINVAL, "timeout"},
        {"default_entry: 0\n/A\n", 1, lib::ErrorCode::kERANGE, "default_entry"},
        {"default_entry: x\n/A\n", 1, lib::ErrorCode::kERANGE, "default_entry"},
        {"default_entry: A/B\n/A\n/C\n", 1, lib::ErrorCode::kERANGE, "default_entry"},
        {"default_entry:\n/A\n", 1, lib::ErrorCode::kEINVAL, "default_entry"},
        {"hash_mismatch_panic: maybe\n", 1, lib::ErrorCode::kEINVAL, "hash_mismatch_panic"},
        {"/A\nrandomise_hhdm_base: often\n", 2, lib::ErrorCode::kEINVAL, "randomise_hhdm_base"},
        {"/A\npaging_mode: 6level\n", 2, lib::ErrorCode::kEINVAL, "paging modes"},
        {"/A\nmin_paging_mode: 4level\nmin_paging_mode: 5level\n", 3, lib::ErrorCode::kEEXIST, "min_paging_mode"},
        {"/A\nmax_paging_mode: 5level\npaging_mode: 4level\n", 3, lib::ErrorCode::kEEXIST, "paging_mode given"},
        {"/A\ndtb_path: boot():/a\ndtb_path: boot():/b\n", 3, lib::ErrorCode::kEEXIST, "dtb_path given twice"},
        {"default_entry: 3\n/A\n/B\n", 1, lib::ErrorCode::kERANGE, "default_entry"},
        {"default_entry: 1\n", 1, lib::ErrorCode::kERANGE, "default_entry"},
        {"/A\nkaslr: maybe\n", 2, lib::ErrorCode::kEINVAL, "kaslr"},
        {"/A\nprotocol: limine\nprotocol: linux\n", 3, lib::ErrorCode::kEEXIST, "protocol given twice"},
        {"/A\nkernel_path: boot():/a\nkernel_path: boot():/b\n", 3, lib::ErrorCode::kEEXIST,
         "kernel_path given twice"},
        {"/A\npath: boot():/a\npath: boot():/b\n", 3, lib::ErrorCode::kEEXIST, "path given twice"},
        {"/A\ncmdline: a\nkernel_cmdline: b\n", 3, lib::ErrorCode::kEEXIST, "cmdline given twice"},
        {"/A\nkernel_path:\n", 2, lib::ErrorCode::kEINVAL, "kernel_path has no value"},
        {"/A\nprotocol:   \n", 2, lib::ErrorCode::kEINVAL, "protocol has no value"},
        {"/A\nmodule_path:\n", 2, lib::ErrorCode::kEINVAL, "module_path has no value"},
        {"/A\n: value\n", 2, lib::ErrorCode::kEINVAL, "name before ':' is empty"},
    };
    for (const FailureCase& c : cases) {
        Parsed p = parse(c.text);
        EXPECT_FALSE(p.result.ok) << c.text;
        EXPECT_EQ(p.result.failure.line, c.line) << c.text;
        EXPECT_EQ(p.result.failure.error.code, c.code) << c.text;
        EXPECT_NE(message_of(p).find(c.message_part), std::string::npos) << c.text << " -> " << message_of(p);
    }
}

TEST(Config, TooManyEntries) {
    std::string text;
    for (int i = 0; i < 33; ++i) text += "/E" + std::to_string(i) + "\n";
    Parsed p = parse(text);
    EXPECT_FALSE(p.result.ok);
    EXPECT_EQ(p.result.failure.line, 33u);
    EXPECT_EQ(p.result.failure.error.code, lib::ErrorCode::kEOPNOTSUPP);

    text.erase(text.rfind("/E32"));
    Parsed fits = parse(text);
    ASSERT_TRUE(fits.result.ok);
    EXPECT_EQ(fits.config->entry_count, 32u);
}

TEST(Config, TooManyModules) {
    std::string text = "/A\n";
    for (int i = 0; i < 17; ++i) text += "module_path: boot():/m" + std::to_string(i) + "\n";
    Parsed p = parse(text);
    EXPECT_FALSE(p.result.ok);
    EXPECT_EQ(p.result.failure.line, 18u);
    EXPECT_NE(message_of(p).find("too many module_path"), std::string::npos);
}

TEST(Config, ReusedConfigIsReset) {
    Parsed first = parse("/A\n/B\n");
    ASSERT_TRUE(first.result.ok);
    std::string text = "/C\n";
    ASSERT_TRUE(parse_config(lib::StringView(text.data(), text.size()), *first.config).ok);
    EXPECT_EQ(first.config->entry_count, 1u);
    EXPECT_EQ(str(first.config->entries[0].title), "C");
}

TEST(Config, RandomizedMutationsNeverCrash) {
    const std::string seed_text =
        "timeout: 3\ndefault_entry: 1\n# c\n/Kernel\n  protocol: limine\n  kernel_path: boot():/boot/kernel\n"
        "  module_path: boot(1):/m\n  module_cmdline: a b\n  resolution: 640x480x32\n  kaslr: no\n  cmdline: x\n";
    const char alphabet[] = "/:#x0123456789 \t\r\nabkptmoy${}()";
    std::mt19937 random(0x10adc0de);
    auto config = std::make_unique<Config>();
    for (int round = 0; round < 10000; ++round) {
        std::string text = seed_text;
        int edits = 1 + static_cast<int>(random() % 8);
        for (int e = 0; e < edits; ++e) {
            size_t at = text.empty() ? 0 : random() % (text.size() + 1);
            switch (random() % 4) {
                case 0:
                    text.insert(text.begin() + static_cast<ptrdiff_t>(at), alphabet[random() % (sizeof(alphabet) - 1)]);
                    break;
                case 1:
                    if (at < text.size()) text.erase(at, 1 + random() % 4);
                    break;
                case 2:
                    if (at < text.size()) text[at] = static_cast<char>(random() & 0xff);
                    break;
                case 3: text.insert(at, text.substr(random() % text.size(), random() % 24)); break;
            }
        }
        // Exact-size heap copy so ASan sees any read past the end.
        std::vector<char> exact(text.begin(), text.end());
        ConfigResult result = parse_config(lib::StringView(exact.data(), exact.size()), *config);
        if (result.ok) {
            ASSERT_LE(config->entry_count, loader::kMaxConfigEntries);
            ASSERT_TRUE(config->entry_count == 0 || config->default_entry < config->entry_count);
            for (size_t i = 0; i < config->entry_count; ++i)
                ASSERT_LE(config->entries[i].module_count, loader::kMaxModulesPerEntry);
        } else {
            ASSERT_NE(result.failure.error.message, nullptr);
            ASSERT_GE(result.failure.line, 1u);
        }
    }
}

TEST(Config, CheckLimineEntry) {
    Parsed p = parse(
        "/Good\nprotocol: Limine\nkernel_path: boot():/k\nmodule_path: boot(1):/m\n"
        "/NoProtocol\nkernel_path: boot():/k\n"
        "/Linux\nprotocol: linux\nkernel_path: boot():/k\n"
        "/NoKernel\nprotocol: limine\n"
        "/BadKernel\nprotocol: limine\nkernel_path: /boot/kernel\n"
        "/BadModule\nprotocol: limine\nkernel_path: boot():/k\nmodule_path: hdd(1:1):/m\n");
    ASSERT_TRUE(p.result.ok) << message_of(p);
    ASSERT_EQ(p.config->entry_count, 6u);
    EXPECT_TRUE(loader::check_limine_entry(p.config->entries[0]).has_value());
    const char* expected[] = {nullptr,   "no protocol",     "not 'limine'",
                              "no path", "not of the form", "only the boot() resource"};
    for (size_t i = 1; i < 6; ++i) {
        auto checked = loader::check_limine_entry(p.config->entries[i]);
        ASSERT_FALSE(checked.has_value()) << i;
        EXPECT_NE(std::string(checked.error().message).find(expected[i]), std::string::npos)
            << i << " -> " << checked.error().message;
    }
}

TEST(Config, HostileText) {
    // NUL bytes, lone CRs, very long lines, a file of only separators.
    std::string with_nul("/A\nkernel_path: boot():/k\0x\n", 28);
    Parsed nul = parse(with_nul);
    ASSERT_TRUE(nul.result.ok);
    EXPECT_EQ(nul.config->entries[0].kernel_path.size(), 11u);  // NUL kept: the path check rejects it
    EXPECT_FALSE(loader::parse_resource_path(nul.config->entries[0].kernel_path).has_value());
    EXPECT_TRUE(parse("\r\r\r\n\n\t\n").result.ok);
    EXPECT_FALSE(parse(std::string(100000, 'x')).result.ok);
    Parsed long_title = parse("/" + std::string(100000, 't') + "\n");
    ASSERT_TRUE(long_title.result.ok);
    EXPECT_EQ(long_title.config->entries[0].title.size(), 100000u);
    std::string many_lines(200000, '\n');
    many_lines += "bad\n";
    Parsed late = parse(many_lines);
    EXPECT_FALSE(late.result.ok);
    EXPECT_EQ(late.result.failure.line, 200001u);
}

TEST(ResourcePath, Valid) {
    auto a = parse_resource_path("boot():/boot/kernel");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(str(a->resource), "boot");
    EXPECT_EQ(str(a->argument), "");
    EXPECT_EQ(str(a->path), "/boot/kernel");

    auto b = parse_resource_path("boot(1):/x");
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(str(b->argument), "1");
    EXPECT_EQ(str(b->path), "/x");
}

TEST(ResourcePath, HashesAndCompression) {
    std::string blake2b(128, 'a'), blake3(64, 'B'), blake3_long(256, '0');
    auto path = [](const std::string& text) { return parse_resource_path(lib::StringView(text.data(), text.size())); };
    // ResourcePath views its text: keep each string alive while it is read.
    std::string a_text = "boot():/boot/kernel#" + blake2b, b_text = "$boot(1):/initrd.gz#" + blake3,
                c_text = "boot():/x#" + blake3_long;
    auto a = path(a_text);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(str(a->path), "/boot/kernel");
    EXPECT_EQ(a->hash, loader::HashKind::kBlake2b512);
    EXPECT_EQ(a->digest_size, 64u);
    EXPECT_EQ(a->digest[0], 0xaa);
    EXPECT_EQ(a->digest[63], 0xaa);
    auto b = path(b_text);
    ASSERT_TRUE(b.has_value());
    EXPECT_TRUE(b->compressed);
    EXPECT_EQ(b->hash, loader::HashKind::kBlake3_256);
    EXPECT_EQ(b->digest_size, 32u);
    EXPECT_EQ(b->digest[31], 0xbb);
    EXPECT_EQ(str(b->path), "/initrd.gz");
    auto c = path(c_text);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->hash, loader::HashKind::kBlake3_1024);
    EXPECT_EQ(c->digest_size, 128u);
    auto plain = parse_resource_path("boot():/x");
    ASSERT_TRUE(plain.has_value());
    EXPECT_EQ(plain->hash, loader::HashKind::kNone);
    EXPECT_FALSE(plain->compressed);
    for (std::string bad : {std::string("boot():/x#"), std::string("boot():/x#abc"),
                            "boot():/x#" + std::string(127, 'a'), "boot():/x#" + std::string(127, 'a') + "g"}) {
        auto result = path(bad);
        ASSERT_FALSE(result.has_value()) << bad;
        EXPECT_NE(std::string(result.error().message).find("hex"), std::string::npos) << result.error().message;
    }
}

TEST(Config, ModernSpellingAndAliases) {
    Parsed p = parse(
        "hash_mismatch_panic: no\ntimeout: 0.25\n/K\nprotocol: limine\npath: boot():/new\nkernel_path: boot():/old\n"
        "module_path: boot():/m1\nmodule_string: first\nmodule_path: boot():/m2\nmodule_cmdline: second\n"
        "randomize_hhdm_base: yes\nmax_paging_mode: 5level\nmin_paging_mode: 4level\ndtb_path: boot():/x.dtb\n"
        "/L\npaging_mode: 5level\nkernel_path: boot():/only-old\n");
    ASSERT_TRUE(p.result.ok) << message_of(p);
    EXPECT_FALSE(p.config->hash_mismatch_panic);
    EXPECT_EQ(p.config->timeout_seconds, 1u);  // rounded up to whole seconds
    const loader::ConfigEntry& k = p.config->entries[0];
    EXPECT_EQ(str(k.executable_path()), "boot():/new");  // path: wins over kernel_path:, as in Limine
    EXPECT_FALSE(k.kaslr);                               // off unless asked for
    EXPECT_EQ(str(k.modules[0].cmdline), "first");
    EXPECT_EQ(str(k.modules[1].cmdline), "second");
    EXPECT_EQ(k.randomise_hhdm_base, loader::Setting::kYes);
    EXPECT_EQ(k.max_paging_mode, loader::kPagingMode5Level);
    EXPECT_EQ(k.min_paging_mode, loader::kPagingMode4Level);
    EXPECT_EQ(str(k.dtb_path), "boot():/x.dtb");
    const loader::ConfigEntry& l = p.config->entries[1];
    EXPECT_EQ(str(l.executable_path()), "boot():/only-old");
    EXPECT_EQ(l.paging_mode, loader::kPagingMode5Level);
    EXPECT_EQ(l.min_paging_mode, loader::kPagingMode5Level);
    EXPECT_EQ(l.max_paging_mode, loader::kPagingMode5Level);
    EXPECT_TRUE(p.config->default_is_bootable());
    EXPECT_EQ(parse("timeout: 123456789\n").config->timeout_seconds, loader::kMaxTimeoutSeconds);
}

TEST(Config, SubEntriesFormATree) {
    Parsed p = parse(
        "default_entry: Tests/Nested/Deep\n"
        "/Top\nprotocol: limine\npath: boot():/a\n"
        "/+Tests\ncomment: a directory\n"
        "//Plain\nprotocol: limine\npath: boot():/b\n"
        "//Nested\n"
        "///Deep\nprotocol: limine\npath: boot():/c\n"
        "/Last\nprotocol: limine\npath: boot():/d\n");
    ASSERT_TRUE(p.result.ok) << message_of(p) << " line " << p.result.failure.line;
    ASSERT_EQ(p.config->entry_count, 6u);
    const Config& c = *p.config;
    EXPECT_EQ(c.entries[1].depth, 1u);
    EXPECT_TRUE(c.entries[1].expanded);
    EXPECT_TRUE(c.entries[1].directory);
    EXPECT_EQ(str(c.entries[1].title), "Tests");
    EXPECT_FALSE(c.entries[2].directory);
    EXPECT_TRUE(c.entries[3].directory);
    EXPECT_EQ(c.entries[4].depth, 3u);
    EXPECT_FALSE(c.entries[5].directory);
    EXPECT_EQ(c.default_entry, 4u);
    EXPECT_TRUE(c.default_is_bootable());
    EXPECT_FALSE(loader::check_limine_entry(c.entries[1]).has_value());  // a directory boots nothing

    Parsed directory = parse("default_entry: 1\n/Dir\n//Inside\nprotocol: limine\npath: boot():/k\n");
    ASSERT_TRUE(directory.result.ok);
    EXPECT_FALSE(directory.config->default_is_bootable());
    Parsed by_index = parse("default_entry: 3\n/Dir\n//Inside\n/After\n");
    ASSERT_TRUE(by_index.result.ok);
    EXPECT_EQ(by_index.config->default_entry, 2u);  // directories count, as in Limine's flat numbering
    Parsed escaped = parse("default_entry: A\\/B\n/A/B\n");
    ASSERT_TRUE(escaped.result.ok) << message_of(escaped);
    EXPECT_EQ(escaped.config->default_entry, 0u);
}

std::string expand(const std::string& text, size_t capacity = 4096) {
    std::vector<char> out(capacity);
    auto written = loader::expand_macros(lib::StringView(text.data(), text.size()), out.data(), out.size());
    if (!written) return std::string("error: ") + written.error().message;
    return std::string(out.data(), *written);
}

TEST(Macros, DefineExpandAndBuiltIns) {
    EXPECT_EQ(expand("${ROOT}=boot(1)\n/E\npath: ${ROOT}:/k\n"), "\n/E\npath: boot(1):/k\n");
    EXPECT_EQ(expand("cmdline: ${ARCH} ${FW_TYPE} ${LOADER_ARCH}\n"), "cmdline: x86-64 UEFI x86-64\n");
    // The last definition wins, wherever it stands; unknown names vanish.
    EXPECT_EQ(expand("a ${X}\n${X}=1\n${X}=2\nb ${X}${NOPE}c"), "a 2\n\n\nb 2c");
    // A definition's value keeps everything after '=', braces and colons too.
    EXPECT_EQ(expand("${P}=boot():/a#b}\n${P}\n"), "\nboot():/a#b}\n");
    // Not a definition: used in place (and the name before '=' expands).
    EXPECT_EQ(expand("x ${A}=1\n"), "x =1\n");
    EXPECT_EQ(expand("${unterminated\n"), "error: a '${' without its '}' on the same line");
    EXPECT_EQ(expand("${A}=0123456789\n${A}${A}${A}\n", 20), "error: the macro-expanded config is too long");
    EXPECT_EQ(expand("no macros at all\n"), "no macros at all\n");
}

TEST(Macros, LimineTestConfigShape) {
    // The shape of Limine's own test configuration: macros, a plain default
    // entry, then directories of sub-entries.
    std::string text = expand(
        "${TEST_KERNEL}=boot():/boot/test.elf\n"
        "timeout: 3\n"
        "/Limine Test\n    comment: Test of the Limine boot protocol.\n    protocol: limine\n"
        "    path: ${TEST_KERNEL}\n    cmdline: This is an example kernel command line.\n"
        "    module_path: ${TEST_KERNEL}\n    module_string: This is the first module.\n"
        "/+Legacy\n//Multiboot2 Test\n    protocol: multiboot2\n    path: boot():/boot/mb2.elf\n");
    Parsed p = parse(text);
    ASSERT_TRUE(p.result.ok) << message_of(p);
    ASSERT_EQ(p.config->entry_count, 3u);
    EXPECT_EQ(str(p.config->entries[0].executable_path()), "boot():/boot/test.elf");
    EXPECT_EQ(str(p.config->entries[0].modules[0].path), "boot():/boot/test.elf");
    EXPECT_TRUE(p.config->default_is_bootable());
    EXPECT_TRUE(p.config->entries[1].directory);
}

TEST(ResourcePath, Failures) {
    struct Case {
        const char* text;
        lib::ErrorCode code;
    };
    const Case cases[] = {
        {"", lib::ErrorCode::kEINVAL},
        {"/boot/kernel", lib::ErrorCode::kEINVAL},
        {"boot:/x", lib::ErrorCode::kEINVAL},
        {"boot(/x", lib::ErrorCode::kEINVAL},
        {"boot()/x", lib::ErrorCode::kEINVAL},
        {"boot():x", lib::ErrorCode::kEINVAL},
        {"boot():", lib::ErrorCode::kEINVAL},
        {"boot():/", lib::ErrorCode::kEINVAL},
        {"boot():/dir/", lib::ErrorCode::kEINVAL},
        {"(1):/x", lib::ErrorCode::kEINVAL},
        {"Boot():/x", lib::ErrorCode::kEINVAL},
        {"boot(0):/x", lib::ErrorCode::kEINVAL},
        {"boot(a):/x", lib::ErrorCode::kEINVAL},
        {"boot(99999999999):/x", lib::ErrorCode::kEINVAL},
        {"hdd(1:2):/x", lib::ErrorCode::kEOPNOTSUPP},
        {"guid(abc):/x", lib::ErrorCode::kEOPNOTSUPP},
        {"tftp():/x", lib::ErrorCode::kEOPNOTSUPP},
    };
    for (const Case& c : cases) {
        auto result = parse_resource_path(c.text);
        ASSERT_FALSE(result.has_value()) << c.text;
        EXPECT_EQ(result.error().code, c.code) << c.text << ": " << result.error().message;
    }
}

TEST(ResourcePath, RandomizedNeverCrash) {
    std::mt19937 random(77);
    const char alphabet[] = "boot()/:1a";
    for (int round = 0; round < 10000; ++round) {
        size_t length = random() % 16;
        std::vector<char> text(length);
        for (char& c : text) c = alphabet[random() % (sizeof(alphabet) - 1)];
        auto result = parse_resource_path(lib::StringView(text.data(), text.size()));
        if (result.has_value()) {
            EXPECT_EQ(str(result->resource), "boot");
            ASSERT_GE(result->path.size(), 2u);
            EXPECT_EQ(result->path[0], '/');
        }
    }
}

}  // namespace
