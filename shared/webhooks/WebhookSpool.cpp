#include "webhooks/WebhookSpool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace resound::webhooks {
namespace {

constexpr std::size_t kMinRewriteBytes = 1 << 20;

std::string failure(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

void syncDirectory(const std::string& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

WebhookSpool::WebhookSpool(const std::string& directory)
    : directory_(directory), path_((std::filesystem::path(directory) / "webhooks.spool").string()) {
    std::error_code error;
    std::filesystem::create_directories(directory_, error);
    if (error)
        throw std::runtime_error("webhook spool: cannot create " + directory_ + ": " + error.message());
    {
        std::ifstream in(path_, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::size_t start = 0;
        // Complete lines only: a crash in the middle of a write leaves a torn last line.
        for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
            const std::string line = text.substr(start, end - start);
            if (line.size() < 2) continue;
            if (line[0] == '+') {
                // "+<id>\t<entry>"
                const std::size_t tab = line.find('\t');
                if (tab == std::string::npos || tab == 1) continue;
                std::string id = line.substr(1, tab - 1);
                if (byId_.count(id)) continue;
                order_.emplace_back(id, line.substr(tab + 1));
                byId_.emplace(std::move(id), std::prev(order_.end()));
            } else if (line[0] == '-') {
                const auto it = byId_.find(line.substr(1));
                if (it == byId_.end()) continue;
                order_.erase(it->second);
                byId_.erase(it);
            }
        }
    }
    for (const auto& [id, entry] : order_) {
        recovered_.push_back(entry);
        pendingBytes_ += id.size() + entry.size() + 3;
    }
    std::lock_guard lock(mutex_);
    rewriteLocked();
    if (fd_ < 0) throw std::runtime_error(failure("webhook spool: cannot write", path_));
    if (!recovered_.empty()) {
        spdlog::info("webhook spool {}: {} events accepted before the restart and not delivered yet", path_,
                     recovered_.size());
    }
}

WebhookSpool::~WebhookSpool() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> WebhookSpool::takeRecovered() { return std::move(recovered_); }

std::size_t WebhookSpool::pending() const {
    std::lock_guard lock(mutex_);
    return order_.size();
}

bool WebhookSpool::writeLocked(const std::string& text, bool sync) {
    if (fd_ < 0) return false;
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (!warned_) spdlog::error("{}", failure("webhook spool: cannot write", path_));
            warned_ = true;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    fileBytes_ += text.size();
    if (sync && ::fdatasync(fd_) != 0) {
        if (!warned_) spdlog::error("{}", failure("webhook spool: cannot sync", path_));
        warned_ = true;
        return false;
    }
    return true;
}

void WebhookSpool::rewriteLocked() {
    const std::string temporary = path_ + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (!warned_) spdlog::error("{}", failure("webhook spool: cannot create", temporary));
        warned_ = true;
        return;
    }
    std::string text;
    text.reserve(pendingBytes_);
    for (const auto& [id, entry] : order_) text += "+" + id + "\t" + entry + "\n";
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fdatasync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(temporary.c_str(), path_.c_str()) != 0) {
        if (!warned_) spdlog::error("{}", failure("webhook spool: cannot rewrite", path_));
        warned_ = true;
        ::unlink(temporary.c_str());
        if (fd_ < 0) fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        return;
    }
    syncDirectory(directory_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    fileBytes_ = text.size();
}

bool WebhookSpool::append(const std::vector<std::pair<std::string, std::string>>& entries) {
    if (entries.empty()) return true;
    std::lock_guard lock(mutex_);
    if (fileBytes_ > kMinRewriteBytes && fileBytes_ > 4 * pendingBytes_) rewriteLocked();
    std::string text;
    for (const auto& [id, entry] : entries) {
        text += "+" + id + "\t" + entry + "\n";
        if (byId_.count(id)) continue;
        order_.emplace_back(id, entry);
        byId_.emplace(id, std::prev(order_.end()));
        pendingBytes_ += id.size() + entry.size() + 3;
    }
    return writeLocked(text, true);
}

void WebhookSpool::settle(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto it = byId_.find(id);
    if (it == byId_.end()) return;
    pendingBytes_ -= it->second->first.size() + it->second->second.size() + 3;
    order_.erase(it->second);
    byId_.erase(it);
    writeLocked("-" + id + "\n", false);
}

}  // namespace resound::webhooks
