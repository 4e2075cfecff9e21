#pragma once
// A blocking loopback HTTP client for the httpserver tests: raw bytes out, raw bytes in, with a 5 s
// receive timeout so a broken server fails a test instead of hanging it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace resound::httpserver::loopback {

// A blocking loopback client with a receive timeout.
class Client {
  public:
    explicit Client(std::uint16_t port, int receiveBuffer = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (receiveBuffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        timeval timeout{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~Client() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool connected() const { return connected_; }
    void send(const std::string& bytes) {
        ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    }
    bool trySend(std::string_view bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    // Reads until `text` has arrived (true) or EOF / timeout (false). Everything read is in buffer().
    bool readUntil(const std::string& text) {
        while (buffer_.find(text) == std::string::npos) {
            if (!readSome()) return false;
        }
        return true;
    }
    // Reads what arrives next (one recv) into buffer(); false on EOF or timeout.
    bool readMore() { return readSome(); }
    // True when the server closed the connection (EOF) within the receive timeout.
    bool closedByServer() {
        while (readSome()) {
        }
        return eof_;
    }
    // One complete Content-Length response from the buffer (waits for it), removed from the buffer.
    std::string response() {
        if (!readUntil("\r\n\r\n")) return "";
        const std::size_t headEnd = buffer_.find("\r\n\r\n") + 4;
        const std::size_t at = buffer_.find("Content-Length: ");
        std::size_t length = 0;
        if (at != std::string::npos && at < headEnd) length = std::stoul(buffer_.substr(at + 16));
        while (buffer_.size() < headEnd + length) {
            if (!readSome()) return "";
        }
        std::string out = buffer_.substr(0, headEnd + length);
        buffer_.erase(0, headEnd + length);
        return out;
    }
    std::string& buffer() { return buffer_; }
    // True when no byte arrives within `milliseconds` (nothing is consumed).
    bool silentFor(int milliseconds) {
        if (!buffer_.empty()) return false;
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, milliseconds) == 0;
    }
    // Leaves abruptly: close with SO_LINGER 0, so the server sees a reset rather than an EOF.
    void reset() {
        linger abort{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        ::close(fd_);
        fd_ = -1;
    }

  private:
    bool readSome() {
        char chunk[16384];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n == 0) eof_ = true;
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
    int fd_ = -1;
    bool connected_ = false;
    bool eof_ = false;
    std::string buffer_;
};

inline std::string get(const std::string& path, const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

}  // namespace resound::httpserver::loopback
