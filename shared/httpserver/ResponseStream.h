#pragma once
// A response held open after its head (Server-Sent Events for the dashboard): any thread pushes
// chunks, the connection's loop writes them. Costs the connection and its queued bytes, no thread.
// Obtained from Exchange::openStream() inside a handler; safe to keep and use from any thread after
// the connection or the server is gone (push() then returns false).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace resound::httpserver {

class ServerLoop;
struct ServerConnection;

// The way from any thread into one loop; cut when the loop stops, so late pushes are dropped safely.
class LoopGate {
  public:
    explicit LoopGate(ServerLoop* loop) : loop_(loop) {}
    bool post(std::function<void()> task);  // false once cut
    void cut();

  private:
    std::mutex mutex_;
    ServerLoop* loop_;
};

class ResponseStream : public std::enable_shared_from_this<ResponseStream> {
  public:
    ResponseStream(std::shared_ptr<LoopGate> gate, ServerConnection* connection, bool chunked);

    // Any thread. Queues `data` (an SSE event is "data: ...\n\n") for the client; false once the stream
    // has ended, the client left, or it was closed for not reading (more than the server's
    // maxQueuedBytes waiting). Empty data is ignored.
    bool push(std::string_view data);
    // Any thread. Ends the response; the connection then serves the client's next request (keep-alive)
    // or closes.
    void end();
    bool open() const { return open_.load(std::memory_order_acquire); }

    // Called once when the stream closes for any reason, on the loop thread (or the thread stopping
    // the server). Set it in the handler, before returning.
    void setOnClosed(std::function<void()> onClosed) { onClosed_ = std::move(onClosed); }

  private:
    friend class ServerLoop;
    void closedOnLoop();  // loop thread: the connection lets go of the stream

    std::shared_ptr<LoopGate> gate_;
    ServerConnection* connection_;  // loop thread only; null once closed
    const bool chunked_;
    std::atomic<bool> open_{true};
    std::function<void()> onClosed_;
};

}  // namespace resound::httpserver
