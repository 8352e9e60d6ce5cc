#pragma once
// <immintrin.h> for the x86 kernel files. GCC 12's AVX-512 intrinsics start from
// _mm512_undefined_*(), which -Wuninitialized flags, so those warnings are off for the rest of
// the including file.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#endif
