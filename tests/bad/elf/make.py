#!/usr/bin/env python3
# tests/bad/elf/make.py - writes the malformed ELF files that tests/bad/exec-*.vms exec.
# Run from this folder; the files are committed, so the tests do not need Python.
import os, struct

def ehdr(e_type=3, machine=62, phoff=64, phnum=1, cls=2, entry=0x1000, data=1, phentsize=56):
    ident = b'\x7fELF' + bytes([cls, data, 1, 0]) + bytes(8)
    return ident + struct.pack('<HHIQQQIHHHHHH', e_type, machine, 1, entry, phoff, 0, 0, 64,
                               phentsize, phnum, 64, 0, 0)

def phdr(p_type, flags, offset, vaddr, filesz, memsz, align=0x1000):
    return struct.pack('<IIQQQQQQ', p_type, flags, offset, vaddr, vaddr, filesz, memsz, align)

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4

def write(name, data, mode=0o755):
    with open(name, 'wb') as f:
        f.write(data)
    os.chmod(name, mode)

def pad(b, n):
    return b + bytes(n - len(b))

write('not-elf', b'this is not a program\n')
write('not-executable', b'\x7fELF, but no execute bit\n', 0o644)
write('script', b'#!/bin/sh\necho hello\n')
write('truncated', ehdr()[:40])
write('class32', pad(b'\x7fELF' + bytes([1, 1, 1, 0]) + bytes(8) + struct.pack('<HHI', 2, 3, 1), 0x100))
write('machine', pad(ehdr(machine=183) + phdr(PT_LOAD, 5, 0, 0, 0x100, 0x100), 0x100))
write('no-phdrs', ehdr(phnum=0))
write('phdrs-past-eof', ehdr(phnum=4) + phdr(PT_LOAD, 5, 0, 0, 0x100, 0x100))
write('filesz-over-memsz', pad(ehdr() + phdr(PT_LOAD, 5, 0, 0, 0x2000, 0x1000), 0x100))
write('misaligned', pad(ehdr(e_type=2) + phdr(PT_LOAD, 5, 0x10, 0x401000, 0x100, 0x100), 0x200))
write('no-load', pad(ehdr(e_type=2) + phdr(PT_NOTE, 4, 0x78, 0x400078, 0, 0), 0x100))
write('etype', pad(ehdr(e_type=1) + phdr(PT_LOAD, 5, 0, 0, 0x100, 0x100), 0x100))
write('phentsize', pad(ehdr(phentsize=32) + phdr(PT_LOAD, 5, 0, 0, 0x100, 0x100), 0x100))
write('bigendian', pad(ehdr(data=2) + phdr(PT_LOAD, 5, 0, 0, 0x100, 0x100), 0x100))
write('low-address', pad(ehdr(e_type=2) + phdr(PT_LOAD, 5, 0, 0x1000, 0x100, 0x100), 0x100))
write('load-high', pad(ehdr(e_type=2) + phdr(PT_LOAD, 5, 0, 0x7ffffffff000, 0x100, 0x2000), 0x100))
write('interp-past-eof', pad(ehdr(phnum=2) + phdr(PT_LOAD, 4, 0, 0, 0x100, 0x100)
                             + phdr(PT_INTERP, 4, 0x1000, 0x1000, 16, 16, 1), 0x100))
# a shared object with a loadable segment but no dynamic section, needed by lib-no-dynamic
write('no-dynamic.so', pad(ehdr() + phdr(PT_LOAD, 4, 0, 0, 0x100, 0x100), 0x100), 0o644)

def dynamic_program(interp, needed, strsz=None):
    # a PIE: one PT_LOAD over the whole file; PT_INTERP, PT_DYNAMIC with DT_NEEDED names
    strtab = b'\x00' + b''.join(n.encode() + b'\x00' for n in needed)
    interp_b = interp.encode() + b'\x00'
    head = 64 + 3 * 56
    interp_off = head
    str_off = interp_off + len(interp_b)
    dyn_off = (str_off + len(strtab) + 7) & ~7
    dyn = b''
    pos = 1
    for n in needed:
        dyn += struct.pack('<qQ', 1, pos)             # DT_NEEDED
        pos += len(n) + 1
    dyn += struct.pack('<qQ', 5, str_off)             # DT_STRTAB (vaddr = offset)
    dyn += struct.pack('<qQ', 10, strsz if strsz is not None else len(strtab))  # DT_STRSZ
    dyn += struct.pack('<qQ', 0, 0)                   # DT_NULL
    size = dyn_off + len(dyn)
    out = ehdr(phnum=3)
    out += phdr(PT_LOAD, 4, 0, 0, size, size)
    out += phdr(PT_INTERP, 4, interp_off, interp_off, len(interp_b), len(interp_b), 1)
    out += phdr(PT_DYNAMIC, 6, dyn_off, dyn_off, len(dyn), len(dyn), 8)
    out += interp_b + strtab
    return pad(out, dyn_off) + dyn

write('interp-missing', dynamic_program('/nonexistent/ld-vmlab.so.2', []))
write('interp-not-elf', dynamic_program('tests/bad/elf/not-elf', []))
prog = bytearray(dynamic_program('/lib64/ld-linux-x86-64.so.2', []))
interp_at = bytes(prog).index(b'/lib64/ld-linux-x86-64.so.2') + len('/lib64/ld-linux-x86-64.so.2')
prog[interp_at] = ord('X')                            # the NUL of PT_INTERP overwritten
write('interp-unterminated', bytes(prog))
write('lib-missing', dynamic_program('/lib64/ld-linux-x86-64.so.2', ['libvmlab-missing.so.1']))
write('lib-not-elf', dynamic_program('/lib64/ld-linux-x86-64.so.2', ['tests/bad/elf/not-elf']))
write('lib-no-dynamic', dynamic_program('/lib64/ld-linux-x86-64.so.2', ['tests/bad/elf/no-dynamic.so']))
write('bad-strtab', dynamic_program('/lib64/ld-linux-x86-64.so.2', ['libc.so.6'], strsz=4))

# Seeds for tests/fuzz/fuzz_elf.c: every file above, and two small valid programs (a static
# ET_EXEC with text, data and bss; a PIE that needs libc.so.6 through the system's ld.so).
corpus = os.path.join('..', '..', 'fuzz', 'corpus', 'elf')
os.makedirs(corpus, exist_ok=True)
static = ehdr(e_type=2, phnum=2, entry=0x401000)
static += phdr(PT_LOAD, 5, 0, 0x400000, 0x1100, 0x1100)
static += phdr(PT_LOAD, 6, 0x1100, 0x402100, 0x100, 0x3000)
write('ok-static', pad(static, 0x1200))
write('ok-dynamic', dynamic_program('/lib64/ld-linux-x86-64.so.2', ['libc.so.6']))
for name in sorted(os.listdir('.')):
    if name != 'make.py' and os.path.isfile(name):
        with open(name, 'rb') as f:
            data = f.read()
        if name.startswith('ok-'):
            os.remove(name) # valid programs are seeds only, not bad input
        with open(os.path.join(corpus, name), 'wb') as f:
            f.write(data)
