/* Copies between kernel and user memory that never fault the kernel
 * (kernel/arch/x86_64/uaccess.hpp). Every instruction that touches user
 * memory has an entry in the exception table (section __ex_table: its
 * address, then where to continue): a page fault or #GP there that the
 * memory manager cannot resolve resumes at the fix-up, which returns what
 * was not done. The callers have checked that the user range lies below
 * the top of user space, so a fault here is an unmapped page or one
 * without the rights, never a kernel address.
 *
 * With SMAP on (CR4.SMAP, Intel SDM Vol. 3A §4.6.1), supervisor accesses
 * to user pages fault unless RFLAGS.AC is set: STAC before, CLAC after, and
 * on the fix-up path too. CPUs without SMAP do not know those instructions
 * (#UD), so they run only when arch_smap_active is set.
 *
 * 8 bytes a move while 8 or more are left (QEMU's TCG counts a REP MOVSB
 * as one instruction a byte, a REP MOVSQ one per word); after a fault in
 * the words the bytes find the exact byte that faults. */

    .macro EX_ENTRY instruction, fixup
    .pushsection __ex_table, "a"
    .balign 8
    .quad \instruction, \fixup
    .popsection
    .endm

    .macro STAC_IF_SMAP
    testb $1, arch_smap_active(%rip)
    jz .Lno_stac\@
    stac
.Lno_stac\@:
    .endm

    .macro CLAC_IF_SMAP
    testb $1, arch_smap_active(%rip)
    jz .Lno_clac\@
    clac
.Lno_clac\@:
    .endm

    .section .text, "ax"

/* size_t arch_copy_user(void* dst, const void* src, size_t n): one routine
 * for both directions; returns the bytes not copied (0: all). REP MOVSQ
 * for the words (one counted instruction per 8 bytes under TCG), REP MOVSB
 * for the tail. A string instruction that faults has RCX, RSI and RDI
 * where it stopped (SDM Vol. 2B, REP: "the instruction can be restarted"),
 * so a resolved fault simply re-runs it, and after one that is not, the
 * bytes left are RCX * 8 + the tail, and REP MOVSB from there copies up to
 * the exact byte that faults. */
    .globl arch_copy_user
    .type arch_copy_user, @function
arch_copy_user:
    STAC_IF_SMAP
    movq %rdx, %rcx
    shrq $3, %rcx
    andl $7, %edx
.Lcopy_words:
    rep movsq
    movl %edx, %ecx
.Lcopy_bytes:
    rep movsb
.Lcopy_done:
    CLAC_IF_SMAP
    movq %rcx, %rax
    ret
.Lcopy_words_fault:
    leaq (%rdx,%rcx,8), %rcx
    jmp .Lcopy_bytes
    EX_ENTRY .Lcopy_words, .Lcopy_words_fault
    EX_ENTRY .Lcopy_bytes, .Lcopy_done
    .size arch_copy_user, . - arch_copy_user

/* int64_t arch_strncpy_from_user(char* dst, const char* src, size_t n):
 * the string's length when its NUL came within n bytes (the NUL copied
 * too), n when it did not, -1 on a fault. */
    .globl arch_strncpy_from_user
    .type arch_strncpy_from_user, @function
arch_strncpy_from_user:
    STAC_IF_SMAP
    xorl %eax, %eax
.Lstr_next:
    cmpq %rdx, %rax
    je .Lstr_done
.Lstr_load:
    movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    testb %cl, %cl
    jz .Lstr_done
    incq %rax
    jmp .Lstr_next
.Lstr_done:
    CLAC_IF_SMAP
    ret
.Lstr_fault:
    CLAC_IF_SMAP
    movq $-1, %rax
    ret
    EX_ENTRY .Lstr_load, .Lstr_fault
    .size arch_strncpy_from_user, . - arch_strncpy_from_user

/* size_t arch_clear_user(void* dst, size_t n): the bytes not zeroed. */
    .globl arch_clear_user
    .type arch_clear_user, @function
