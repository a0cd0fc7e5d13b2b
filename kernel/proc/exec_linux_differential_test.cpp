// Broken programs against the host's own execve(2): each file is written to
// a temporary directory and executed for real in a child process; the
// errno it fails with (or the SIGSEGV Linux sends when it fails past its
// point of no return, or a clean exit when it loads) must be what
// proc::exec says. The programs are tiny: their entry point calls exit(0).
//
// Two cases are left out because Linux changed after 6.1, whose rules we
// follow, and the host may be newer (exec_test.cpp checks 6.1's answer):
// more than a page of program headers (6.1: ENOEXEC) and BSS that shares
// its last file page with a read-only segment (6.1: the tail cannot be
// zeroed, the process dies; 6.7 and later leave it unzeroed and run).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "kernel/proc/exec.hpp"
#include "kernel/proc/exec_testing.hpp"
#include "kernel/vm/errors.hpp"

namespace {

using proc::testing::ElfFile;

// mov $60, %eax; xor %edi, %edi; syscall: exit(0).
const uint8_t kExitCode[] = {0xb8, 0x3c, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05};

ElfFile exiting_program() {
    ElfFile elf = proc::testing::static_program();
    std::copy(std::begin(kExitCode), std::end(kExitCode), elf.bytes.begin() + 0x1000);
    return elf;
}

// What happened to an exec: 0 = it ran and exited cleanly, an errno, or
// kFatal = the process was killed (Linux's failure past the point of no return).
constexpr int kFatal = -1;

class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/cxxkernel-exec-XXXXXX";
        path_ = mkdtemp(pattern) ? pattern : "";
    }
    ~TempDir() {
        if (!path_.empty()) std::system(("rm -rf " + path_).c_str());
    }
    std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
        std::string file = path_ + "/" + name;
        int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0755);
        if (fd >= 0) {
            if (!bytes.empty() && ::write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size())) file.clear();
            close(fd);
        }
        return file;
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

int host_exec(const std::string& path, const std::vector<std::string>& arguments) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -2;
    pid_t child = fork();
    if (child == 0) {
        std::vector<char*> argv;
        for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        char* envp[] = {nullptr};
        execve(path.c_str(), argv.data(), envp);
        int error = errno;
        (void)!write(pipe_fds[1], &error, sizeof error);
        _exit(0);
    }
    close(pipe_fds[1]);
    int error = 0;
    bool failed = read(pipe_fds[0], &error, sizeof error) == sizeof error;
    close(pipe_fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (failed) return error;
    if (WIFSIGNALED(status)) return kFatal;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -3;
}

int our_exec(TempDir& dir, const std::string& path, const std::vector<std::string>& arguments) {
    vm::testing::Space space;
    proc::testing::MemoryFiles files(space);
    // Every file of the directory, under its real path (interpreters too).
    for (const char* name : {"prog", "interp", "program", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "text", "tiny"}) {
        std::string file = dir.path() + "/" + name;
        FILE* f = std::fopen(file.c_str(), "rb");
        if (!f) continue;
        std::vector<uint8_t> bytes;
        int c;
        while ((c = std::fgetc(f)) != EOF) bytes.push_back(uint8_t(c));
        std::fclose(f);
        files.add(file, bytes);
    }
    proc::testing::SeededRandom random(1);
    std::vector<lib::StringView> argv;
    for (const auto& a : arguments) argv.push_back(lib::StringView(a.c_str(), a.size()));
    proc::ExecParameters parameters;
    parameters.filename = lib::StringView(path.c_str(), path.size());
    parameters.argv = lib::Span<const lib::StringView>(argv.data(), argv.size());
    parameters.files = &files;
    parameters.services = space.services;
    // Linux's heuristic overcommit on this machine: all of its memory.
    parameters.services.commit_limit_pages = uint64_t(sysconf(_SC_PHYS_PAGES));
    parameters.random = &random;
    parameters.limits.stack = 8 << 20;
    proc::ExecFailure failure;
    auto image = proc::exec(files.at(path), parameters, &failure);
    if (image) {
        vm::AddressSpace::destroy(image->space);
        return 0;
    }
    return failure.fatal ? kFatal : int(vm::error_number(image.error()));
}

struct Case {
    const char* name;
    std::function<std::vector<uint8_t>(TempDir&)> make;
};

std::vector<uint8_t> with_interp(const std::string& interp, std::function<void(ElfFile&)> edit = nullptr) {
    ElfFile elf = exiting_program();
    elf.segments.insert(elf.segments.begin(),
                        {uapi::kPtInterp, uapi::kPfR, 0x300, 0, interp.size() + 1, interp.size() + 1, 1});
    std::copy(interp.begin(), interp.end(), elf.bytes.begin() + 0x300);
    if (edit) edit(elf);
    return elf.build();
}

