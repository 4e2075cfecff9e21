#include "redis/CommandClient.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "redis/RespCommand.h"

namespace resound::redis {
namespace {

ConnectionOptions withLoopTimeouts(ConnectionOptions options) {
    options.connectTimeout = options.loopIoTimeout;
    options.ioTimeout = options.loopIoTimeout;
    return options;
}

thread_local bool tlsEventLoopThread = false;

}  // namespace

void CommandClient::markEventLoopThread() { tlsEventLoopThread = true; }

bool CommandClient::onEventLoopThread() { return tlsEventLoopThread; }

std::chrono::milliseconds CommandClient::callTimeout() const {
    return tlsEventLoopThread ? options_.loopIoTimeout : options_.ioTimeout;
}

void Pipeline::command(std::initializer_list<std::string_view> args) {
    appendCommand(encoded_, args);
    ++count_;
}

void Pipeline::command(std::span<const std::string_view> args) {
    appendCommand(encoded_, args);
    ++count_;
}

void Pipeline::eval(const LuaScript& script, std::span<const std::string_view> keys,
                    std::span<const std::string_view> args) {
    appendEval(encoded_, EvalVerb::EvalSha, script.sha1(), keys, args);
    countEval(script);
}

// Encodes the call's own strings: views of them would cost two vectors per call.
void Pipeline::eval(const ScriptCall& call) {
    appendEval(encoded_, EvalVerb::EvalSha, call.script->sha1(), call.keys, call.args);
    countEval(*call.script);
}

void Pipeline::countEval(const LuaScript& script) {
    ++count_;
    if (std::find(scripts_.begin(), scripts_.end(), &script) == scripts_.end()) scripts_.push_back(&script);
}

CommandClient::CommandClient(ConnectionOptions options, std::string name)
    : options_(std::move(options)), loopOptions_(withLoopTimeouts(options_)), name_(std::move(name)) {}

CommandClient::Borrowed CommandClient::acquire() {
    for (;;) {
        Borrowed borrowed;
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                borrowed.connection = std::move(idle_.back());
                idle_.pop_back();
            } else if (down_) {
                // One caller probes per backoff step; everyone else fails at once instead of queueing
                // behind a connect to a hung server. Event loops never probe.
                if (probing_ || tlsEventLoopThread || Clock::now() < nextAttempt_) return {};
                probing_ = borrowed.probe = true;
            }
        }
        if (borrowed.connection) {
            if (borrowed.connection->looksIdleAndAlive()) return borrowed;
            continue;  // closed while idle (e.g. Redis restarted): drop it and look again
        }
        std::string error;
        borrowed.connection = RedisConnection::open(tlsEventLoopThread ? loopOptions_ : options_, error);
        if (borrowed.connection) return borrowed;
        std::lock_guard lock(mutex_);
        if (borrowed.probe) probing_ = false;
        markDownLocked(error, true);
        return {};
    }
}

void CommandClient::markDownLocked(const std::string& error, bool connectFailed) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    const auto now = Clock::now();
    if (!down_) {
        down_ = true;
        downSince_ = now;
        available_.store(false, std::memory_order_relaxed);
        // Idle connections to a server that just failed are suspect (a hung server keeps them open):
        // close them all so no caller waits on one.
        idle_.clear();
        // A connection that broke gets one immediate reconnect attempt; a failed connect backs off.
        nextAttempt_ = connectFailed ? now + backoff_.next() : now;
        spdlog::warn("redis {} unreachable at {}: {}", name_, options_.describe(), error);
    } else {
        nextAttempt_ = now + backoff_.next();
        spdlog::debug("redis {} still unreachable: {}", name_, error);
    }
}

void CommandClient::release(Borrowed borrowed, bool healthy, const std::string& error) {
    std::unique_ptr<RedisConnection> drop;  // closed outside the lock
    std::lock_guard lock(mutex_);
    if (borrowed.probe) probing_ = false;
    if (!healthy) {
        drop = std::move(borrowed.connection);
        markDownLocked(error, false);
        return;
    }
    if (down_ && borrowed.probe) {
        down_ = false;
        backoff_.reset();
        available_.store(true, std::memory_order_relaxed);
        reconnects_.fetch_add(1, std::memory_order_relaxed);
        const auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - downSince_);
        spdlog::info("redis {} reachable again at {} after {} ms", name_, options_.describe(),
                     outage.count());
    }
    if (down_ || idle_.size() >= options_.maxIdleConnections) {
        drop = std::move(borrowed.connection);
        return;
    }
    idle_.push_back(std::move(borrowed.connection));
}

