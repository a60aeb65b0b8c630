// vectord's integer distance kernels for int8 indexes: Σ codeᵢ·queryᵢ over unsigned 8-bit codes and a
// signed 8-bit quantised query, accumulated exactly in 32 bits. One function per instruction set; the
// Swift dispatcher (VectorService/KernelDispatch.swift) calls only those the CPU has. C because Swift
// has no way to ask for AVX-512 VNNI's vpdpbusd; every variant returns exactly the scalar sum (no
// saturation anywhere: |sum| ≤ 4096 · 255 · 127 < 2³¹ for the largest index).
#ifndef LAKEHOUSE_VECTOR_KERNELS_INT8_H
#define LAKEHOUSE_VECTOR_KERNELS_INT8_H
#include <stdint.h>

/// Portable reference (any CPU).
int32_t lakehouse_dot_u8i8_scalar(const uint8_t *codes, const int8_t *query, intptr_t n);

/// AVX2: bytes widened to 16 bits, vpmaddwd pairs into 32-bit lanes. Call only when the CPU has AVX2
/// (elsewhere than x86-64 it is the scalar one).
int32_t lakehouse_dot_u8i8_avx2(const uint8_t *codes, const int8_t *query, intptr_t n);

/// AVX-512 VNNI: vpdpbusd, 64 byte products per instruction. Call only with avx512f/bw + avx512_vnni.
int32_t lakehouse_dot_u8i8_avx512vnni(const uint8_t *codes, const int8_t *query, intptr_t n);

/// Hints the cache line at `p` into every cache level (no fault, no architectural effect).
static inline void lakehouse_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
#endif
