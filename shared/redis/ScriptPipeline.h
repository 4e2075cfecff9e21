#pragma once
// Typed script calls (ClusterScripts.h) on the blocking CommandClient: one at a time (runScript), or many
// in one round trip (ScriptPipeline), where each reply goes to its own call's parse and then to the
// callback added with it, so no caller matches replies to calls by position. One thread per
// ScriptPipeline; runScript() is as thread-safe as the CommandClient.
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "redis/ClusterScripts.h"
#include "redis/CommandClient.h"

namespace resound::redis {

template <typename Call>
ScriptResult<typename Call::Answer> runScript(CommandClient& redis, const Call& call) {
    return scripts::parseReply<Call>(redis.eval(call.encode()));
}

class ScriptPipeline {
  public:
    // `onResult(ScriptResult<Call::Answer>)` runs during execute(), in the order of add().
    template <typename Call, typename OnResult>
    void add(const Call& call, OnResult onResult) {
        pipeline_.eval(call.encode());
        handlers_.push_back([onResult = std::move(onResult)](const std::optional<RespValue>& reply) mutable {
            onResult(scripts::parseReply<Call>(reply));
        });
    }
    std::size_t size() const { return handlers_.size(); }
    bool empty() const { return handlers_.empty(); }

    // Sends every call in one round trip and hands out the results (NoAnswer to each when the round
    // trip failed; false then). The pipeline is empty afterwards, ready for the next batch.
    bool execute(CommandClient& redis);

  private:
    Pipeline pipeline_;
    std::vector<std::function<void(const std::optional<RespValue>&)>> handlers_;
};

}  // namespace resound::redis
