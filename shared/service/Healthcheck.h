#pragma once
// `<binary> healthcheck [--url URL]`: one GET against a service's own /health, for Docker HEALTHCHECK
// (slim images have no curl). Exit status 0 on 200, 1 otherwise. Any thread; blocking.
#include <chrono>
#include <string>

namespace resound::service {

inline constexpr std::chrono::milliseconds kDefaultHealthcheckTimeout{3000};

struct HealthcheckResult {
    bool healthy = false;
    int status = 0;      // HTTP status, 0 when there was no answer
    std::string detail;  // why it failed (connection refused, timeout, status ...), "" when healthy
};

// GET `url` (http:// only: the probe runs inside the container, next to the service). Connecting,
// sending and waiting for the answer each get what is left of `timeout`, so a silent or absent
// server fails within about `timeout`.
HealthcheckResult probeHealth(const std::string& url, std::chrono::milliseconds timeout);

// probeHealth, then 0 (healthy) or 1; on failure prints one line to stderr, which Docker keeps in the
// container's health log.
int runHealthcheck(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace resound::service
