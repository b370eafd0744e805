// OpenSSL's libcrypto: SHA-256, HMAC and the CSPRNG, as Debian's libssl-dev installs it.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/opensslv.h>