arch_clear_user:
    STAC_IF_SMAP
    movq %rsi, %rcx
    xorl %eax, %eax
    cmpq $8, %rcx
    jb .Lclear_bytes
.Lclear_words:
.Lclear_store_word:
    movq %rax, (%rdi)
    addq $8, %rdi
    subq $8, %rcx
    cmpq $8, %rcx
    jae .Lclear_words
.Lclear_bytes:
    testq %rcx, %rcx
    jz .Lclear_done
.Lclear_store_byte:
    movb %al, (%rdi)
    incq %rdi
    decq %rcx
    jnz .Lclear_bytes
.Lclear_done:
    CLAC_IF_SMAP
    movq %rcx, %rax
    ret
    EX_ENTRY .Lclear_store_word, .Lclear_bytes
    EX_ENTRY .Lclear_store_byte, .Lclear_done
    .size arch_clear_user, . - arch_clear_user

/* bool arch_load_user_u32(const uint32_t* src, uint32_t* out),
 * bool arch_store_user_u32(uint32_t* dst, uint32_t value), and the 64-bit
 * pair: one aligned access each (atomic for a word another thread reads,
 * as the tid words of clone and futexes are); false on a fault. */
    .globl arch_load_user_u32
    .type arch_load_user_u32, @function
arch_load_user_u32:
    STAC_IF_SMAP
.Lload32:
    movl (%rdi), %ecx
    movl %ecx, (%rsi)
    movl $1, %eax
    jmp .Lword_done
    .size arch_load_user_u32, . - arch_load_user_u32

    .globl arch_load_user_u64
    .type arch_load_user_u64, @function
arch_load_user_u64:
    STAC_IF_SMAP
.Lload64:
    movq (%rdi), %rcx
    movq %rcx, (%rsi)
    movl $1, %eax
    jmp .Lword_done
    .size arch_load_user_u64, . - arch_load_user_u64

    .globl arch_store_user_u32
    .type arch_store_user_u32, @function
arch_store_user_u32:
    STAC_IF_SMAP
.Lstore32:
    movl %esi, (%rdi)
    movl $1, %eax
    jmp .Lword_done
    .size arch_store_user_u32, . - arch_store_user_u32

    .globl arch_store_user_u64
    .type arch_store_user_u64, @function
arch_store_user_u64:
    STAC_IF_SMAP
.Lstore64:
    movq %rsi, (%rdi)
    movl $1, %eax
.Lword_done:
    CLAC_IF_SMAP
    ret
.Lword_fault:
    xorl %eax, %eax
    jmp .Lword_done
    EX_ENTRY .Lload32, .Lword_fault
    EX_ENTRY .Lload64, .Lword_fault
    EX_ENTRY .Lstore32, .Lword_fault
    EX_ENTRY .Lstore64, .Lword_fault
    .size arch_store_user_u64, . - arch_store_user_u64

/* bool arch_cmpxchg_user_u32(uint32_t* word, uint32_t expected,
 * uint32_t desired, uint32_t* actual): LOCK CMPXCHG on a user word (Intel
 * SDM Vol. 2A, CMPXCHG), for futexes (FUTEX_WAKE_OP, robust lists);
 * *actual gets the old value (the store happened when it equals
 * `expected`). False on a fault. */
    .globl arch_cmpxchg_user_u32
    .type arch_cmpxchg_user_u32, @function
arch_cmpxchg_user_u32:
    STAC_IF_SMAP
    movl %esi, %eax
.Lcmpxchg32:
    lock cmpxchgl %edx, (%rdi)
    movl %eax, (%rcx)
    movl $1, %eax
.Lcmpxchg32_done:
    CLAC_IF_SMAP
    ret
.Lcmpxchg32_fault:
    xorl %eax, %eax
    jmp .Lcmpxchg32_done
    EX_ENTRY .Lcmpxchg32, .Lcmpxchg32_fault
    .size arch_cmpxchg_user_u32, . - arch_cmpxchg_user_u32
