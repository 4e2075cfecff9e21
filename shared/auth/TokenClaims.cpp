#include "auth/TokenClaims.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <limits>
#include <sstream>

namespace resound::auth {
namespace {

AuthFailure badClaims(std::string message) { return {401, "bad_claims", std::move(message)}; }

// A NumericDate (RFC 7519: seconds, possibly fractional); nullopt for anything else.
std::optional<std::int64_t> numericDate(const Poco::Dynamic::Var& value) {
    if (value.isBoolean()) return std::nullopt;  // Poco counts booleans as integers
    try {
        if (value.isInteger()) return value.convert<Poco::Int64>();
        if (value.isNumeric()) {
            const double seconds = value.convert<double>();
            if (!std::isfinite(seconds) || std::fabs(seconds) > 1e15) return std::nullopt;
            return static_cast<std::int64_t>(std::floor(seconds));
        }
    } catch (const Poco::Exception&) {
    }
    return std::nullopt;
}

std::optional<std::string> stringOrInteger(const Poco::Dynamic::Var& value) {
    if (value.isString()) return value.convert<std::string>();
    if (value.isInteger() && !value.isBoolean()) return value.convert<std::string>();
    return std::nullopt;
}

}  // namespace

std::vector<std::string> appCandidates(const Poco::JSON::Object& claims) {
    std::vector<std::string> apps;
    if (claims.has("app")) {
        if (auto app = stringOrInteger(claims.get("app"))) apps.push_back(*app);
    }
    if (claims.has("aud")) {
        const Poco::Dynamic::Var aud = claims.get("aud");
        if (auto single = stringOrInteger(aud)) {
            apps.push_back(*single);
        } else if (Poco::JSON::Array::Ptr list = claims.getArray("aud")) {
            for (std::size_t i = 0; i < list->size() && i < 16; ++i) {
                if (auto entry = stringOrInteger(list->get(static_cast<unsigned>(i)))) apps.push_back(*entry);
            }
        }
    }
    return apps;
}

std::variant<TokenClaims, AuthFailure> readClaims(const Poco::JSON::Object& claims, std::int64_t nowSeconds,
                                                  int leewaySeconds) {
    TokenClaims result;
    if (!claims.has("exp")) return badClaims("token has no exp claim (an expiry is required)");
    const auto exp = numericDate(claims.get("exp"));
    if (!exp) return badClaims("exp must be a number of seconds since the epoch");
    if (*exp + leewaySeconds <= nowSeconds) return AuthFailure{401, "token_expired", "token has expired"};
    result.expiresAt = *exp;
    for (const char* name : {"nbf", "iat"}) {
        if (!claims.has(name)) continue;
        const auto when = numericDate(claims.get(name));
        if (!when) return badClaims(std::string(name) + " must be a number of seconds since the epoch");
        if (*when - leewaySeconds > nowSeconds) {
            return AuthFailure{401, "token_not_yet_valid",
                               std::string("token is not valid yet (") + name + " is in the future)"};
        }
    }

    if (!claims.has("sub")) return badClaims("token has no sub claim (the user id)");
    const auto subject = stringOrInteger(claims.get("sub"));
    if (!subject || subject->empty()) return badClaims("sub must be a non-empty string or integer");
    result.subject = *subject;

    if (claims.has("user_info") && !claims.get("user_info").isEmpty()) {
        const Poco::JSON::Object::Ptr info = claims.getObject("user_info");
        if (!info) return badClaims("user_info must be a JSON object");
        std::ostringstream text;
        Poco::JSON::Stringifier::condense(info, text);
        result.userInfoJson = text.str();
    }

    if (claims.has("channels")) {
        const Poco::JSON::Array::Ptr channels = claims.getArray("channels");
        if (!channels) return badClaims("channels must be an array of channel-name patterns");
        for (std::size_t i = 0; i < channels->size(); ++i) {
            const Poco::Dynamic::Var entry = channels->get(static_cast<unsigned>(i));
            if (!entry.isString()) return badClaims("channels must contain only strings");
            result.channelPatterns.push_back(entry.convert<std::string>());
        }
    }
    return result;
}

}  // namespace resound::auth
