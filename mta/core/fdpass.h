// mta/core/fdpass.h — descriptors over a Unix socket (SCM_RIGHTS).
//
// The persistent queue program (qmail-queue --serve) takes each message as
// the read ends of two pipes, exactly the fd 0 and fd 1 it reads when it is
// started per message; these two calls are the whole transport. A request
// is one tag byte with its descriptors attached; the greeting and the
// verdicts are tag bytes without any.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "mta/core/io.h"

namespace mta::fdpass {

// Sends `tag` with `fds` attached (the caller keeps its copies). Throws
// TempError when the socket is gone.
void send(int socket, char tag, std::span<const int> fds);

struct Received {
  char tag = 0;
  std::vector<io::Fd> fds;  // close-on-exec
};

// Receives one request. nullopt at end of input. Throws TempError on a read
// error and PermError on a request that is not one byte with exactly
// `expected` descriptors (whatever did arrive is closed).
std::optional<Received> receive(int socket, std::size_t expected);

}  // namespace mta::fdpass
