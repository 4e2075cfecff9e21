#pragma once
// A parsed request written back as HTTP/1.x bytes, for handing a connection to another server that
// parses it again (the all-in-one edge gives /dashboard connections to the dashboard's server). The
// body goes with a Content-Length (a chunked body was decoded by the parser); header names are the
// parser's lower-case ones. Pure function, any thread.
#include <string>

#include "http/Request.h"

namespace resound::http {

std::string requestBytes(const Request& request);

}  // namespace resound::http