TEST(ExecLinuxDifferential, BrokenProgramsFailAsOnTheHostKernel) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::vector<uint8_t> good = exiting_program().build();
    auto edited = [](std::function<void(ElfFile&)> edit) {
        return [edit](TempDir&) {
            ElfFile elf = exiting_program();
            edit(elf);
            return elf.build();
        };
    };
    auto bytes = [](std::string text) {
        return [text](TempDir&) { return std::vector<uint8_t>(text.begin(), text.end()); };
    };
    std::vector<Case> cases = {
        {"good", [&](TempDir&) { return good; }},
        {"empty", bytes("")},
        {"text", bytes("hello\n")},
        {"magic only", bytes("\x7f"
                             "ELF")},
        {"truncated headers", [&](TempDir&) { return std::vector<uint8_t>(good.begin(), good.begin() + 100); }},
        {"i386", edited([](ElfFile& e) { e.header.machine = 3; })},
        {"relocatable", edited([](ElfFile& e) { e.header.type = 1; })},
        {"phentsize", edited([](ElfFile& e) { e.header.phentsize = 32; })},
        // More than 64 KiB of program headers. (Linux 6.1 also refuses more
        // than a page of them, 74 and up, with ENOEXEC, as we do; newer
        // kernels accept those: exec_test.cpp checks 74 alone.)
        {"phnum 1171", edited([](ElfFile& e) { e.header.phnum = 1171; })},
        {"filesz over memsz", edited([](ElfFile& e) { e.segments[2].filesz = e.segments[2].memsz + 1; })},
        {"segment past user space", edited([](ElfFile& e) { e.segments[2].vaddr = uapi::kTaskSize; })},
        {"64 TiB of BSS", edited([](ElfFile& e) { e.segments[2].memsz = 1ULL << 46; })},
        {"offset not congruent", edited([](ElfFile& e) { e.segments[1].offset = 0x1234; })},
        {"overlapping segments", edited([](ElfFile& e) {
             e.segments[2].vaddr = 0x401000;
             e.segments[2].offset = 0x1000;
             e.segments[2].flags = uapi::kPfR | uapi::kPfW | uapi::kPfX;
         })},
        {"no interpreter", [](TempDir& d) { return with_interp(d.path() + "/nowhere"); }},
        {"interpreter not ELF",
         [](TempDir& d) {
             d.write("text", std::vector<uint8_t>(100, 'x'));
             return with_interp(d.path() + "/text");
         }},
        {"interpreter shorter than a header",
         [](TempDir& d) {
             d.write("tiny", {0x7f, 'E', 'L', 'F'});
             return with_interp(d.path() + "/tiny");
         }},
        {"interpreter path unterminated",
         [](TempDir& d) { return with_interp(d.path() + "/x", [](ElfFile& e) { e.segments[0].filesz -= 1; }); }},
        {"interpreter path of one byte",
         [](TempDir& d) { return with_interp(d.path() + "/x", [](ElfFile& e) { e.segments[0].filesz = 1; }); }},
        {"interpreter relocatable",
         [](TempDir& d) {
             ElfFile interp = exiting_program();
             interp.header.type = 1;
             d.write("interp", interp.build());
             return with_interp(d.path() + "/interp");
         }},
        {"script",
         [](TempDir& d) {
             d.write("program", exiting_program().build());
             std::string text = "#!" + d.path() + "/program -x\n";
             return std::vector<uint8_t>(text.begin(), text.end());
         }},
        {"script of blanks", bytes("#!   \n")},
        {"script path too long", bytes("#!/" + std::string(300, 'a'))},
        {"scripts six deep",
         [](TempDir& d) {
             d.write("program", exiting_program().build());
             for (int i = 0; i < 6; ++i) {
                 std::string next = i == 5 ? "program" : "s" + std::to_string(i + 1);
                 std::string text = "#!" + d.path() + "/" + next + "\n";
                 d.write("s" + std::to_string(i), std::vector<uint8_t>(text.begin(), text.end()));
             }
             std::string text = "#!" + d.path() + "/s0\n";
             return std::vector<uint8_t>(text.begin(), text.end());
         }},
    };
    for (const Case& c : cases) {
        std::string path = dir.write("prog", c.make(dir));
        ASSERT_FALSE(path.empty());
        std::vector<std::string> argv = {path};
        int host = host_exec(path, argv);
        int ours = our_exec(dir, path, argv);
        EXPECT_EQ(ours, host) << c.name << " (host " << host << ", ours " << ours << ")";
    }
    // Arguments past the limit, on a good program.
    std::string path = dir.write("prog", good);
    std::vector<std::string> big = {path, std::string(uapi::kMaxArgStrlen, 'y')};
    EXPECT_EQ(our_exec(dir, path, big), host_exec(path, big));
    big[1].pop_back();
    EXPECT_EQ(our_exec(dir, path, big), host_exec(path, big));
}

}  // namespace
