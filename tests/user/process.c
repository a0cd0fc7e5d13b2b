/* Processes: fork, vfork, clone, execve, wait4/waitid and exit statuses,
 * the getpid family, process groups and sessions, credentials (supplementary
 * groups, fs ids), umask,
 * resource limits, uname, sysinfo, prctl names, CPU affinity, getcpu,
 * getrandom, personality (man 2 of each; issue 11). */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/fsuid.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "common.h"

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 1
#endif
/* include/uapi/linux/sched.h */
#define CLONE_CHILD_CLEARTID_ 0x00200000
#define CLONE_PARENT_SETTID_ 0x00100000
#define CLONE_CHILD_SETTID_ 0x01000000
/* include/uapi/linux/wait.h */
#define WALL_ 0x40000000

static void ids(void) {
    pid_t pid = getpid();
    EXPECT_TRUE("getpid>0", pid > 0);
    EXPECT_TRUE("gettid==getpid", syscall(SYS_gettid) == pid);
    /* PID 1 (as our kernel's CI runs this) has no parent: 0, as on Linux. */
    EXPECT_TRUE("getppid>0 (0 for PID 1)", getppid() > 0 || (pid == 1 && getppid() == 0));
    EXPECT_TRUE("set_tid_address returns tid", syscall(SYS_set_tid_address, NULL) == pid);
}

