#include "redis/Reaper.h"

#include <spdlog/spdlog.h>

#include "redis/ScriptPipeline.h"

namespace resound::redis {

Reaper::Reaper(std::shared_ptr<CommandClient> redis, TransitionAnnouncer& announcer, ReaperOptions options)
    : redis_(std::move(redis)), announcer_(announcer), options_(options) {
    if (options_.runThread) thread_ = std::thread([this] { run(); });
}

Reaper::~Reaper() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

ReapResult Reaper::reapExpired() {
    ReapResult total;
    total.ok = true;
    // Bounded: each script claims at most nodesPerScript nodes; stop when a pass claims fewer.
    for (int round = 0; round < 64; ++round) {
        ReapResult part = reap({});
        if (!part.ok) {
            total.ok = false;
            break;
        }
        const bool more = part.nodes.size() >= options_.nodesPerScript;
        total.nodes.insert(total.nodes.end(), part.nodes.begin(), part.nodes.end());
        auto& t = total.transitions;
        t.left.insert(t.left.end(), part.transitions.left.begin(), part.transitions.left.end());
        t.vacated.insert(t.vacated.end(), part.transitions.vacated.begin(), part.transitions.vacated.end());
        if (!more) break;
    }
    return total;
}

ReapResult Reaper::reapNode(const std::string& nodeId) { return reap(nodeId); }

ReapResult Reaper::reap(const std::string& nodeId) {
    ReapResult result;
    scripts::Reap call;
    call.lease = options_.lease;
    call.nodeId = nodeId;
    call.maxNodes = options_.nodesPerScript;
    call.tombstoneTtl = std::chrono::duration_cast<std::chrono::seconds>(options_.tombstoneTtl);
    auto reaped = runScript(*redis_, call);
    if (!reaped.ok()) {
        if (reaped.status != ScriptStatus::NoAnswer) spdlog::error("reaper script failed: {}", reaped.error);
        return result;
    }
    result.ok = true;
    result.nodes = std::move(reaped.answer.nodes);
    result.transitions = std::move(reaped.answer.transitions);
    if (!result.nodes.empty()) {
        for (const auto& node : result.nodes) spdlog::info("reaped node {}", node);
        spdlog::info("reaper: {} members left, {} channels vacated", result.transitions.left.size(),
                     result.transitions.vacated.size());
        announcer_.announce(result.transitions);
        // Counted once announced, so whoever sees the count also sees the announcements.
        reapedNodes_.fetch_add(result.nodes.size(), std::memory_order_release);
    }
    return result;
}

void Reaper::run() {
    // Working contact must last a full lease before the first reap (and again after any failure).
    Clock::time_point healthySince = Clock::now();
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (cv_.wait_for(lock, options_.interval, [&] { return stopping_; })) return;
        }
        if (Clock::now() - healthySince < options_.lease) {
            const auto pong = redis_->command({"PING"});
            if (!pong || pong->isError()) healthySince = Clock::now();
            continue;
        }
        if (!reapExpired().ok) healthySince = Clock::now();
    }
}

}  // namespace resound::redis
