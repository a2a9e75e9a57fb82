// autorespond/rules.cpp — see rules.h.
#include "autorespond/rules.h"

#include <array>

#include "mta/core/address.h"
#include "mta/core/text.h"

namespace autorespond {

namespace {

using mta::address::ascii_lower;
using mta::address::iequals;
using mta::message::Header;

bool istarts(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && iequals(s.substr(0, p.size()), p);
}
bool iends(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && iequals(s.substr(s.size() - p.size()), p);
}

using mta::text::trim;

// The first word of a field value, lower-cased, comments ignored
// ("auto-replied (vacation)" -> "auto-replied").
std::string first_token(std::string_view value) {
  std::string v = mta::message::unfold(value);
  std::string out;
  int depth = 0;
  for (char c : v) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth > 0) continue;
    else if (c == ' ' || c == '\t' || c == ';' || c == ',') {
      if (!out.empty()) break;
    } else out.push_back(c);
  }
  return ascii_lower(out);
}

bool system_local(std::string_view local) {
  static constexpr std::array exact = {"postmaster", "mailer", "uucp", "listserv", "majordomo",
                                       "noreply", "no-reply", "do-not-reply", "donotreply"};
  for (std::string_view e : exact)
    if (iequals(local, e)) return true;
  static constexpr std::array prefixes = {"mailer-daemon", "owner-"};
  for (std::string_view p : prefixes)
    if (istarts(local, p)) return true;
  static constexpr std::array suffixes = {"-request", "-owner", "-relay", "-bounces"};
  for (std::string_view s : suffixes)
    if (iends(local, s)) return true;
  return false;
}

bool is_list_field(std::string_view name) {
  return istarts(name, "List-") || iequals(name, "Mailing-List") || iequals(name, "X-Mailing-List") ||
         iequals(name, "X-ML-Name");
}

// The addresses of every To/Cc/Bcc/Resent-* field; fields that do not parse
// contribute nothing.
std::vector<std::string> recipients_of(const Header& header) {
  static constexpr std::array names = {"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"};
  std::vector<std::string> out;
  for (std::string_view name : names) {
    for (const auto* f : header.find_all(name)) {
      try {
        for (const auto& item : mta::address::parse_address_list(f->value()))
          for (const auto& m : item.members) out.push_back(m.address);
      } catch (const mta::address::AddressError&) {
      }
    }
  }
  return out;
}

// Addresses compare with the domain case-insensitive and, as autorespond
// 2.0's strcasecmp did, the local part too.
bool same_address(std::string_view a, std::string_view b) { return iequals(trim(a), trim(b)); }

}  // namespace

std::string_view reason_name(Reason r) {
  switch (r) {
    case Reason::null_sender: return "null sender";
    case Reason::bad_sender: return "bad sender";
    case Reason::system_sender: return "system sender";
    case Reason::loop: return "loop";
    case Reason::auto_submitted: return "auto-submitted";
    case Reason::suppressed: return "x-auto-response-suppress";
    case Reason::precedence: return "precedence";
    case Reason::list: return "list";
    case Reason::auto_reply: return "auto-reply";
    case Reason::own_address: return "own address";
    case Reason::not_addressed: return "not addressed to owner";
    case Reason::outside_period: return "outside period";
    case Reason::rate_limit: return "rate limit";
    case Reason::bad_message: return "bad message";
  }
  return "unknown";
}

std::optional<Reason> sender_reason(std::string_view sender) {
  if (sender.empty() || sender == "#@[]") return Reason::null_sender;
  if (mta::address::check_envelope_address(sender)) return Reason::bad_sender;
  for (char c : sender)
    if (static_cast<unsigned char>(c) <= ' ' || c == 127) return Reason::bad_sender;
  auto split = mta::address::split_at_last(sender);
  if (!split.has_at || split.local.empty() || split.domain.empty()) return Reason::bad_sender;
  if (system_local(split.local)) return Reason::system_sender;
  return std::nullopt;
}

std::optional<Reason> suppress(const Header& header, std::string_view sender, const Policy& policy,
                               std::time_t now) {
  if (auto r = sender_reason(sender)) return r;

  // Loops: our own Delivered-To (qmail-local bounces an exact copy before we
  // run, but a folded or re-cased one gets here), or autorespond 2.0's mark.
  std::string_view dt = trim(policy.dtline);
  for (const auto* f : header.find_all("Delivered-To")) {
    std::string value(trim(mta::message::unfold(f->value())));
    if (!dt.empty() && iequals(trim(mta::message::unfold(f->raw)), dt)) return Reason::loop;
    if (ascii_lower(value).find("autoresponder") != std::string::npos) return Reason::loop;
  }

  if (const auto* f = header.find("Auto-Submitted")) {
    std::string t = first_token(f->value());
    if (t != "no") return Reason::auto_submitted;
  }
  for (const auto* f : header.find_all("X-Auto-Response-Suppress")) {
    std::string v = ascii_lower(mta::message::unfold(f->value()));
    std::string word;
    for (char c : v + ",") {
      if (c == ',' || c == ' ' || c == '\t') {
        if (word == "all" || word == "oof" || word == "autoreply") return Reason::suppressed;
        word.clear();
      } else {
        word.push_back(c);
      }
    }
  }
  for (const auto* f : header.find_all("Precedence")) {
    std::string t = first_token(f->value());
    if (t == "bulk" || t == "junk" || t == "list" || t == "auto_reply") return Reason::precedence;
  }
  for (const auto& f : header.fields)
    if (is_list_field(f.name)) return Reason::list;
  if (header.has("X-Autoreply") || header.has("X-Autorespond")) return Reason::auto_reply;

  if (!policy.recipient.empty() && same_address(sender, policy.recipient)) return Reason::own_address;
  for (const auto& owner : policy.owners)
    if (same_address(sender, owner)) return Reason::own_address;
  if (!policy.owners.empty()) {
    bool found = false;
    for (const auto& addr : recipients_of(header))
      for (const auto& owner : policy.owners)
        if (same_address(addr, owner)) found = true;
    if (!found) return Reason::not_addressed;
  }

  if (policy.start && now < *policy.start) return Reason::outside_period;
  if (policy.end && now > *policy.end) return Reason::outside_period;
  return std::nullopt;
}

}  // namespace autorespond
