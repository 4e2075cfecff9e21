#pragma once
// How a buffer that collects a declared number of bytes (a WebSocket message, an HTTP body) grows:
// with the bytes that have arrived, never with the length a header announces. A length header costs
// its sender a few bytes; reserving what it declares at once let 15 bytes claim 64 MiB per
// connection. A free function on the caller's string: any thread, no state.
#include <cstddef>
#include <string>

namespace resound::util {

// The first allocation for a partial payload: payloads up to this size still get one exact
// allocation, and a connection that announces much more but sends one byte costs no more than this.
inline constexpr std::size_t kFirstArrivalReservation = 4096;

// Makes `buffer` able to hold `needed` bytes (its current contents plus what the caller is about to
// append). The capacity at least doubles, starting at kFirstArrivalReservation, so appends stay
// linear overall, but it does not pass `ceiling` (the most the buffer can need before its owner is
// done, e.g. the declared length) unless `needed` does. Whatever the history, the capacity after the
// call is at most max(kFirstArrivalReservation, 2 * needed).
void reserveForArrival(std::string& buffer, std::size_t needed, std::size_t ceiling);

}  // namespace resound::util
