#include "monitor/RedisNodeReader.h"

#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Command.h>
#include <Poco/Redis/Exception.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <stdexcept>

#include "redis/BlockingConnection.h"
#include "redis/KeySchema.h"

namespace resound::monitor {
namespace {

Poco::Timespan timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(ms).count());
}

// Poco 1.11 parses an empty array reply as a null array; both mean "no elements" here.
std::size_t sizeOf(const Poco::Redis::Array& array) { return array.isNull() ? 0 : array.size(); }

std::string bulkAt(const Poco::Redis::Array& array, std::size_t i) {
    const Poco::Redis::BulkString value = array.get<Poco::Redis::BulkString>(i);
    if (value.isNull()) throw std::runtime_error("unexpected nil in a Redis reply");
    return value.value();
}

std::int64_t parseInteger(const std::string& text, const char* what) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
    // ZSET scores come back as the shortest exact text; an integral double such as "1.7e12" is unusual
    // but legal.
    try {
        std::size_t used = 0;
        const double number = std::stod(text, &used);
        if (used == text.size()) return static_cast<std::int64_t>(number);
    } catch (const std::exception&) {
    }
    throw std::runtime_error(std::string("unexpected ") + what + " '" + text + "' in a Redis reply");
}

Poco::Redis::Array command(std::initializer_list<std::string> words) {
    Poco::Redis::Array array;
    for (const std::string& word : words) array << word;
    return array;
}

}  // namespace

RedisNodeReader::RedisNodeReader(config::RedisConfig redis, Options options)
    : redis_(std::move(redis)), options_(options) {}

RedisNodeReader::~RedisNodeReader() = default;

void RedisNodeReader::connect() {
    auto client = std::make_unique<Poco::Redis::Client>();
    redis::connectBlocking(*client, redis_, options_.connectTimeout);
    client->setReceiveTimeout(timespan(options_.ioTimeout));
    client_ = std::move(client);
    if (connects_++ > 0) ++reconnects_;
}

void RedisNodeReader::rememberVanished(ClusterSnapshot& snapshot) {
    std::map<std::string, NodeStats> current;
    for (const NodeStats& node : snapshot.nodes) current.emplace(node.node, node);
    for (auto& [id, node] : lastSeen_) {
        if (current.count(id) != 0 || vanished_.count(id) != 0) continue;
        if (lastReadMs_ - node.heartbeatMs < options_.diedIfSilentFor.count()) continue;  // left cleanly
        node.reaped = true;
        node.hasStats = false;  // its last numbers are not current
        vanished_.emplace(id, node);
    }
    lastSeen_ = std::move(current);
    lastReadMs_ = snapshot.redisTimeMs;
    const std::int64_t forgetMs = std::chrono::milliseconds(options_.forgetAfter).count();
    for (auto it = vanished_.begin(); it != vanished_.end();) {
        const bool back = lastSeen_.count(it->first) != 0;
        const bool old = snapshot.redisTimeMs - it->second.heartbeatMs > forgetMs;
        it = (back || old) ? vanished_.erase(it) : std::next(it);
    }
    for (const auto& [id, node] : vanished_) snapshot.nodes.push_back(node);
}

ClusterSnapshot RedisNodeReader::read() {
    ClusterSnapshot snapshot;
    try {
        if (!client_) connect();
        Poco::Redis::Client& client = *client_;

        const Poco::Redis::Array time = client.execute<Poco::Redis::Array>(command({"TIME"}));
        if (sizeOf(time) != 2) throw std::runtime_error("unexpected TIME reply");
        snapshot.redisTimeMs = parseInteger(bulkAt(time, 0), "TIME seconds") * 1000 +
                               parseInteger(bulkAt(time, 1), "TIME microseconds") / 1000;

        const std::int64_t since =
            snapshot.redisTimeMs - std::chrono::milliseconds(options_.forgetAfter).count();
        const Poco::Redis::Array members = client.execute<Poco::Redis::Array>(
            command({"ZRANGEBYSCORE", redis::keys::nodes(), std::to_string(since), "+inf", "WITHSCORES"}));
        for (std::size_t i = 0; i + 1 < sizeOf(members); i += 2) {
            NodeStats node;
            node.node = bulkAt(members, i);
            node.heartbeatMs = parseInteger(bulkAt(members, i + 1), "heartbeat score");
            snapshot.nodes.push_back(std::move(node));
        }

        // One round trip for all the stats hashes.
        std::vector<Poco::Redis::Array> commands;
        for (const NodeStats& node : snapshot.nodes)
            commands.push_back(command({"HGETALL", redis::keys::nodeStats(node.node)}));
        if (!commands.empty()) {
            const Poco::Redis::Array replies = client.sendCommands(commands);
            if (sizeOf(replies) != commands.size()) throw std::runtime_error("short pipeline reply");
            for (std::size_t i = 0; i < commands.size(); ++i) {
                std::vector<std::pair<std::string, std::string>> fields;
                if (replies.getType(i) == Poco::Redis::RedisTypeTraits<Poco::Redis::Error>::TypeId) {
                    throw std::runtime_error("HGETALL failed: " +
                                             replies.get<Poco::Redis::Error>(i).getMessage());
                }
                const Poco::Redis::Array hash = replies.get<Poco::Redis::Array>(i);
                for (std::size_t j = 0; j + 1 < sizeOf(hash); j += 2) {
                    fields.emplace_back(bulkAt(hash, j), bulkAt(hash, j + 1));
                }
                applyStatsHash(snapshot.nodes[i], fields);
            }
        }
        rememberVanished(snapshot);
        std::sort(snapshot.nodes.begin(), snapshot.nodes.end(),
                  [](const NodeStats& a, const NodeStats& b) { return a.node < b.node; });
        snapshot.redisUp = true;
    } catch (const Poco::Exception& e) {
        snapshot = ClusterSnapshot{false, e.displayText(), 0, {}};
    } catch (const std::exception& e) {
        snapshot = ClusterSnapshot{false, e.what(), 0, {}};
    }
    if (!snapshot.redisUp) client_.reset();  // the stream may hold half a reply: start afresh
    return snapshot;
}

}  // namespace resound::monitor
