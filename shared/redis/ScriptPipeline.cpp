#include "redis/ScriptPipeline.h"

namespace resound::redis {

bool ScriptPipeline::execute(CommandClient& redis) {
    std::vector<RespValue> replies;
    const bool answered = redis.execute(pipeline_, replies) && replies.size() == handlers_.size();
    auto handlers = std::move(handlers_);
    handlers_.clear();
    pipeline_ = Pipeline{};
    for (std::size_t i = 0; i < handlers.size(); ++i) {
        handlers[i](answered ? std::optional<RespValue>(std::move(replies[i])) : std::nullopt);
    }
    return answered;
}

}  // namespace resound::redis
