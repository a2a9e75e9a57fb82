// mta/send/logline.cpp — qmail-send's log lines (see logline.h).
#include "mta/send/logline.h"

#include "mta/core/exitcodes.h"
#include "mta/core/log.h"

namespace mta::send::logline {
namespace {
std::string num(std::uint64_t n) { return std::to_string(n); }
}  // namespace

std::string status(unsigned lu, unsigned lm, unsigned ru, unsigned rm, bool exiting) {
  return cat("status: local ", num(lu), "/", num(lm), " remote ", num(ru), "/", num(rm),
             exiting ? " exitasap" : "");
}

std::string new_msg(std::uint64_t id) { return "new msg " + num(id); }

std::string info_msg(std::uint64_t id, std::uint64_t bytes, std::string_view sender, std::string_view qp,
                     std::string_view uid) {
  return cat("info msg ", num(id), ": bytes ", num(bytes), " from <", log::safe(sender), "> qp ",
             log::safe(qp), " uid ", log::safe(uid));
}

std::string starting_delivery(unsigned long d, std::uint64_t id, bool local, std::string_view recipient) {
  return cat("starting delivery ", num(d), ": msg ", num(id), local ? " to local " : " to remote ",
             log::safe(recipient));
}

std::string delivery(unsigned long d, char status, std::string_view text) {
  std::string head = cat("delivery ", num(d), ": ");
  switch (status) {
    case 'K': return cat(head, "success: ", log::safe(text));
    case 'Z': return cat(head, "deferral: ", log::safe(text));
    case 'D': return cat(head, "failure: ", log::safe(text));
    default: return cat(head, "report mangled, will defer");
  }
}

std::string bounce_msg(std::uint64_t id, long qp) {
  return cat("bounce msg ", num(id), " qp ", std::to_string(qp));
}

std::string triple_bounce(std::uint64_t id) { return cat("triple bounce: discarding bounce/", num(id)); }

std::string end_msg(std::uint64_t id) { return "end msg " + num(id); }

}  // namespace mta::send::logline
