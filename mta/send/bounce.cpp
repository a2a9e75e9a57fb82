// mta/send/bounce.cpp — VERP and QSBMF (see bounce.h).
#include "mta/send/bounce.h"

#include "mta/core/address.h"
#include "mta/core/date.h"

namespace mta::send {
namespace {

constexpr std::string_view verp_marker = "-@[]";

bool ends_with_verp(std::string_view s) {
  return s.size() >= verp_marker.size() && s.substr(s.size() - verp_marker.size()) == verp_marker;
}

}  // namespace

std::string verp_sender(std::string_view sender, std::string_view recipient) {
  if (!ends_with_verp(sender)) return std::string(sender);
  std::size_t rat = recipient.rfind('@');
  if (rat == std::string_view::npos) return std::string(sender);
  std::string_view base = sender.substr(0, sender.size() - verp_marker.size());  // "P@H"
  std::size_t sat = base.rfind('@');
  if (sat == std::string_view::npos) return std::string(sender);  // no "@H": not a VERP sender
  std::string out(base.substr(0, sat));
  out.append(recipient.substr(0, rat));
  out.push_back('=');
  out.append(recipient.substr(rat + 1));
  out.push_back('@');
  out.append(base.substr(sat + 1));
  return out;
}

std::string strip_verp(std::string_view sender) {
  if (!ends_with_verp(sender)) return std::string(sender);
  return std::string(sender.substr(0, sender.size() - verp_marker.size()));
}

bool is_verp_template(std::string_view sender) {
  return ends_with_verp(sender) &&
         sender.substr(0, sender.size() - verp_marker.size()).find('@') != std::string_view::npos;
}

std::optional<std::string> verp_template(std::string_view sender, std::string_view recipient) {
  std::size_t rat = recipient.rfind('@');
  std::size_t sat = sender.rfind('@');
  if (rat == std::string_view::npos || sat == std::string_view::npos) return std::nullopt;
  // "box=dom" is what the expansion put in front of "@H".
  std::string tail(recipient.substr(0, rat));
  tail.push_back('=');
  tail.append(recipient.substr(rat + 1));
  std::string_view local = sender.substr(0, sat);
  if (local.size() <= tail.size() || local.substr(local.size() - tail.size()) != tail) return std::nullopt;
  std::string_view prefix = local.substr(0, local.size() - tail.size());  // "P-"
  if (prefix.back() != '-') return std::nullopt;
  std::string t(prefix);
  t.push_back('@');
  t.append(sender.substr(sat + 1));
  t.append(verp_marker);
  return t;
}

std::string bounce_paragraph(std::string_view recipient, std::string_view report) {
  std::string out = "<";
  out.append(recipient);
  out.append(">:\n");
  out.append(report);
  if (!report.empty() && report.back() != '\n') out.push_back('\n');
  // In place and left to right, as qmail does: "\n\n\n" becomes "\n/\n".
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '\n' && out[i + 1] == '\n') out[i + 1] = '/';
  out.push_back('\n');
  return out;
}

BounceKind bounce_kind(std::string_view stored_sender) {
  std::string s = strip_verp(stored_sender);
  if (s.empty()) return BounceKind::double_bounce;
  if (s == "#@[]") return BounceKind::triple;
  return BounceKind::single;
}

BounceNotice compose_bounce(const BounceConfig& cfg, std::string_view stored_sender,
                            std::string_view bounce_text, std::time_t now) {
  std::string sender = strip_verp(stored_sender);
  BounceNotice n;
  bool single = !sender.empty();
  n.sender = single ? "" : "#@[]";
  n.recipient = single ? sender : cfg.doublebounceto + "@" + cfg.doublebouncehost;

  std::string& h = n.head;
  h = "Date: " + date::date822(now) + "\n";
  h += "From: " + address::quote(cfg.bouncefrom + "@" + cfg.bouncehost) + "\n";
  h += "To: " + address::quote(n.recipient) + "\n";
  h += "Subject: failure notice\n\n";
  h += "Hi. This is the qmail-send program at " + cfg.bouncehost + ".\n";
  if (single)
    h += "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         "This is a permanent error; I've given up. Sorry it didn't work out.\n\n";
  else
    h += "I tried to deliver a bounce message to this address, but the bounce bounced!\n\n";
  h.append(bounce_text);
  h += single ? "--- Below this line is a copy of the message.\n\n"
              : "--- Below this line is the original bounce.\n\n";
  h += "Return-Path: <" + address::quote(sender) + ">\n";
  return n;
}

}  // namespace mta::send
