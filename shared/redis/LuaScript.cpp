#include "redis/LuaScript.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "crypto/Digest.h"

namespace resound::redis {

LuaScript::LuaScript(std::string source) : source_(std::move(source)) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(source_.data(), source_.size(), digest, &length, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("SHA1 of a Lua script failed");
    sha1_ = crypto::toHex(digest, length);
}

const char* toString(ScriptStatus status) {
    switch (status) {
        case ScriptStatus::Ok:
            return "ok";
        case ScriptStatus::NoAnswer:
            return "no answer";
        case ScriptStatus::LeaseLost:
            return "lease lost";
        case ScriptStatus::TooLate:
            return "past its fence";
        case ScriptStatus::RedisError:
            return "redis error";
        case ScriptStatus::UnexpectedReply:
            return "unexpected reply";
    }
    return "?";
}

}  // namespace resound::redis