bool CommandClient::send(RedisConnection& connection, std::span<const LuaScript* const> scripts,
                         std::string_view request, std::size_t replyCount, std::vector<RespValue>& replies,
                         std::string& error) {
    std::vector<const LuaScript*> loads;
    for (const LuaScript* script : scripts) {
        if (!connection.hasScript(script->sha1())) loads.push_back(script);
    }
    const auto timeout = callTimeout();
    if (loads.empty()) return connection.roundTrip(request, replyCount, replies, error, timeout);

    std::string withLoads;
    for (const LuaScript* script : loads) appendCommand(withLoads, {"SCRIPT", "LOAD", script->source()});
    withLoads.append(request);
    if (!connection.roundTrip(withLoads, loads.size() + replyCount, replies, error, timeout)) return false;
    for (std::size_t i = 0; i < loads.size(); ++i) {
        if (replies[i].isError()) {
            // A script that does not compile is a bug in this module, not an outage.
            spdlog::error("redis {}: SCRIPT LOAD failed: {}", name_, replies[i].text);
        } else {
            connection.addScript(loads[i]->sha1());
        }
    }
    replies.erase(replies.begin(), replies.begin() + static_cast<std::ptrdiff_t>(loads.size()));
    return true;
}

std::optional<RespValue> CommandClient::command(std::initializer_list<std::string_view> args) {
    return command(std::span<const std::string_view>(args.begin(), args.size()));
}

std::optional<RespValue> CommandClient::command(std::span<const std::string_view> args) {
    auto connection = acquire();
    if (!connection) return std::nullopt;
    std::string& request = connection->requestBuffer();
    request.clear();
    appendCommand(request, args);
    thread_local std::vector<RespValue> replies;
    std::string error;
    if (!connection->roundTrip(request, 1, replies, error, callTimeout())) {
        release(std::move(connection), false, error);
        return std::nullopt;
    }
    release(std::move(connection), true, error);
    return std::move(replies.front());
}

template <typename Strings>
std::optional<RespValue> CommandClient::evalOf(const LuaScript& script, Strings keys, Strings args) {
    auto connection = acquire();
    if (!connection) return std::nullopt;
    std::string& request = connection->requestBuffer();
    request.clear();
    appendEval(request, EvalVerb::EvalSha, script.sha1(), keys, args);
    std::vector<RespValue> replies;
    std::string error;
    const LuaScript* const scripts[] = {&script};
    bool ok = send(*connection.connection, scripts, request, 1, replies, error);
    if (ok && replies.front().isErrorCode("NOSCRIPT")) {
        // Someone ran SCRIPT FLUSH: send the source this time and load again on next use.
        connection->forgetScripts();
        request.clear();
        appendEval(request, EvalVerb::Eval, script.source(), keys, args);
        ok = connection->roundTrip(request, 1, replies, error, callTimeout());
    }
    if (!ok) {
        release(std::move(connection), false, error);
        return std::nullopt;
    }
    release(std::move(connection), true, error);
    return std::move(replies.front());
}

std::optional<RespValue> CommandClient::eval(const LuaScript& script, std::span<const std::string_view> keys,
                                             std::span<const std::string_view> args) {
    return evalOf(script, keys, args);
}

// Encodes the call's own strings: views of them would cost two vectors per call.
std::optional<RespValue> CommandClient::eval(const ScriptCall& call) {
    return evalOf(*call.script, std::span<const std::string>(call.keys),
                  std::span<const std::string>(call.args));
}

bool CommandClient::execute(const Pipeline& pipeline, std::vector<RespValue>& replies) {
    replies.clear();
    if (pipeline.empty()) return true;
    auto connection = acquire();
    if (!connection) return false;
    std::string error;
    if (!send(*connection.connection, pipeline.scripts_, pipeline.encoded_, pipeline.count_, replies,
              error)) {
        release(std::move(connection), false, error);
        return false;
    }
    const bool flushed = std::any_of(replies.begin(), replies.end(),
                                     [](const RespValue& r) { return r.isErrorCode("NOSCRIPT"); });
    if (flushed) connection->forgetScripts();
    release(std::move(connection), true, error);
    return true;
}

}  // namespace resound::redis
