#pragma once
// A throwaway redis-server for the webhook tests that need Redis (RedisWebhookSink, WebhookWorker,
// SenderLease): no persistence, loopback only, on a free port, killed by its pid at the end. Tests
// skip when redis-server is not installed.
#include <Poco/Exception.h>
#include <Poco/Redis/Client.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

extern char** environ;

namespace resound::webhooks::test {

inline std::uint16_t freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

// A throwaway redis-server: no persistence, loopback only, killed (by its pid) at the end.
class RedisProcess {
  public:
    explicit RedisProcess(std::uint16_t port) : port_(port) {}
    ~RedisProcess() { stop(); }

    bool start() {
        const std::string portText = std::to_string(port_);
        const char* argv[] = {"redis-server", "--port", portText.c_str(), "--bind", "127.0.0.1",
                              "--save",       "",       "--appendonly",   "no",     "--loglevel",
                              "warning",      nullptr};
        if (::posix_spawn(&pid_, kBinary, nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0)
            return false;
        for (int i = 0; i < 200; ++i) {  // up to 2 s for it to accept connections
            try {
                Poco::Redis::Client probe;
                probe.connect("127.0.0.1", port_, Poco::Timespan(0, 200000));
                return true;
            } catch (const Poco::Exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        return false;
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    static bool installed() { return std::filesystem::exists(kBinary); }

  private:
    static constexpr const char* kBinary = "/usr/bin/redis-server";
    std::uint16_t port_;
    pid_t pid_ = -1;
};

}  // namespace resound::webhooks::test
