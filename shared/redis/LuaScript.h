#pragma once
// A Lua script with its SHA1, computed locally so EVALSHA needs no round trip to learn it.
// Immutable after construction: share freely between threads.
#include <string>

namespace resound::redis {

class LuaScript {
  public:
    explicit LuaScript(std::string source);
    const std::string& source() const { return source_; }
    const std::string& sha1() const { return sha1_; }  // lower-case hex, as SCRIPT LOAD returns it

  private:
    std::string source_;
    std::string sha1_;
};

}  // namespace resound::redis
