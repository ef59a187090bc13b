/* ProcessPrng for Wine 8, which lacks bcryptprimitives.dll.
 *
 * Rust's standard library (1.78 and later) fills its random numbers with ProcessPrng
 * from bcryptprimitives.dll, which Windows 10 and 11 have and Wine 8.0 does not: without
 * it no Rust program starts under Wine. This stand-in DLL exports the one function,
 * answering from BCryptGenRandom (which Wine has). It is built by scripts/wine into the
 * test Wine prefix only; nothing of it is shipped.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
