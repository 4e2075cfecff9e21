#include "webhooks/SenderLease.h"

#include <Poco/Redis/Array.h>
#include <Poco/Redis/Type.h>

namespace resound::webhooks {
namespace {

// KEYS[1] lease, ARGV[1] owner, ARGV[2] ttl ms. 1 = held by ARGV[1] now, 0 = someone else holds it.
constexpr const char* kAcquireOrRenew = R"lua(
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua";

constexpr const char* kRelease = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

}  // namespace

SenderLease::SenderLease(std::string key, std::string ownerId, std::chrono::milliseconds ttl)
    : key_(std::move(key)), ownerId_(std::move(ownerId)), ttl_(ttl) {}

bool SenderLease::acquireOrRenew(Poco::Redis::Client& client) {
    Poco::Redis::Array eval;
    eval << "EVAL" << kAcquireOrRenew << "1" << key_ << ownerId_ << std::to_string(ttl_.count());
    return client.execute<Poco::Int64>(eval) == 1;
}

void SenderLease::release(Poco::Redis::Client& client) {
    Poco::Redis::Array eval;
    eval << "EVAL" << kRelease << "1" << key_ << ownerId_;
    client.execute<Poco::Int64>(eval);
}

std::string SenderLease::holder(Poco::Redis::Client& client) {
    Poco::Redis::Array get;
    get << "GET" << key_;
    const auto value = client.execute<Poco::Redis::BulkString>(get);
    return value.isNull() ? std::string() : value.value();
}

}  // namespace resound::webhooks
