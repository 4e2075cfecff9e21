#pragma once
// The operator dashboard behind GET /dashboard: the page and its assets, the JSON reads (overview,
// apps, channels, one channel), the test-event form (POST) and the live stream (Server-Sent Events:
// an overview every second, debug events of one app as they happen). One per process, mounted by the
// all-in-one server (embedded: the edge hands /dashboard connections to an HttpService of its own)
// and by resound-monitor (the bundle). Off while the password is empty: every path answers 404.
//
// handle() runs on HTTP loop threads, concurrently; it never blocks beyond the backend's reads.
// start()/stop() from one thread (main): start() runs the dashboard's one thread (history sampling
// and stream pumping), stop() ends it and every open stream.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "dashboard/DashboardBackend.h"
#include "service/HttpService.h"

namespace resound::dashboard {

class Dashboard {
  public:
    struct Options {
        std::string password;    // HTTP Basic password of user "admin"; "" = dashboard off (404)
        std::string pathPrefix;  // server.path_prefix ("" or "/segment"): stripped before routing
        std::chrono::milliseconds sampleInterval{1000};  // history and stream overview period
        std::size_t historySize = 900;                   // samples kept: 15 minutes at 1 s
        std::size_t streamQueueLimit = 1000;  // debug events waiting per stream; more are dropped and counted
        std::chrono::milliseconds pumpInterval{50};  // how often waiting debug events are written out
        std::size_t maxStreams = 32;                 // open streams per process; more get 503
        std::size_t channelsPerPage = 50;
    };

    Dashboard(Options options, DashboardBackend& backend);
    ~Dashboard();  // stops if running
    Dashboard(const Dashboard&) = delete;
    Dashboard& operator=(const Dashboard&) = delete;

    void start();  // no-op when disabled
    void stop();   // ends open streams

    bool enabled() const { return !options_.password.empty(); }

    // True for "/dashboard" and "/dashboard/..." (the path after the server's prefix is stripped).
    static bool owns(std::string_view path);

    // Any request whose path (with or without options.pathPrefix) the dashboard owns.
    service::HttpReply handle(const service::HttpExchange& exchange);

  private:
    class Impl;
    Options options_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace resound::dashboard
