#include "api/RequestSignature.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "crypto/ConstantTime.h"
#include "crypto/Digest.h"

namespace resound::api {
namespace {

constexpr std::string_view kAuthSignature = "auth_signature";

bool hasUpper(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string toLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

const std::string* findParam(const http::QueryParams& params, std::string_view key) {
    for (const auto& [name, value] : params) {
        if (name == key) return &value;
    }
    return nullptr;
}

void appendStringToSign(std::string& out, std::string_view method, std::string_view path,
                        const http::QueryParams& params) {
    struct Item {
        std::string_view key;
        std::string_view value;
    };
    // Keys are lower-case in practice; only copy when one is not.
    std::vector<std::string> lowered;
    if (std::any_of(params.begin(), params.end(), [](const auto& p) { return hasUpper(p.first); })) {
        lowered.reserve(params.size());
    }
    std::vector<Item> items;
    items.reserve(params.size());
    std::size_t length = method.size() + path.size() + 2;
    for (const auto& [key, value] : params) {
        std::string_view lowerKey = key;
        if (lowered.capacity() > 0 && hasUpper(key)) lowerKey = lowered.emplace_back(toLower(key));
        if (lowerKey == kAuthSignature) continue;
        items.push_back({lowerKey, value});
        length += lowerKey.size() + value.size() + 2;
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.key < b.key; });

    out.reserve(out.size() + length);
    out.append(method).append(1, '\n').append(path).append(1, '\n');
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out.push_back('&');
        out.append(items[i].key).append(1, '=').append(items[i].value);
    }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

SignatureCheck rejected(std::string reason) { return SignatureCheck{false, std::move(reason)}; }

}  // namespace

std::string requestStringToSign(std::string_view method, std::string_view path,
                                const http::QueryParams& params) {
    std::string out;
    appendStringToSign(out, method, path, params);
    return out;
}

SignatureCheck verifyRequestSignature(std::string_view method, std::string_view path,
                                      const http::QueryParams& params, std::string_view body,
                                      const config::AppConfig& app, std::int64_t nowUnixSeconds,
                                      int windowSeconds) {
    const std::string* key = findParam(params, "auth_key");
    const std::string* signature = findParam(params, kAuthSignature);
    const std::string* version = findParam(params, "auth_version");
    const std::string* timestamp = findParam(params, "auth_timestamp");
    const std::string* bodyMd5 = findParam(params, "body_md5");
    const std::pair<const std::string*, const char*> required[] = {{key, "auth_key"},
                                                                   {timestamp, "auth_timestamp"},
                                                                   {version, "auth_version"},
                                                                   {signature, "auth_signature"}};
    for (const auto& [value, name] : required) {
        if (value == nullptr) {
            return rejected(
                std::string("Missing ") + name +
                ": sign the request (auth_key, auth_timestamp, auth_version, auth_signature) as the "
                "Pusher server SDKs do");
        }
    }
    if (!crypto::constantTimeEquals(*key, app.key)) {
        return rejected("auth_key is not the key of app " + app.id + ": check the app id, key and secret");
    }
    if (*version != "1.0") return rejected("Unsupported auth_version: use 1.0");

    std::int64_t sentAt = 0;
    const auto [end, ec] = std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), sentAt);
    if (ec != std::errc{} || end != timestamp->data() + timestamp->size() || timestamp->empty()) {
        return rejected("auth_timestamp must be the current time in unix seconds");
    }
    if (windowSeconds > 0) {
        const auto now = static_cast<std::uint64_t>(nowUnixSeconds);
        const auto sent = static_cast<std::uint64_t>(sentAt);
        const std::uint64_t skew = sentAt > nowUnixSeconds ? sent - now : now - sent;
        if (skew > static_cast<std::uint64_t>(windowSeconds)) {
            return rejected("auth_timestamp is " + std::to_string(skew) +
                            " s away from the server clock (allowed: " + std::to_string(windowSeconds) +
                            " s): sync the sender's clock and sign each request anew");
        }
    }

    if (!body.empty() && bodyMd5 == nullptr) {
        return rejected("body_md5 is required for a request with a body");
    }
    if (bodyMd5 != nullptr) {
        const crypto::Md5Digest digest = crypto::md5(body);
        std::string actual;
        crypto::appendHex(actual, digest.data(), digest.size());
        if (!equalsIgnoreCase(*bodyMd5, actual)) {
            return rejected("body_md5 does not match the body: sign the exact bytes you send");
        }
    }

    std::string toSign;
    appendStringToSign(toSign, method, path, params);
    const crypto::Sha256Digest mac = crypto::hmacSha256(app.secret, toSign);
    char expected[64];
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < mac.size(); ++i) {
        expected[2 * i] = kHex[mac[i] >> 4];
        expected[2 * i + 1] = kHex[mac[i] & 0x0F];
    }
    if (!crypto::constantTimeEquals(*signature, std::string_view(expected, sizeof expected))) {
        return rejected("Invalid auth_signature: check the app secret, and that the signed path is /apps/" +
                        app.id + "/... without any proxy prefix");
    }
    return SignatureCheck{true, {}};
}

std::string signRequest(std::string_view method, std::string_view path, const http::QueryParams& params,
                        std::string_view body, std::string_view key, std::string_view secret,
                        std::int64_t timestamp) {
    http::QueryParams all = params;
    all.emplace_back("auth_key", std::string(key));
    all.emplace_back("auth_timestamp", std::to_string(timestamp));
    all.emplace_back("auth_version", "1.0");
    if (!body.empty()) all.emplace_back("body_md5", crypto::md5Hex(body));
    const std::string signature = crypto::hmacSha256Hex(secret, requestStringToSign(method, path, all));
    all.emplace_back(std::string(kAuthSignature), signature);

    std::string query;
    for (const auto& [name, value] : all) {
        if (!query.empty()) query.push_back('&');
        http::appendPercentEncoded(query, name);
        query.push_back('=');
        http::appendPercentEncoded(query, value);
    }
    return query;
}

}  // namespace resound::api
