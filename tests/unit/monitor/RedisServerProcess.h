#pragma once
// A real redis-server for the monitor tests: started on a free loopback port, stopped by its PID.
// Tests skip when redis-server is not installed (scripts/install-deps.sh installs it).
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Redis/Client.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace resound::monitor::test {

inline std::string findRedisServer() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/usr/local/bin";
    dirs += ":/usr/bin:/usr/sbin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "redis-server";
        if (!candidate.parent_path().empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    return "";
}

inline std::uint16_t freeLoopbackPort() {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = probe.address().port();
    probe.close();
    return port;
}

class RedisServerProcess {
  public:
    explicit RedisServerProcess(std::string password = "") : password_(std::move(password)) {}
    ~RedisServerProcess() { stop(); }

    bool available() const { return !binary_.empty(); }
    std::uint16_t port() const { return port_; }

    // Starts (or restarts on the same port) and waits until it answers PING.
    bool start() {
        if (binary_.empty()) return false;
        if (port_ == 0) port_ = freeLoopbackPort();
        std::vector<std::string> args = {binary_, "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no", "--daemonize", "no",
                                          "--loglevel", "warning", "--logfile", "/dev/null", "--dir", std::filesystem::temp_directory_path().string()};
        if (!password_.empty()) {
            args.push_back("--requirepass");
            args.push_back(password_);
        }
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, binary_.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
            pid_ = 0;
            return false;
        }
        for (int attempt = 0; attempt < 100; ++attempt) {
            try {
                Poco::Redis::Client client("127.0.0.1", port_);
                if (!password_.empty()) command(client, {"AUTH", password_});
                Poco::Redis::Array ping;
                ping << "PING";
                if (client.execute<std::string>(ping) == "PONG") return true;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
    }

    // A connected client (authenticated, db selected) for writing test data.
    std::unique_ptr<Poco::Redis::Client> client(int db = 0) const {
        auto c = std::make_unique<Poco::Redis::Client>("127.0.0.1", port_);
        if (!password_.empty()) command(*c, {"AUTH", password_});
        if (db != 0) command(*c, {"SELECT", std::to_string(db)});
        return c;
    }

    static Poco::Redis::RedisType::Ptr command(Poco::Redis::Client& client, std::initializer_list<std::string> words) {
        Poco::Redis::Array array;
        for (const auto& word : words) array << word;
        return client.sendCommand(array);
    }

    static std::int64_t timeMs(Poco::Redis::Client& client) {
        Poco::Redis::Array time;
        time << "TIME";
        const auto reply = client.execute<Poco::Redis::Array>(time);
        return std::stoll(reply.get<Poco::Redis::BulkString>(0).value()) * 1000 +
               std::stoll(reply.get<Poco::Redis::BulkString>(1).value()) / 1000;
    }

  private:
    std::string binary_ = findRedisServer();
    std::string password_;
    std::uint16_t port_ = 0;
    pid_t pid_ = 0;
};

}  // namespace resound::monitor::test
