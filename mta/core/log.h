// mta/core/log.h — qmail-style log lines.
//
// qmail's logs are one event per line on a descriptor (qmail-send: fd 0,
// others: stderr) so that multilog, splogger or journald can take them.
// Text that came from outside (addresses, remote replies) goes through
// safe() first (qmail-send's logsafe): a newline becomes '/', and space,
// '%' and every byte outside 33..126 become '_'.
#pragma once

#include <string>
#include <string_view>

#include "mta/core/io.h"

namespace mta::log {

// qmail-send's logsafe: '\n' -> '/'; space, '%' and bytes outside 33..126 -> '_'.
std::string safe(std::string_view text);
// Non-printable bytes (outside 32..126) become replacement (qmail-qread uses it).
std::string printable(std::string_view text, char replacement = '_');

// Writes "text\n" to w and flushes (a log line is never half-written twice).
void line(io::Writer& w, std::string_view text);

}  // namespace mta::log
