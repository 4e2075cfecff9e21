#pragma once
// A name for this process that is unique across a cluster and readable in Redis keys and logs:
// "<host>-<pid>-<random hex>", the host name reduced to [A-Za-z0-9._-]. Used for node ids (cluster state)
// and webhook sender ids, which must differ between processes on one host and between restarts.
#include <string>
#include <string_view>

namespace resound::util {

// `fallback` stands in for the host name when it is unknown or has no usable character.
std::string uniqueProcessId(std::string_view fallback);

}  // namespace resound::util
