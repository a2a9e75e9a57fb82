// mta/send/logline.h — qmail-send's log lines (reference mta.md 4.6).
//
// Each function returns one line without its newline; the loop writes it
// with the newline in a single write(2) to fd 0. Text from outside (senders,
// recipients, report texts) goes through mta::log::safe, qmail's logsafe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mta::send::logline {

std::string status(unsigned local_used, unsigned local_max, unsigned remote_used, unsigned remote_max,
                   bool exiting);
std::string new_msg(std::uint64_t id);
std::string info_msg(std::uint64_t id, std::uint64_t bytes, std::string_view sender, std::string_view qp,
                     std::string_view uid);
std::string starting_delivery(unsigned long d, std::uint64_t id, bool local, std::string_view recipient);
// status is the report's K, Z or D; anything else gives "report mangled".
std::string delivery(unsigned long d, char status, std::string_view text);
std::string bounce_msg(std::uint64_t id, long qp);
std::string triple_bounce(std::uint64_t id);
std::string end_msg(std::uint64_t id);

}  // namespace mta::send::logline
