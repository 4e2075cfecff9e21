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
#include "http/RequestParser.h"
#include "loop/EventLoop.h"
#include "pusher/Peer.h"
#include "pusher/SharedFrame.h"
#include "websocket/FrameDecoder.h"

namespace resound::edge {

class IoThread;

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

    struct QueuedFrame {
        pusher::SharedFrame bytes;
        std::uint32_t offset = 0;  // bytes of this frame already written
    };

    IoThread& owner_;
    int fd;
    Mode mode = Mode::Http;
    std::uint8_t flushMarks = 0;  // owned by the IoThread's FlushQueue
    bool wantsWritable = false;   // EPOLLOUT registered because the socket buffer was full
    bool closeWhenFlushed = false;
    bool upgraded = false;        // a WebSocket: protocol.closed() is due at teardown
    bool continueSent = false;    // "100 Continue" already sent for the current request
    bool addressCounted = false;  // holds a slot in the AddressLimiter
    bool servedRequest = false;   // answered at least one HTTP request (else the handshake deadline applies)
    bool readPaused = false;      // HTTP answers over the queue cap: the socket is not read until they drain
    AddressKey address{};
    std::uint32_t connectionIndex = 0;   // position in IoThread's connection list
    std::uint32_t lastBytesAt;           // loop seconds: last bytes received (HTTP idle / drain timer)
    std::uint32_t requestStartedAt = 0;  // loop seconds: first byte of an incomplete HTTP request
    std::uint32_t queueHead = 0;         // first unsent entry of `queue`
    std::uint32_t pollEvents = EPOLLIN | EPOLLRDHUP;  // what the loop is registered to report
    std::size_t queuedBytes = 0;
    std::vector<QueuedFrame> queue;
    std::string unparsedInput;  // HTTP bytes read before reading paused (at most one read), parsed on resume
    std::unique_ptr<http::RequestParser> httpParser;
    std::unique_ptr<ws::FrameDecoder> decoder;
};

}  // namespace resound::edge
