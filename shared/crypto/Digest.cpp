#include "crypto/Digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace resound::crypto {
namespace {

// OpenSSL must never see a null pointer for an empty input: EVP_MAC_init treats a null key as
// "keep the previous key", which on a reused context would silently sign with someone else's secret.
const unsigned char* bytesOf(std::string_view s) {
    static const unsigned char kEmpty = 0;
    return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("OpenSSL: ") + what); }

// One HMAC-SHA256 context per thread, re-keyed on every call (EVP_MAC_init with a key resets it).
class HmacContext {
  public:
    HmacContext() {
        mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (mac_ == nullptr) fail("HMAC not available");
        ctx_ = EVP_MAC_CTX_new(mac_);
        if (ctx_ == nullptr) fail("EVP_MAC_CTX_new");
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (EVP_MAC_CTX_set_params(ctx_, params) != 1) fail("HMAC digest SHA256");
    }
    ~HmacContext() {
        EVP_MAC_CTX_free(ctx_);
        EVP_MAC_free(mac_);
    }
    HmacContext(const HmacContext&) = delete;
    HmacContext& operator=(const HmacContext&) = delete;

    Sha256Digest compute(std::string_view key, std::string_view data) {
        Sha256Digest out{};
        std::size_t written = 0;
        if (EVP_MAC_init(ctx_, bytesOf(key), key.size(), nullptr) != 1 ||
            EVP_MAC_update(ctx_, bytesOf(data), data.size()) != 1 ||
            EVP_MAC_final(ctx_, out.data(), &written, out.size()) != 1 || written != out.size()) {
            fail("HMAC-SHA256");
        }
        return out;
    }

  private:
    EVP_MAC* mac_ = nullptr;
    EVP_MAC_CTX* ctx_ = nullptr;
};

// One message-digest context per thread and algorithm.
class DigestContext {
  public:
    explicit DigestContext(const char* algorithm) {
        md_ = EVP_MD_fetch(nullptr, algorithm, nullptr);
        if (md_ == nullptr) fail(algorithm);
        ctx_ = EVP_MD_CTX_new();
        if (ctx_ == nullptr) fail("EVP_MD_CTX_new");
    }
    ~DigestContext() {
        EVP_MD_CTX_free(ctx_);
        EVP_MD_free(md_);
    }
    DigestContext(const DigestContext&) = delete;
    DigestContext& operator=(const DigestContext&) = delete;

    template <std::size_t N>
    std::array<std::uint8_t, N> compute(std::string_view data) {
        std::array<std::uint8_t, N> out{};
        unsigned int written = 0;
        if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
            EVP_DigestUpdate(ctx_, bytesOf(data), data.size()) != 1 ||
            EVP_DigestFinal_ex(ctx_, out.data(), &written) != 1 || written != N) {
            fail("digest");
        }
        return out;
    }

  private:
    EVP_MD* md_ = nullptr;
    EVP_MD_CTX* ctx_ = nullptr;
};

HmacContext& hmacContext() {
    thread_local HmacContext context;
    return context;
}

}  // namespace

void appendHex(std::string& out, const std::uint8_t* bytes, std::size_t length) {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::size_t start = out.size();
    out.resize(start + 2 * length);
    char* dst = out.data() + start;
    for (std::size_t i = 0; i < length; ++i) {
        dst[2 * i] = kHex[bytes[i] >> 4];
        dst[2 * i + 1] = kHex[bytes[i] & 0x0F];
    }
}

std::string toHex(const std::uint8_t* bytes, std::size_t length) {
    std::string out;
    appendHex(out, bytes, length);
    return out;
}

Sha256Digest hmacSha256(std::string_view key, std::string_view data) {
    return hmacContext().compute(key, data);
}

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
    const Sha256Digest mac = hmacSha256(key, data);
    return toHex(mac.data(), mac.size());
}

Md5Digest md5(std::string_view data) {
    thread_local DigestContext context("MD5");
    return context.compute<16>(data);
}

std::string md5Hex(std::string_view data) {
    const Md5Digest digest = md5(data);
    return toHex(digest.data(), digest.size());
}

std::string sha256(std::string_view data) {
    thread_local DigestContext context("SHA256");
    const Sha256Digest digest = context.compute<32>(data);
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace resound::crypto
