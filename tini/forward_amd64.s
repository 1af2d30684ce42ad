#include "textflag.h"

// handler(sig DI, info SI, ctx DX) is run by the kernel, on the signal
// stack the runtime set up for the thread, with every signal blocked (the
// sa_mask). It runs no Go code: NOSPLIT and NOFRAME keep the assembler
// from adding a stack check that would read g. It may clobber registers:
// rt_sigreturn puts the interrupted thread's back.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	CMPQ	DI, $64
	JHI	done
	// A fault the kernel raised (si_code > 0) goes to the runtime.
	LEAQ	·chain(SB), AX
	MOVQ	(AX)(DI*8), AX
	TESTQ	AX, AX
	JZ	send
	MOVL	8(SI), CX // siginfo.si_code
	CMPL	CX, $0
	JLE	send
	JMP	AX // same arguments, same return address: as if called first
send:
	LEAQ	·target(SB), AX
	MOVL	(AX)(DI*4), AX
	TESTL	AX, AX
	JZ	done // dropped (--rewrite S:0, SIGPIPE)
	// Mark it pending first, then look for a pid: see aim.
	LEAQ	-1(DI), CX
	MOVQ	$1, AX
	SHLQ	CX, AX
	LOCK
	ORQ	AX, ·pending(SB)
	MOVQ	·fwdPid(SB), R8
	TESTQ	R8, R8
	JZ	done // no program yet, or no more: held
	XORQ	R9, R9
	XCHGQ	R9, ·pending(SB) // take every pending signal
next:
	TESTQ	R9, R9
	JZ	done
	BSFQ	R9, CX
	BTRQ	CX, R9
	LEAQ	·target(SB), AX
	MOVL	4(AX)(CX*4), SI // target[bit+1]
	TESTL	SI, SI
	JZ	next
	MOVQ	R8, DI
	MOVQ	$62, AX // SYS_kill; SYSCALL clobbers CX and R11 only
	SYSCALL
	JMP	next
done:
	RET

TEXT ·restorer(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$15, AX // SYS_rt_sigreturn
	SYSCALL
	INT	$3 // not reached

// The ABI0 entry points, not the Go wrappers around them.
TEXT ·handlerPC(SB),NOSPLIT,$0-8
	LEAQ	·handler(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

TEXT ·restorerPC(SB),NOSPLIT,$0-8
	LEAQ	·restorer(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
