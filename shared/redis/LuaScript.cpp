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

}  // namespace resound::redis
