#include "RedisServer.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "redis/RedisConnection.h"
#include "redis/RespCommand.h"

namespace resound::redis::testing {

std::uint16_t freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("no free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

bool redisServerInstalled() { return ::access(kRedisServer, X_OK) == 0; }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

long long millisecondsOf(const std::function<void()>& action) {
    const auto start = std::chrono::steady_clock::now();
    action();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
        .count();
}

RedisServer::RedisServer(RedisServerOptions options) : extraArgs_(std::move(options.extraArgs)) {
    port_ = options.port != 0 ? options.port : freeLoopbackPort();
    if (!options.startNow || !redisServerInstalled()) return;
    if (start()) return;
    if (options.port != 0) throw std::runtime_error("redis-server did not start on the given port");
    // A port taken between freeLoopbackPort() and redis-server's bind is retried with another one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        port_ = freeLoopbackPort();
        if (start()) return;
    }
    throw std::runtime_error("redis-server did not start");
}

RedisServer::~RedisServer() { stop(); }

config::RedisConfig loopbackRedisConfig(std::uint16_t port, std::string password, int db) {
    config::RedisConfig config;
    config.host = "127.0.0.1";
    config.port = port;
    config.password = std::move(password);
    config.db = db;
    return config;
}

ConnectionOptions RedisServer::options() const {
    ConnectionOptions options;
    options.host = "127.0.0.1";
    options.port = port_;
    options.connectTimeout = std::chrono::milliseconds(300);
    options.ioTimeout = std::chrono::milliseconds(300);
    options.backoffInitial = std::chrono::milliseconds(50);
    options.backoffMax = std::chrono::milliseconds(400);
    return options;
}

bool RedisServer::start() {
    if (pid_ > 0) return true;
    const std::string port = std::to_string(port_);
    std::vector<std::string> args{kRedisServer, "--port",     port,           "--bind", "127.0.0.1",
                                  "--save",     "",           "--appendonly", "no",     "--daemonize",
                                  "no",         "--loglevel", "warning"};
    args.insert(args.end(), extraArgs_.begin(), extraArgs_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // fork + exec rather than posix_spawn: the child asks to be killed when this process dies, so a
    // crashing test leaves no redis-server behind. Only async-signal-safe calls after fork().
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int devnull = ::open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            ::dup2(devnull, STDOUT_FILENO);
            ::dup2(devnull, STDERR_FILENO);
        }
        ::execv(kRedisServer, argv.data());
        ::_exit(127);
    }
    pid_ = pid;

    // Ready when it answers PING (bounded: 5 s).
    ConnectionOptions probe = options();
    const bool ready = eventually(
        [&] {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;  // exited (e.g. port taken)
                return true;
            }
            std::string error;
            auto connection = RedisConnection::open(probe, error);
            if (!connection) return false;
            std::string ping;
            appendCommand(ping, {"PING"});
            std::vector<RespValue> replies;
            // With requirepass the answer is a NOAUTH error: still an answer.
            return connection->roundTrip(ping, 1, replies, error);
        },
        std::chrono::milliseconds(5000));
    if (!ready || pid_ <= 0) {
        stop();
        return false;
    }
    return true;
}

void RedisServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    int status = 0;
    const bool exited = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; },
                                   std::chrono::milliseconds(5000));
    if (!exited) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
}

void RedisServer::pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::unique_ptr<Poco::Redis::Client> RedisServer::client(int db, const std::string& password) const {
    auto connected = std::make_unique<Poco::Redis::Client>("127.0.0.1", port_);
    if (!password.empty()) command(*connected, {"AUTH", password});
    if (db != 0) command(*connected, {"SELECT", std::to_string(db)});
    return connected;
}

Poco::Redis::RedisType::Ptr RedisServer::command(Poco::Redis::Client& client,
                                                 std::initializer_list<std::string> words) {
    Poco::Redis::Array array;
    for (const auto& word : words) array << word;
    return client.sendCommand(array);
}

std::int64_t RedisServer::timeMs(Poco::Redis::Client& client) {
    Poco::Redis::Array time;
    time << "TIME";
    const auto reply = client.execute<Poco::Redis::Array>(time);
    return std::stoll(reply.get<Poco::Redis::BulkString>(0).value()) * 1000 +
           std::stoll(reply.get<Poco::Redis::BulkString>(1).value()) / 1000;
}

}  // namespace resound::redis::testing
