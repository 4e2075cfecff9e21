#pragma once
// A Lua script with its SHA1, computed locally so EVALSHA needs no round trip to learn it, and the
// shapes every typed script call (ClusterScripts.h) shares: the call as sent (ScriptCall) and its
// parsed result (ScriptResult). Immutable after construction: share freely between threads.
#include <string>
#include <utility>
#include <vector>

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

// One call of a script, encoded: what CommandClient::eval, Pipeline::eval and LoopLink::eval send.
struct ScriptCall {
    const LuaScript* script = nullptr;
    std::vector<std::string> keys;  // KEYS[1..]
    std::vector<std::string> args;  // ARGV[1..]
};

// Why a script call has (or has no) usable answer. Everything but Ok leaves the caller to answer from
// what it knows locally.
enum class ScriptStatus {
    Ok,
    NoAnswer,         // Redis was unreachable or did not answer within the caller's timeout
    LeaseLost,        // a mutation found this node missing from resound:nodes (-1) and changed nothing
    TooLate,          // a mutation ran after its fence (-3) and changed nothing
    RedisError,       // an error reply (error: Redis's message)
    UnexpectedReply,  // a reply of a shape the script never returns (error: what arrived)
};
const char* toString(ScriptStatus status);

// The status and, unless Ok, a description fit for a log line.
struct ScriptOutcome {
    ScriptStatus status = ScriptStatus::NoAnswer;
    std::string error;
    bool ok() const { return status == ScriptStatus::Ok; }
};

// A script call's parsed reply: the named answer when ok().
template <typename Answer>
struct ScriptResult : ScriptOutcome {
    Answer answer{};

    static ScriptResult success(Answer answer) {
        ScriptResult result;
        result.status = ScriptStatus::Ok;
        result.answer = std::move(answer);
        return result;
    }
    static ScriptResult failure(ScriptStatus status, std::string error) {
        ScriptResult result;
        result.status = status;
        result.error = std::move(error);
        return result;
    }
};

}  // namespace resound::redis