static void fork_and_wait(void) {
    pid_t parent = getpid();
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t child = fork();
    if (child == 0) {
        pid_t seen[2] = {getpid(), getppid()};
        write(pipefd[1], seen, sizeof seen);
        _exit(7);
    }
    EXPECT_TRUE("fork: child pid>0", child > 0);
    pid_t seen[2] = {0, 0};
    CHECK(read(pipefd[0], seen, sizeof seen) == sizeof seen);
    EXPECT_TRUE("fork: child getpid==fork result", seen[0] == child);
    EXPECT_TRUE("fork: child getppid==parent", seen[1] == parent);
    close(pipefd[0]), close(pipefd[1]);

    int status = 0;
    EXPECT_TRUE("wait4 returns the child", wait4(child, &status, 0, NULL) == child);
    say("wait4: exited=%d status=%d", WIFEXITED(status), WEXITSTATUS(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    EXPECT_ERR("wait4 without children", wait4(-1, &status, 0, NULL), ECHILD);
    EXPECT_ERR("wait4 bad options", wait4(-1, &status, 0x7000, NULL), EINVAL);

    /* The status is stored after the child is reaped: EFAULT, and the child
     * is gone (kernel/exit.c: put_user after the reap). */
    child = fork();
    if (child == 0) _exit(1);
    EXPECT_ERR("wait4 status=kernel pointer", syscall(SYS_wait4, child, KERNEL_PTR, 0, NULL), EFAULT);
    EXPECT_ERR("wait4 after the EFAULT reap", wait4(child, &status, 0, NULL), ECHILD);

    /* WNOHANG on a running child returns 0. */
    int hold[2];
    CHECK(pipe(hold) == 0);
    child = fork();
    if (child == 0) {
        char c;
        close(hold[1]);
        read(hold[0], &c, 1);
        _exit(0);
    }
    close(hold[0]);
    EXPECT_TRUE("wait4 WNOHANG on a running child returns 0", wait4(child, &status, WNOHANG, NULL) == 0);
    close(hold[1]);
    CHECK(wait4(child, &status, 0, NULL) == child && WIFEXITED(status));

    static const int codes[] = {0, 1, 255, 256, 513};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        child = fork();
        if (child == 0) syscall(SYS_exit_group, codes[i]);
        CHECK(waitpid(child, &status, 0) == child);
        say("exit(%d): exited=%d status=%d", codes[i], WIFEXITED(status), WEXITSTATUS(status));
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == (codes[i] & 0xff));
    }
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    kill(child, SIGKILL);
    CHECK(waitpid(child, &status, 0) == child);
    say("killed by SIGKILL: signaled=%d sig=%d core=%d", WIFSIGNALED(status), WTERMSIG(status), WCOREDUMP(status));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void waitid_calls(void) {
    pid_t child = fork();
    if (child == 0) _exit(42);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    EXPECT_OK("waitid P_PID WEXITED", waitid(P_PID, child, &info, WEXITED));
    say("waitid: signo=%d code=%d status=%d pid_matches=%d", info.si_signo, info.si_code, info.si_status,
        info.si_pid == child);
    CHECK(info.si_signo == SIGCHLD && info.si_code == CLD_EXITED && info.si_status == 42 && info.si_pid == child);

    child = fork();
    if (child == 0) _exit(3);
    memset(&info, 0, sizeof info);
    EXPECT_OK("waitid WNOWAIT", waitid(P_PID, child, &info, WEXITED | WNOWAIT));
    memset(&info, 0, sizeof info);
    EXPECT_OK("waitid again after WNOWAIT", waitid(P_ALL, 0, &info, WEXITED));
    EXPECT_TRUE("waitid P_ALL found the same child", info.si_pid == child && info.si_status == 3);

    EXPECT_ERR("waitid no children", waitid(P_ALL, 0, &info, WEXITED | WNOHANG), ECHILD);
    EXPECT_ERR("waitid options=0", syscall(SYS_waitid, P_ALL, 0, &info, 0, NULL), EINVAL);
    EXPECT_ERR("waitid bad idtype", syscall(SYS_waitid, 77, 0, &info, WEXITED, NULL), EINVAL);
}

static int vfork_shared;

static void vfork_and_clone(void) {
    pid_t child = vfork();
    if (child == 0) {
        vfork_shared = 99; /* vfork: the parent's memory, the parent waits */
        _exit(5);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("vfork: child wrote the parent's memory", vfork_shared == 99);
    EXPECT_TRUE("vfork: exit status 5", WIFEXITED(status) && WEXITSTATUS(status) == 5);

    /* clone as fork does it, with the tid words (man 2 clone). */
    static pid_t ptid, ctid;
    long r = syscall(SYS_clone, CLONE_PARENT_SETTID_ | CLONE_CHILD_SETTID_ | SIGCHLD, 0, &ptid, &ctid, 0);
    if (r == 0) syscall(SYS_exit_group, ctid == syscall(SYS_gettid) ? 0 : 1);
    CHECK(waitpid(r, &status, 0) == r);
    EXPECT_TRUE("clone: PARENT_SETTID wrote the child's tid", ptid == r);
    EXPECT_TRUE("clone: CHILD_SETTID wrote the tid in the child", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* A child whose exit signal is not SIGCHLD is a "clone" child: only
     * __WALL or __WCLONE wait for it (man 2 wait, NOTES). */
    r = syscall(SYS_clone, 0, 0, NULL, NULL, 0);
    if (r == 0) syscall(SYS_exit_group, 4);
    EXPECT_ERR("wait4 without __WALL for a clone child", wait4(r, &status, 0, NULL), ECHILD);
    EXPECT_TRUE("wait4 __WALL finds it", wait4(r, &status, WALL_, NULL) == r && WEXITSTATUS(status) == 4);
    EXPECT_ERR("clone CLONE_THREAD without CLONE_SIGHAND", syscall(SYS_clone, 0x10000 | SIGCHLD, 0, 0, 0, 0),
               EINVAL);
}

static const char* self_exe(void);

/* A CLONE_VM child is a process of its own in the parent's memory (man 2
 * clone: "the calling process and the child process run in the same memory
 * space"). It runs on a stack of its own, so it makes only raw system calls
 * and plain stores (errno and the TLS are still the parent's). */
static volatile int vm_word;
static volatile pid_t vm_pid_seen;
static char* volatile vm_mapping;
static pid_t vm_clear_tid;

static int clone_vm_child(void* argument) {
    (void)argument;
    vm_pid_seen = (pid_t)syscall(SYS_getpid);
    vm_word = 77;
    char* page = (char*)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED) page[0] = 'x';
    vm_mapping = page;
    return 3;
}

/* A CLONE_VM child reading a page in a loop, on another CPU when there is
 * one: once the parent's munmap returned, its next read must fault (the
 * address space's TLB shootdown reaches the CPUs of both processes). */
static char* volatile tlb_page;
static volatile int tlb_ready, tlb_stop;

static int tlb_reader(void* cpus) {
    if (cpus) syscall(SYS_sched_setaffinity, 0, sizeof(cpu_set_t), cpus);
    while (!tlb_stop) {
        (void)*(volatile char*)tlb_page;
        tlb_ready = 1;
    }
    return 0;
}

static void clone_vm_sees_munmap(char* stack, size_t stack_size) {
    cpu_set_t all, mine, its;
    CHECK(sched_getaffinity(0, sizeof all, &all) == 0);
    int first = -1, second = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE && second < 0; ++cpu) {
        if (!CPU_ISSET(cpu, &all)) continue;
        if (first < 0)
            first = cpu;
        else
            second = cpu;
    }
    if (second >= 0) {
        CPU_ZERO(&mine);
        CPU_SET(first, &mine);
        CPU_ZERO(&its);
        CPU_SET(second, &its);
    }
    /* As many checks on one CPU as on several (Linux 6.1's reference run
     * has one): the output's check count is compared. */
    CHECK(sched_setaffinity(0, sizeof mine, second >= 0 ? &mine : &all) == 0);
    tlb_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(tlb_page != MAP_FAILED);
    tlb_page[0] = 1;
    tlb_ready = tlb_stop = 0;
    pid_t child = clone(tlb_reader, stack + stack_size, CLONE_VM | SIGCHLD, second >= 0 ? &its : NULL);
    CHECK(child > 0);
    while (!tlb_ready) sched_yield();
    CHECK(munmap(tlb_page, 4096) == 0);
    /* It faults at its next read; should it read on (a stale translation),
     * it is told to stop after 10 s and exits 0 instead. */
    int status = 0;
    pid_t done = 0;
    for (int i = 0; i < 1000 && done == 0; ++i) {
        done = waitpid(child, &status, WNOHANG);
        if (done == 0) usleep(10000);
    }
    if (done == 0) {
        tlb_stop = 1;
        done = waitpid(child, &status, 0);
    }
    CHECK(done == child);
    EXPECT_TRUE("clone CLONE_VM: the other process faults once munmap returned",
                WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK(sched_setaffinity(0, sizeof all, &all) == 0);
}

static void shared_memory_children(void) {
    /* vfork then execve: the child's write before the exec is the parent's,
     * the exec gives the child new memory and leaves the parent's whole
     * (its stack too, which the child ran on until then). */
    const char* self = self_exe();
    char* argv[] = {(char*)self, "exec-child", "two", "", NULL};
    char* envp[] = {"UTEST_ENV=x=y", NULL};
    int on_stack = 1234;
    static volatile int before_exec;
    pid_t child = vfork();
    if (child == 0) {
        before_exec = 1;
        execve(self, argv, envp);
        _exit(100);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("vfork+execve: the child's exec status", WIFEXITED(status) && WEXITSTATUS(status) == 21);
    EXPECT_TRUE("vfork+execve: the write before exec is the parent's", before_exec == 1);
    EXPECT_TRUE("vfork+execve: the parent's stack intact", on_stack == 1234);

    /* clone(CLONE_VM) without CLONE_VFORK: both run at once in one memory;
     * the child's stores and its new mapping are the parent's, its pid its
     * own, and its exit clears the CLONE_CHILD_CLEARTID word because the
     * parent still uses the memory (Linux's mm_release). */
    size_t stack_size = 64 * 1024;
    char* stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(stack != MAP_FAILED);
    vm_clear_tid = -1;
    child = clone(clone_vm_child, stack + stack_size, CLONE_VM | CLONE_CHILD_CLEARTID_ | SIGCHLD, NULL, NULL, NULL,
                  &vm_clear_tid);
    CHECK(child > 0);
    status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("clone CLONE_VM: exit status 3", WIFEXITED(status) && WEXITSTATUS(status) == 3);
    EXPECT_TRUE("clone CLONE_VM: child wrote the parent's memory", vm_word == 77);
    EXPECT_TRUE("clone CLONE_VM: child's getpid is its own", vm_pid_seen == child && child != getpid());
    EXPECT_TRUE("clone CLONE_VM: child's mmap is in the parent",
                vm_mapping != MAP_FAILED && vm_mapping && vm_mapping[0] == 'x');
    EXPECT_TRUE("clone CLONE_VM: CHILD_CLEARTID word zeroed at exit", vm_clear_tid == 0);
    if (vm_mapping && vm_mapping != MAP_FAILED) munmap(vm_mapping, 4096);
    clone_vm_sees_munmap(stack, stack_size);
    munmap(stack, stack_size);

    /* posix_spawn: glibc and musl make the child with CLONE_VM|CLONE_VFORK
     * on a stack of their own; glibc hands a failed exec's errno back
     * through the shared memory, musl through a pipe. */
    pid_t spawned = 0;
    int r = posix_spawn(&spawned, self, NULL, NULL, argv, envp);
    EXPECT_TRUE("posix_spawn: started", r == 0 && spawned > 0);
    status = 0;
    CHECK(r != 0 || waitpid(spawned, &status, 0) == spawned);
    EXPECT_TRUE("posix_spawn: the program's exit status", WIFEXITED(status) && WEXITSTATUS(status) == 21);
    r = posix_spawn(&spawned, "/nonexistent/program", NULL, NULL, argv, envp);
    say("posix_spawn of a missing file: %s", errno_name(r));
    CHECK(r == ENOENT);
}

static const char* self_exe(void) {
    static char path[512];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    CHECK(n > 0);
    path[n > 0 ? n : 0] = 0;
    return path;
}

static int exec_mode(int argc, char** argv) {
    /* Re-executed by execs() below: report what the kernel passed in. */
    if (argc >= 2 && strcmp(argv[1], "exec-child") == 0) {
        const char* env = getenv("UTEST_ENV");
        int ok = argc == 4 && strcmp(argv[2], "two") == 0 && strcmp(argv[3], "") == 0 && env &&
                 strcmp(env, "x=y") == 0;
        _exit(ok ? 21 : 1);
    }
    if (argc >= 3 && strcmp(argv[1], "script-arg") == 0) {
        /* As the interpreter of a #! script: argv = interpreter, its
         * optional argument, the script's path, then the script's argv[1..]. */
        int ok = argc == 4 && strstr(argv[2], "/script") && strcmp(argv[3], "extra") == 0;
        /* /proc/self/exe is the interpreter that was loaded, never the
         * script (busybox re-executes /proc/self/exe for its applets). */
        char exe[512];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = 0;
        int exe_ok = n > 0 && strstr(exe, "/script") == NULL;
        _exit(ok ? (exe_ok ? 22 : 23) : 1);
    }
    return -1;
}

static void execs(void) {
    const char* self = self_exe();
    char* argv[] = {(char*)self, "exec-child", "two", "", NULL};
    char* envp[] = {"UTEST_ENV=x=y", NULL};
    pid_t child = fork();
    if (child == 0) {
        execve("/proc/self/exe", argv, envp);
        _exit(100);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("execve /proc/self/exe with argv and envp", WIFEXITED(status) && WEXITSTATUS(status) == 21);

    char script[512];
    snprintf(script, sizeof script, "%s/script", scratch_dir());
    int fd = open(script, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    CHECK(fd >= 0);
    char text[600];
    int len = snprintf(text, sizeof text, "#!%s script-arg\nnot reached\n", self);
    CHECK(write(fd, text, len) == len);
    close(fd);
    child = fork();
    if (child == 0) {
        char* sargv[] = {"script", "extra", NULL};
        execve(script, sargv, envp);
        _exit(100);
    }
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("execve of a #! script runs its interpreter, its /proc/self/exe the interpreter",
                WIFEXITED(status) && WEXITSTATUS(status) == 22);

    char junk[512];
    snprintf(junk, sizeof junk, "%s/junk", scratch_dir());
    fd = open(junk, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    CHECK(fd >= 0 && write(fd, "\177ELF\2\1\1garbage", 15) == 15);
    close(fd);
    char noexec[512];
    snprintf(noexec, sizeof noexec, "%s/noexec", scratch_dir());
    fd = open(noexec, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    close(fd);

    EXPECT_ERR("execve truncated ELF", execve(junk, argv, envp), ENOEXEC);
    EXPECT_ERR("execve file without x bit", execve(noexec, argv, envp), EACCES);
    EXPECT_ERR("execve directory", execve(scratch_dir(), argv, envp), EACCES);
    EXPECT_ERR("execve missing file", execve("/nonexistent/prog", argv, envp), ENOENT);
    EXPECT_ERR("execve path=NULL", syscall(SYS_execve, NULL, argv, envp), EFAULT);
    EXPECT_ERR("execve path=kernel", syscall(SYS_execve, KERNEL_PTR, argv, envp), EFAULT);
    EXPECT_ERR("execve argv=kernel", syscall(SYS_execve, self, KERNEL_PTR, envp), EFAULT);
    char* bad_argv[] = {(char*)self, KERNEL_PTR, NULL};
    EXPECT_ERR("execve argv[1]=kernel", syscall(SYS_execve, self, bad_argv, envp), EFAULT);
    EXPECT_ERR("execve envp=unmapped", syscall(SYS_execve, self, argv, unmapped_ptr()), EFAULT);
}

static void in_new_session(void) {
    pid_t me = getpid();
    EXPECT_TRUE("setsid returns the pid", setsid() == me);
    EXPECT_TRUE("getsid(0)==pid", getsid(0) == me);
    EXPECT_TRUE("getpgid(0)==pid", getpgid(0) == me);
    EXPECT_TRUE("getpgrp()==pid", getpgrp() == me);
    EXPECT_ERR("setsid as group leader", setsid(), EPERM);
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    EXPECT_OK("setpgid(child, child)", setpgid(child, child));
    EXPECT_TRUE("getpgid(child)==child", getpgid(child) == child);
    EXPECT_OK("setpgid(child, own group)", setpgid(child, me));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

static void groups_and_sessions(void) {
    EXPECT_TRUE("getpgid(0)==getpgrp()", getpgid(0) == getpgrp());
    /* 0 is a valid answer: a session whose leader lives outside our PID
       namespace (a container, as in CI) reads as session 0. */
    EXPECT_TRUE("getsid(0)>=0", getsid(0) >= 0);
    EXPECT_ERR("getpgid(no such pid)", getpgid(0x3ffffff0), ESRCH);
    EXPECT_ERR("getsid(no such pid)", getsid(0x3ffffff0), ESRCH);
    EXPECT_ERR("setpgid(-1)", setpgid(0, -1), EINVAL);
    EXPECT_ERR("setpgid(no such pid)", setpgid(0x3ffffff0, 0), ESRCH);
    int status = in_child(in_new_session);
    CHECK(status == 0);
}

static void as_other_user(void) {
    EXPECT_OK("setresgid(1234,1234,1234)", setresgid(1234, 1234, 1234));
    EXPECT_OK("setresuid(1234,1234,1234)", setresuid(1234, 1234, 1234));
    uid_t r, e, s;
    CHECK(getresuid(&r, &e, &s) == 0);
    EXPECT_TRUE("getresuid after setresuid", r == 1234 && e == 1234 && s == 1234);
    EXPECT_TRUE("getuid/geteuid/getgid", getuid() == 1234 && geteuid() == 1234 && getgid() == 1234);
    EXPECT_ERR("setuid(0) unprivileged", setuid(0), EPERM);
    EXPECT_ERR("setgid(0) unprivileged", setgid(0), EPERM);
    EXPECT_ERR("setresuid(-1,0,-1) unprivileged", setresuid(-1, 0, -1), EPERM);
    EXPECT_ERR("setresgid(0,-1,-1) unprivileged", setresgid(0, -1, -1), EPERM);
    EXPECT_ERR("setreuid(0,-1) unprivileged", setreuid(0, -1), EPERM);
    EXPECT_ERR("setregid(-1,0) unprivileged", setregid(-1, 0), EPERM);
    EXPECT_OK("setuid(own id) unprivileged", setuid(1234));
    EXPECT_OK("setreuid(-1, own id)", setreuid(-1, 1234));
    EXPECT_OK("setresgid(-1, own id, -1)", setresgid(-1, 1234, -1));
    CHECK(getresuid(&r, &e, &s) == 0);
    EXPECT_TRUE("ids unchanged by the refusals", r == 1234 && e == 1234 && s == 1234);
}

/* Root moves its effective id away and back through the saved one. */
static void saved_id_round_trip(void) {
    EXPECT_OK("setresuid(-1,1234,0)", setresuid(-1, 1234, 0));
    EXPECT_TRUE("geteuid 1234", geteuid() == 1234);
    EXPECT_ERR("setresuid(-1,-1,4321) with euid 1234", setresuid(-1, -1, 4321), EPERM);
    EXPECT_OK("seteuid(0) back through the saved id", setresuid(-1, 0, -1));
    EXPECT_TRUE("geteuid 0 again", geteuid() == 0);
    EXPECT_OK("setreuid(-1,1234): effective id away from the real one", setreuid(-1, 1234));
    uid_t r, e, s;
    CHECK(getresuid(&r, &e, &s) == 0);
    EXPECT_TRUE("setreuid moved the saved id with it", r == 0 && e == 1234 && s == 1234);
    EXPECT_OK("the real id 0 lets the effective id back", setresuid(-1, 0, -1));
    EXPECT_TRUE("geteuid 0 once more", geteuid() == 0);
}

/* The line of /proc/self/status starting with `prefix` (its text after
 * the prefix, newline cut), or "(none)". */
static const char* status_line(const char* prefix) {
    static char buf[8192], line[256];
    int fd = open("/proc/self/status", O_RDONLY);
    long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    if (n <= 0) return "(none)";
    buf[n] = 0;
    size_t len = strlen(prefix);
    for (char* p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, prefix, len) != 0) continue;
        char* end = strchr(p, '\n');
        size_t size = end ? (size_t)(end - p - len) : strlen(p + len);
        if (size >= sizeof line) size = sizeof line - 1;
        memcpy(line, p + len, size);
        line[size] = 0;
        for (char* c = line; *c; c++)
            if (*c == '\t') *c = '|'; /* tabs visible */
        return line;
    }
    return "(none)";
}

/* Supplementary groups (man 2 getgroups, setgroups) as root, then without
 * CAP_SETGID. */
static void supplementary_groups(void) {
    EXPECT_OK("setgroups(0, NULL)", setgroups(0, NULL));
    EXPECT_TRUE("getgroups(0, NULL) with none: 0", getgroups(0, NULL) == 0);
    say("status Groups: with none: [%s]", status_line("Groups:\t"));
    gid_t set[3] = {30, 10, 20}, got[8] = {0};
    EXPECT_OK("setgroups(3, {30, 10, 20})", setgroups(3, set));
    EXPECT_TRUE("getgroups(0, NULL): the count, 3", getgroups(0, NULL) == 3);
    EXPECT_ERR("getgroups(2, list): shorter than the groups", syscall(SYS_getgroups, 2, got), EINVAL);
    EXPECT_ERR("getgroups(-1, list)", syscall(SYS_getgroups, -1, got), EINVAL);
    EXPECT_ERR("getgroups(3, kernel pointer)", syscall(SYS_getgroups, 3, KERNEL_PTR), EFAULT);
    long n = syscall(SYS_getgroups, 8, got);
    say("getgroups(8, list): %ld: %u %u %u", n, got[0], got[1], got[2]);
    say("status Groups: [%s]", status_line("Groups:\t"));
    EXPECT_ERR("setgroups(2, kernel pointer)", syscall(SYS_setgroups, 2, KERNEL_PTR), EFAULT);
    EXPECT_ERR("setgroups(65537, list): past NGROUPS_MAX", syscall(SYS_setgroups, 65537, got), EINVAL);
    EXPECT_ERR("setgroups(-1, list)", syscall(SYS_setgroups, -1, got), EINVAL);
    gid_t invalid = (gid_t)-1;
    EXPECT_ERR("setgroups(1, {-1})", syscall(SYS_setgroups, 1, &invalid), EINVAL);
    EXPECT_TRUE("the failed calls left the 3 groups", getgroups(0, NULL) == 3);
    pid_t child = fork();
    if (child == 0) {
        gid_t mine[8] = {0};
        _exit(getgroups(8, mine) == 3 && mine[0] == 10 && mine[2] == 30 ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    EXPECT_TRUE("a forked child has the same groups", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    gid_t dup[4] = {7, 7, 5, 9};
    EXPECT_OK("setgroups with a duplicate", setgroups(4, dup));
    n = syscall(SYS_getgroups, 8, got);
    say("getgroups after it: %ld: %u %u %u %u", n, got[0], got[1], got[2], got[3]);
    /* Permission checks use the supplementary groups (in_group_p): a
     * group-readable file of group 7 opens for a member, one of group 8
     * does not. */
    char mine[600], theirs[600];
    snprintf(mine, sizeof mine, "%s/group-7", scratch_dir());
    snprintf(theirs, sizeof theirs, "%s/group-8", scratch_dir());
    int fd = open(mine, O_CREAT | O_WRONLY, 0640);
    CHECK(fd >= 0 && fchown(fd, 0, 7) == 0 && fchmod(fd, 0640) == 0);
    close(fd);
    fd = open(theirs, O_CREAT | O_WRONLY, 0640);
    CHECK(fd >= 0 && fchown(fd, 0, 8) == 0 && fchmod(fd, 0640) == 0);
    close(fd);
    chmod(scratch_dir(), 0711); /* others may pass through */
    EXPECT_OK("setresuid(1234,1234,1234)", setresuid(1234, 1234, 1234));
    EXPECT_ERR("setgroups without CAP_SETGID", setgroups(0, NULL), EPERM);
    EXPECT_TRUE("getgroups still works: 4", getgroups(0, NULL) == 4);
    fd = open(mine, O_RDONLY);
    EXPECT_TRUE("open of a 0640 file of a supplementary group for reading", fd >= 0);
    if (fd >= 0) close(fd);
    EXPECT_ERR("open of it for writing", open(mine, O_WRONLY), EACCES);
    EXPECT_ERR("open of a 0640 file of another group", open(theirs, O_RDONLY), EACCES);
}

/* setfsuid/setfsgid (man 2): the previous fs id; -1 only asks; the fs id
 * follows the effective one through setresuid; files are made with it. */
static void fs_ids(void) {
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/for-fsuid", scratch_dir());
    mkdir(dir, 0777);
    chmod(dir, 0777);           /* whatever the umask */
    chmod(scratch_dir(), 0711); /* others may pass through, not read */
    EXPECT_TRUE("setfsuid(-1) as root: the fs uid, 0", setfsuid(-1) == 0);
    EXPECT_TRUE("setfsuid(1234): the old fs uid, 0", setfsuid(1234) == 0);
    EXPECT_TRUE("setfsuid(-1): now 1234", setfsuid(-1) == 1234);
    EXPECT_TRUE("setfsgid(4321): the old fs gid, 0", setfsgid(4321) == 0);
    EXPECT_TRUE("setfsgid(-1): now 4321", setfsgid(-1) == 4321);
    say("status Uid: [%s]", status_line("Uid:\t"));
    say("status Gid: [%s]", status_line("Gid:\t"));
    EXPECT_TRUE("the real and effective ids did not move", getuid() == 0 && geteuid() == 0 && getgid() == 0);
    snprintf(path, sizeof path, "%s/made", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    struct stat st;
    EXPECT_TRUE("a file made with fs ids 1234/4321 is theirs",
                fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 1234 && st.st_gid == 4321);
    if (fd >= 0) close(fd);
    EXPECT_ERR("fs uid 1234: a root-only directory is closed", open(scratch_dir(), O_RDONLY | O_DIRECTORY), EACCES);
    setfsuid(0);
    setfsgid(0);
    unlink(path);
    rmdir(dir);
    chmod(scratch_dir(), 0700);
    EXPECT_OK("setresgid(-1,555,-1)", setresgid(-1, 555, -1));
    EXPECT_TRUE("the fs gid followed the effective gid", setfsgid(-1) == 555);
    EXPECT_OK("setresuid(-1,1234,0)", setresuid(-1, 1234, 0));
    EXPECT_TRUE("the fs uid followed the effective uid", setfsuid(-1) == 1234);
    /* Without CAP_SETUID: only one of the real, effective, saved, fs ids. */
    EXPECT_TRUE("setfsuid(0) with euid 1234 and saved 0: taken", setfsuid(0) == 1234 && setfsuid(-1) == 0);
    EXPECT_OK("setresuid(1234,1234,1234)", setresuid(1234, 1234, 1234));
    EXPECT_TRUE("setresuid set the fs uid to the effective 1234", setfsuid(-1) == 1234);
    EXPECT_TRUE("setfsuid(0) unprivileged: refused, the old 1234", setfsuid(0) == 1234 && setfsuid(-1) == 1234);
    EXPECT_TRUE("setfsgid(777) unprivileged: refused", setfsgid(777) == 555 && setfsgid(-1) == 555);
    EXPECT_TRUE("setfsgid(the real gid 0) unprivileged: taken", setfsgid(0) == 555 && setfsgid(-1) == 0);
}

static void credentials(void) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    EXPECT_OK("getresuid", getresuid(&r, &e, &s));
    EXPECT_OK("getresgid", getresgid(&gr, &ge, &gs));
    EXPECT_TRUE("getuid==ruid geteuid==euid", getuid() == r && geteuid() == e);
    EXPECT_TRUE("getgid==rgid getegid==egid", getgid() == gr && getegid() == ge);
    EXPECT_ERR("getresuid(kernel pointer)", syscall(SYS_getresuid, KERNEL_PTR, &e, &s), EFAULT);
    EXPECT_ERR("getresgid(unmapped)", syscall(SYS_getresgid, &gr, unmapped_ptr(), &gs), EFAULT);
    /* The project's kernel runs everything as root, as the host test does. */
    say("running as root: %s", geteuid() == 0 ? "yes" : "no");
    if (geteuid() == 0) {
        CHECK(in_child(as_other_user) == 0);
        CHECK(in_child(saved_id_round_trip) == 0);
        CHECK(in_child(supplementary_groups) == 0);
        CHECK(in_child(fs_ids) == 0);
    }
}

static void umask_and_limits(void) {
    mode_t old = umask(022);
    umask(0777);
    EXPECT_TRUE("umask returns the previous mask", umask(07777) == 0777);
    EXPECT_TRUE("umask keeps only the permission bits", umask(old) == 0777);

    struct rlimit lim;
    EXPECT_OK("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &lim));
    EXPECT_TRUE("rlim_cur<=rlim_max", lim.rlim_cur <= lim.rlim_max);
    EXPECT_ERR("getrlimit bad resource", syscall(SYS_getrlimit, 99, &lim), EINVAL);
    EXPECT_ERR("getrlimit kernel pointer", syscall(SYS_getrlimit, RLIMIT_NOFILE, KERNEL_PTR), EFAULT);
    struct rlimit inverted = {lim.rlim_max > 0 ? 2 : 1, 1};
    EXPECT_ERR("setrlimit cur>max", setrlimit(RLIMIT_NOFILE, &inverted), EINVAL);
    EXPECT_ERR("prlimit64 bad resource", syscall(SYS_prlimit64, 0, 99, NULL, &lim), EINVAL);
    EXPECT_ERR("prlimit64 no such pid", syscall(SYS_prlimit64, 0x3ffffff0, RLIMIT_NOFILE, NULL, &lim), ESRCH);
    struct rlimit stack;
    EXPECT_OK("prlimit64 STACK", syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &stack));
    EXPECT_TRUE("stack limit>=128KiB", stack.rlim_cur >= 128 * 1024);

    /* RLIMIT_NOFILE is enforced: the first descriptor refused is the limit. */
    pid_t child = fork();
    if (child == 0) {
        struct rlimit ten = {10, lim.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &ten) != 0) _exit(1);
        int last = -1, fd;
        while ((fd = open("/dev/null", O_RDONLY)) >= 0) last = fd;
        _exit(errno == EMFILE && last == 9 ? 0 : 2);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("RLIMIT_NOFILE=10: fd 9 is the last, then EMFILE", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    struct rusage usage;
    EXPECT_OK("getrusage SELF", getrusage(RUSAGE_SELF, &usage));
    EXPECT_OK("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &usage));
    EXPECT_ERR("getrusage bad who", syscall(SYS_getrusage, 5, &usage), EINVAL);
    EXPECT_ERR("getrusage kernel pointer", syscall(SYS_getrusage, RUSAGE_SELF, KERNEL_PTR), EFAULT);
}

static void system_info(void) {
    struct utsname u;
    EXPECT_OK("uname", uname(&u));
    say("uname: sysname=%s machine=%s", u.sysname, u.machine);
    CHECK(strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "x86_64") == 0);
    EXPECT_TRUE("uname: release non-empty", u.release[0] != 0);
    EXPECT_ERR("uname(kernel pointer)", syscall(SYS_uname, KERNEL_PTR), EFAULT);
    EXPECT_ERR("uname(NULL)", syscall(SYS_uname, NULL), EFAULT);

    struct sysinfo si;
    EXPECT_OK("sysinfo", sysinfo(&si));
    EXPECT_TRUE("sysinfo: 0<freeram<=totalram", si.freeram > 0 && si.freeram <= si.totalram);
    EXPECT_TRUE("sysinfo: mem_unit>=1 procs>=1", si.mem_unit >= 1 && si.procs >= 1);
    EXPECT_ERR("sysinfo(unmapped)", syscall(SYS_sysinfo, unmapped_ptr()), EFAULT);

    char name[32] = {0};
    EXPECT_OK("prctl SET_NAME", prctl(PR_SET_NAME, "a-name-longer-than-15", 0, 0, 0));
    EXPECT_OK("prctl GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0));
    say("prctl name: %s", name); /* truncated to TASK_COMM_LEN-1 = 15 */
    CHECK(strcmp(name, "a-name-longer-t") == 0);
    EXPECT_ERR("prctl SET_NAME kernel pointer", syscall(SYS_prctl, PR_SET_NAME, KERNEL_PTR, 0, 0, 0), EFAULT);
    EXPECT_ERR("prctl bad option", syscall(SYS_prctl, 0x7fff1234, 0, 0, 0, 0), EINVAL);

    EXPECT_TRUE("personality(0xffffffff) is PER_LINUX", personality(0xffffffff) == PER_LINUX);
    EXPECT_TRUE("personality(PER_LINUX) returns the old one", personality(PER_LINUX) == PER_LINUX);
}

static void cpus_and_random(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    EXPECT_TRUE("sched_getaffinity returns a multiple of 8 bytes", bytes > 0 && bytes % 8 == 0);
    int count = CPU_COUNT(&set);
    EXPECT_TRUE("affinity: at least one CPU", count >= 1);
    EXPECT_TRUE("affinity count == online CPUs", count == sysconf(_SC_NPROCESSORS_ONLN));
    EXPECT_ERR("sched_getaffinity size 3", syscall(SYS_sched_getaffinity, 0, 3, &set), EINVAL);
    EXPECT_ERR("sched_getaffinity kernel pointer", syscall(SYS_sched_getaffinity, 0, sizeof set, KERNEL_PTR),
               EFAULT);
    EXPECT_ERR("sched_getaffinity no such pid", syscall(SYS_sched_getaffinity, 0x3ffffff0, sizeof set, &set),
               ESRCH);
    cpu_set_t none;
    CPU_ZERO(&none);
    EXPECT_ERR("sched_setaffinity empty set", sched_setaffinity(0, sizeof none, &none), EINVAL);

    unsigned cpu = 99, node = 99;
    EXPECT_OK("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    EXPECT_TRUE("getcpu: the CPU is in the affinity set", CPU_ISSET(cpu, &set));
    EXPECT_TRUE("getcpu: node 0", node == 0);
    EXPECT_ERR("getcpu kernel pointer", syscall(SYS_getcpu, KERNEL_PTR, NULL, NULL), EFAULT);

    /* Pinned to the last allowed CPU, getcpu must report it. */
    int last = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set)) last = i;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    EXPECT_OK("sched_setaffinity one CPU", sched_setaffinity(0, sizeof one, &one));
    sched_yield();
    CHECK(syscall(SYS_getcpu, &cpu, NULL, NULL) == 0);
    EXPECT_TRUE("getcpu after pinning is that CPU", (int)cpu == last);
    /* The C library's sched_getcpu: the vDSO's getcpu (or rseq's cpu_id
     * where glibc registered rseq), without a system call. */
    EXPECT_TRUE("sched_getcpu after pinning is that CPU", sched_getcpu() == last);
    cpu_set_t now;
    CPU_ZERO(&now);
    CHECK(sched_getaffinity(0, sizeof now, &now) == 0);
    EXPECT_TRUE("sched_getaffinity after pinning: that CPU alone", CPU_COUNT(&now) == 1 && CPU_ISSET(last, &now));
    CPU_ZERO(&now);
    CHECK(sched_getaffinity(getpid(), sizeof now, &now) == 0);
    EXPECT_TRUE("sched_getaffinity(getpid()) is the caller's", CPU_COUNT(&now) == 1 && CPU_ISSET(last, &now));

    /* A forked child inherits the mask and runs there; its parent reads the
     * child's mask through its pid after the child narrowed it itself. */
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) {
        cpu_set_t mine;
        CPU_ZERO(&mine);
        int ok = sched_getaffinity(0, sizeof mine, &mine) == 0 && CPU_COUNT(&mine) == 1 && CPU_ISSET(last, &mine);
        unsigned where = 99;
        ok = ok && syscall(SYS_getcpu, &where, NULL, NULL) == 0 && (int)where == last;
        char byte = ok ? 'y' : 'n';
        if (write(ready[1], &byte, 1) != 1) _exit(2);
        pause();
        _exit(0);
    }
    char byte = 0;
    CHECK(read(ready[0], &byte, 1) == 1);
    EXPECT_TRUE("a forked child inherits the mask and runs on it", byte == 'y');
    CPU_ZERO(&now);
    CHECK(sched_getaffinity(child, sizeof now, &now) == 0);
    EXPECT_TRUE("the child's mask read through its pid", CPU_COUNT(&now) == 1 && CPU_ISSET(last, &now));
    EXPECT_OK("sched_setaffinity of the child to every CPU", sched_setaffinity(child, sizeof set, &set));
    CPU_ZERO(&now);
    CHECK(sched_getaffinity(child, sizeof now, &now) == 0);
    EXPECT_TRUE("the child's mask changed by its parent", CPU_EQUAL(&now, &set));
    kill(child, SIGKILL);
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    close(ready[0]);
    close(ready[1]);
    EXPECT_ERR("sched_setaffinity of a reaped child", sched_setaffinity(child, sizeof set, &set), ESRCH);
    EXPECT_ERR("sched_setaffinity no such pid", sched_setaffinity(0x3ffffff0, sizeof set, &set), ESRCH);
    EXPECT_ERR("sched_setaffinity kernel pointer", syscall(SYS_sched_setaffinity, 0, sizeof set, KERNEL_PTR),
               EFAULT);
    EXPECT_ERR("sched_setaffinity kernel pointer before ESRCH",
               syscall(SYS_sched_setaffinity, 0x3ffffff0, sizeof set, KERNEL_PTR), EFAULT);
    /* Only a CPU far past any machine's last: no online CPU in the mask. */
    static unsigned long far[1024 / (8 * sizeof(unsigned long))];
    memset(far, 0, sizeof far);
    far[sizeof far / sizeof far[0] - 1] = 1UL << 63;
    EXPECT_ERR("sched_setaffinity only CPU 1023", syscall(SYS_sched_setaffinity, 0, sizeof far, far), EINVAL);
    CHECK(sched_getaffinity(0, sizeof now, &now) == 0);
    EXPECT_TRUE("a refused mask leaves the old one", CPU_COUNT(&now) == 1 && CPU_ISSET(last, &now));
    CHECK(sched_setaffinity(0, sizeof set, &set) == 0);

    unsigned char a[16] = {0}, b[16] = {0};
    EXPECT_TRUE("getrandom 16 bytes", syscall(SYS_getrandom, a, sizeof a, 0) == 16);
    EXPECT_TRUE("getrandom NONBLOCK 16 bytes", syscall(SYS_getrandom, b, sizeof b, GRND_NONBLOCK) == 16);
    EXPECT_TRUE("two random blocks differ", memcmp(a, b, sizeof a) != 0);
    EXPECT_TRUE("getrandom 0 bytes returns 0", syscall(SYS_getrandom, a, 0, 0) == 0);
    EXPECT_ERR("getrandom bad flags", syscall(SYS_getrandom, a, sizeof a, 0x100), EINVAL);
    EXPECT_ERR("getrandom NULL", syscall(SYS_getrandom, NULL, 16, 0), EFAULT);
    EXPECT_ERR("getrandom kernel pointer", syscall(SYS_getrandom, KERNEL_PTR, 16, 0), EFAULT);
}

int main(int argc, char** argv) {
    if (exec_mode(argc, argv) >= 0) return 0;
    ids();
    fork_and_wait();
    waitid_calls();
    execs();
    groups_and_sessions();
    credentials();
    umask_and_limits();
    system_info();
    cpus_and_random();
    vfork_and_clone();
    shared_memory_children();
    return finish("process");
}
