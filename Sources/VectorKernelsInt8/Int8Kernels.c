#include "VectorKernelsInt8.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

int32_t lakehouse_dot_u8i8_scalar(const uint8_t *codes, const int8_t *query, intptr_t n) {
    int32_t sum = 0;
    for (intptr_t i = 0; i < n; i++) sum += (int32_t)codes[i] * (int32_t)query[i];
    return sum;
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
int32_t lakehouse_dot_u8i8_avx2(const uint8_t *codes, const int8_t *query, intptr_t n) {
    __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
    intptr_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i c0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(codes + i)));
        __m256i q0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(query + i)));
        __m256i c1 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(codes + i + 16)));
        __m256i q1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(query + i + 16)));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(c0, q0));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(c1, q1));
    }
    for (; i + 16 <= n; i += 16) {
        __m256i c0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(codes + i)));
        __m256i q0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(query + i)));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(c0, q0));
    }
    __m256i acc = _mm256_add_epi32(acc0, acc1);
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    int32_t sum = _mm_cvtsi128_si32(s);
    for (; i < n; i++) sum += (int32_t)codes[i] * (int32_t)query[i];
    return sum;
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
int32_t lakehouse_dot_u8i8_avx512vnni(const uint8_t *codes, const int8_t *query, intptr_t n) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
    intptr_t i = 0;
    for (; i + 128 <= n; i += 128) {
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(codes + i), _mm512_loadu_si512(query + i));
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(codes + i + 64), _mm512_loadu_si512(query + i + 64));
    }
    if (i + 64 <= n) {
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(codes + i), _mm512_loadu_si512(query + i));
        i += 64;
    }
    if (i < n) {
        // The last 1...63 bytes through a masked load: masked-off bytes read as zero and never fault.
        __mmask64 m = ((__mmask64)1 << (n - i)) - 1;
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_maskz_loadu_epi8(m, codes + i), _mm512_maskz_loadu_epi8(m, query + i));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}
#else
int32_t lakehouse_dot_u8i8_avx2(const uint8_t *codes, const int8_t *query, intptr_t n) {
    return lakehouse_dot_u8i8_scalar(codes, query, n);
}
int32_t lakehouse_dot_u8i8_avx512vnni(const uint8_t *codes, const int8_t *query, intptr_t n) {
    return lakehouse_dot_u8i8_scalar(codes, query, n);
}
#endif
