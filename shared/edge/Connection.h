#pragma once
// One accepted TCP connection on an event loop: first HTTP (API requests, health, metrics, or the
// WebSocket upgrade), then WebSocket frames carrying the Pusher protocol. Holds only what an idle
// connection needs: parsers are allocated while in use, the outgoing queue holds shared frames.
// Owned and touched only by its IoThread.
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edge/AddressLimiter.h"
#include "edge/SendQueue.h"
#include "httpserver/RequestIntake.h"
#include "loop/EventLoop.h"
#include "pusher/Peer.h"
#include "pusher/SharedFrame.h"
#include "websocket/FrameDecoder.h"

namespace resound::edge {

class IoThread;
class Connection;

// An HTTP answer that waits for Redis (an API publish through the loop's PublishSink). The completion
// holds it weakly: once the connection is gone (torn down, freed) the answer finds nothing to go to.
struct AwaitedAnswer {
    Connection* connection;
    bool keepAlive;  // the request asked to keep the connection open
};

class Connection final : public pusher::Peer, public loop::IoHandler {
public:
    enum class Mode : std::uint8_t {
        Http,       // reading HTTP requests
        WebSocket,  // upgraded
        Draining,   // nothing more is read into the protocol; flush what is queued, then close
        Closed,     // fd closed; waiting to be freed at the end of the loop iteration
    };

    Connection(IoThread& owner, int fd, std::uint32_t now) : owner_(owner), fd(fd), lastBytesAt(now) {}
    void onIoEvent(std::uint32_t events) override;

    IoThread& owner_;
    int fd;
    Mode mode = Mode::Http;
    std::uint8_t flushMarks = 0;  // owned by the IoThread's FlushQueue
    bool upgraded = false;        // a WebSocket: protocol.closed() is due at teardown
    bool addressCounted = false;  // holds a slot in the AddressLimiter
    bool readPaused = false;      // HTTP answers over the queue cap: the socket is not read until they drain
    AddressKey address{};
    std::uint32_t connectionIndex = 0;   // position in IoThread's connection list
    std::uint32_t lastBytesAt;           // loop seconds: last bytes received (HTTP idle / drain timer)
    std::uint32_t pollEvents = EPOLLIN | EPOLLRDHUP;  // what the loop is registered to report
    SendQueue queue;  // bytes to write, shared frames
    std::string unparsedInput;  // HTTP bytes read before reading paused (at most one read), parsed on resume
    httpserver::RequestIntake intake;  // HTTP request reading (until upgraded)
    std::unique_ptr<ws::FrameDecoder> decoder;
    // Set while the answer to the current request waits: later pipelined requests are held (not read
    // from the socket, their bytes already read kept in unparsedInput) so answers leave in order.
    std::shared_ptr<AwaitedAnswer> awaiting;

    bool readingHeld() const { return readPaused || awaiting != nullptr; }
};

}  // namespace resound::edge
