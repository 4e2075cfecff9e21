#pragma once
// One loop of the HttpServer: its thread, its listening socket and the connections it accepted.
// Nothing is shared with the other loops but the connection count. Only beginStop(), post(), stop()
// and the constructor/destructor may be used from other threads; everything else runs on the loop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "httpserver/HttpServer.h"
#include "httpserver/RequestIntake.h"
#include "httpserver/WriteQueue.h"
#include "loop/EventLoop.h"

namespace resound::httpserver {

// One accepted connection. Owned and touched by its ServerLoop only.
struct ServerConnection final : loop::IoHandler {
    ServerConnection(ServerLoop& owner, int fd, std::uint32_t now) : owner(owner), fd(fd), lastBytesAt(now) {}
    void onIoEvent(std::uint32_t events) override;

    ServerLoop& owner;
    int fd;
    std::string remote;  // "ip:port"
    RequestIntake intake;
    WriteQueue out;
    std::shared_ptr<ResponseStream> stream;  // an open streamed response
    std::string unparsedInput;               // bytes of later requests read while paused or streaming
    std::uint32_t lastBytesAt;               // loop seconds: last bytes received (or the accept)
    std::uint32_t index = 0;                 // position in the loop's connection list
    std::uint32_t pollEvents = EPOLLIN | EPOLLRDHUP;
    bool closed = false;   // fd closed; freed at the end of the loop iteration
    bool closing = false;  // answering no more requests: flush, half-close, wait for EOF
    bool closeWhenFlushed = false;
    bool wantsWritable = false;    // EPOLLOUT registered because the socket buffer was full
    bool readPaused = false;       // pipelined answers over the queue cap: not read until they drain
    bool flushListed = false;      // in the loop's list of connections to flush
    bool streamKeepAlive = false;  // the connection stays open after its stream ends
};

// A short answer written straight to a socket nobody serves (over the connection limit, stopping),
// then closed. Any thread.
void refuseConnection(int fd, const Reply& reply);

class ServerLoop {
  public:
    ServerLoop(const HttpServer::Options& options, const Handler& handler, int listenFd, std::size_t index,
               std::atomic<std::size_t>& totalConnections);
    ~ServerLoop();  // closes every connection (after stop())
    ServerLoop(const ServerLoop&) = delete;
    ServerLoop& operator=(const ServerLoop&) = delete;

    void start();
    void beginStop();  // any thread
    void stop();       // any thread: ends the loop and joins it
    bool post(std::function<void()> task) { return gate_->post(std::move(task)); }  // any thread
    // Any thread: connections closed because epoll could not register them (the loop's own count).
    std::uint64_t registrationFailures() const { return loop_.registrationFailures(); }

    // Loop thread: serves a socket accepted elsewhere (HttpServer::adopt counted it already).
    void adopt(int fd, std::string remote, std::string alreadyRead);

    // Loop thread.
    void onConnectionEvent(ServerConnection& c, std::uint32_t events);
    std::shared_ptr<ResponseStream> openStream(ServerConnection& c, int status, std::string contentType,
                                               HeaderList headers);
    void streamChunk(ResponseStream& stream, const WriteQueue::Bytes& bytes);
    void streamEnd(ResponseStream& stream);
    void queueTask(std::function<void()> task) { loop_.post(std::move(task)); }

  private:
    class Acceptor;
    void acceptAll();
    void readFrom(ServerConnection& c);
    void handleBytes(ServerConnection& c, const char* data, std::size_t length);
    bool keepUnparsed(ServerConnection& c, const char* data, std::size_t length);
    void respond(ServerConnection& c, const Reply& reply, bool keepAlive, bool headOnly);
    void closeAfterFlush(ServerConnection& c);
    void finishStream(ServerConnection& c);
    void enqueue(ServerConnection& c, WriteQueue::Bytes bytes);
    void flush(ServerConnection& c);
    void pauseReading(ServerConnection& c, const char* unparsed, std::size_t length);
    void resumeReading(ServerConnection& c);
    void updatePollEvents(ServerConnection& c);
    void registrationFailed(ServerConnection& c, const char* operation);
    void teardown(ServerConnection& c);
    void closeIdle();
    void afterEvents();
    void tick();
    HeaderList withServerHeaders(const HeaderList& headers) const;
    std::uint32_t secondsNow() const;

    const HttpServer::Options& options_;
    const Handler& handler_;
    int listenFd_;
    std::size_t index_;
    std::atomic<std::size_t>& totalConnections_;
    bool listening_ = false;
    bool acceptPaused_ = false;
    bool draining_ = false;
    loop::EventLoop loop_;
    std::shared_ptr<LoopGate> gate_;
    std::unique_ptr<Acceptor> acceptor_;
    std::vector<std::unique_ptr<ServerConnection>> connections_;
    std::vector<std::unique_ptr<ServerConnection>> graveyard_;  // torn down this iteration
    std::vector<ServerConnection*> toFlush_;
    std::vector<char> readBuffer_;
    std::string date_;  // the Date header's value, refreshed every tick
    std::chrono::steady_clock::time_point startedAt_;
    std::uint32_t now_ = 1;
    std::thread thread_;
};

}  // namespace resound::httpserver
