#pragma once
// Reads the few fields the load generator needs from Pusher messages without building a DOM:
// the top-level "event", "channel" and "data" members, and the benchmark stamp carried in "data".
// Pure functions on text, any thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace resound::bench {

struct PusherMessage {
    std::string_view event;    // string contents, still JSON-escaped
    std::string_view channel;  // string contents, still JSON-escaped; empty when absent
    std::string_view data;     // string contents (escaped) when dataIsString, else the raw JSON value
    bool hasData = false;
    bool dataIsString = false;
};

// False when `json` is not an object or is malformed before its end.
bool scanPusherMessage(std::string_view json, PusherMessage& out);

// Decodes JSON string escapes (including \uXXXX and surrogate pairs) into UTF-8.
bool unescapeJsonString(std::string_view escaped, std::string& out);

// The integer value of top-level member `key` in the JSON object `object`.
bool findIntegerMember(std::string_view object, std::string_view key, std::int64_t& value);

// The benchmark's event data: {"t":<send time, CLOCK_MONOTONIC ns>,"s":<per-channel sequence>}.
struct BenchStamp {
    std::int64_t sentNs = 0;
    std::uint64_t seq = 0;
};

std::string makeBenchData(const BenchStamp& stamp);

// Reads the stamp from a message's data, whether sent as a string (as Pusher does) or as an object.
// `scratch` is reused for unescaping.
bool readBenchStamp(const PusherMessage& message, BenchStamp& stamp, std::string& scratch);

}  // namespace resound::bench
