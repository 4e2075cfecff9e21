#include "auth/Jwt.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include "crypto/Base64.h"
#include "crypto/ConstantTime.h"
#include "crypto/Digest.h"

namespace resound::auth {
namespace {

AuthFailure malformed(std::string message) { return {401, "malformed_token", std::move(message)}; }

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        const Poco::Dynamic::Var value = parser.parse(text);
        if (value.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
        return value.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return nullptr;
    }
}

}  // namespace

std::string base64UrlEncode(std::string_view bytes) {
    std::string text = crypto::base64Encode(bytes);
    while (!text.empty() && text.back() == '=') text.pop_back();
    for (char& c : text) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return text;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string standard(text);
    for (char& c : standard) {
        if (c == '+' || c == '/' || c == '=') return std::nullopt;  // not the URL alphabet
        if (c == '-') c = '+';
        else if (c == '_') c = '/';
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    return crypto::base64Decode(standard);
}

std::variant<DecodedJwt, AuthFailure> decodeJwt(std::string_view token) {
    if (token.empty()) return malformed("empty token");
    if (token.size() > kMaxTokenBytes) return malformed("token longer than 8192 bytes");
    const std::size_t firstDot = token.find('.');
    const std::size_t secondDot =
        firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
    if (secondDot == std::string_view::npos)
        return malformed("not a JWT (expected header.payload.signature)");
    if (token.find('.', secondDot + 1) != std::string_view::npos) {
        return malformed("not a signed JWT (encrypted tokens are not supported)");
    }

    const auto headerText = base64UrlDecode(token.substr(0, firstDot));
    const auto claimsText = base64UrlDecode(token.substr(firstDot + 1, secondDot - firstDot - 1));
    const auto signature = base64UrlDecode(token.substr(secondDot + 1));
    if (!headerText || !claimsText || !signature) return malformed("token parts are not base64url");

    const Poco::JSON::Object::Ptr header = parseObject(*headerText);
    if (!header) return malformed("token header is not a JSON object");
    // Only HS256: "none" and public-key algorithms never reach a key (the classic alg-confusion hole).
    if (!header->has("alg") || !header->get("alg").isString() ||
        header->getValue<std::string>("alg") != "HS256") {
        return AuthFailure{401, "unsupported_algorithm", "token algorithm must be HS256"};
    }
    if (header->has("crit"))
        return AuthFailure{401, "unsupported_algorithm", "token uses critical extensions"};

    DecodedJwt jwt;
    jwt.claims = parseObject(*claimsText);
    if (!jwt.claims) return malformed("token claims are not a JSON object");
    if (signature->size() != crypto::Sha256Digest{}.size())
        return malformed("token signature has the wrong size");
    jwt.signingInput = std::string(token.substr(0, secondDot));
    jwt.signature = *signature;
    return jwt;
}

bool hasValidHs256Signature(const DecodedJwt& jwt, std::string_view secret) {
    const crypto::Sha256Digest expected = crypto::hmacSha256(secret, jwt.signingInput);
    return crypto::constantTimeEquals(
        std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()), jwt.signature);
}

std::string signHs256(std::string_view headerJson, std::string_view claimsJson, std::string_view secret) {
    std::string token = base64UrlEncode(headerJson) + "." + base64UrlEncode(claimsJson);
    const crypto::Sha256Digest mac = crypto::hmacSha256(secret, token);
    token += "." + base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    return token;
}

}  // namespace resound::auth
