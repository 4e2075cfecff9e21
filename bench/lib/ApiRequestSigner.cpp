#include "ApiRequestSigner.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

namespace resound::bench {
namespace {

std::string toHex(const unsigned char* bytes, unsigned length) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(length * 2, '0');
    for (unsigned i = 0; i < length; ++i) {
        out[2 * i] = kHex[bytes[i] >> 4];
        out[2 * i + 1] = kHex[bytes[i] & 0xF];
    }
    return out;
}

bool isUnreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

void appendEscaped(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (isUnreserved(byte)) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xF]);
        }
    }
}

}  // namespace

std::string md5Hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
    return toHex(digest, length);
}

std::string hmacSha256Hex(std::string_view secret, std::string_view message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    return toHex(digest, length);
}

std::string canonicalQuery(QueryParams params) {
    for (auto& [key, value] : params) {
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [key, value] : params) {
        if (key == "auth_signature") continue;
        if (!out.empty()) out.push_back('&');
        out += key;
        out.push_back('=');
        out += value;
    }
    return out;
}

std::string stringToSign(std::string_view method, std::string_view path, std::string_view canonical) {
    std::string out;
    out.reserve(method.size() + path.size() + canonical.size() + 2);
    for (char c : method) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    out.push_back('\n');
    out += path;
    out.push_back('\n');
    out += canonical;
    return out;
}

std::string signedQueryString(std::string_view method, std::string_view path, std::string_view key,
                              std::string_view secret, std::int64_t unixSeconds, std::string_view body,
                              const QueryParams& extra) {
    QueryParams params = extra;
    params.emplace_back("auth_key", std::string(key));
    params.emplace_back("auth_timestamp", std::to_string(unixSeconds));
    params.emplace_back("auth_version", "1.0");
    if (!body.empty()) params.emplace_back("body_md5", md5Hex(body));
    const std::string signature = hmacSha256Hex(secret, stringToSign(method, path, canonicalQuery(params)));

    std::string out;
    for (const auto& [name, value] : params) {
        if (!out.empty()) out.push_back('&');
        appendEscaped(out, name);
        out.push_back('=');
        appendEscaped(out, value);
    }
    out += "&auth_signature=";
    out += signature;
    return out;
}

}  // namespace resound::bench
