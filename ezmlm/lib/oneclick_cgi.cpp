// ezmlm/lib/oneclick_cgi.cpp — see oneclick_cgi.h.
#include "ezmlm/lib/oneclick_cgi.h"

#include <fcntl.h>

#include <algorithm>
#include <cstdlib>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/text.h"
#include "mta/render/oneclick.h"

namespace ezmlm::oneclick {

namespace {

namespace oc = mta::oneclick;
using mta::cat;

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

Response page(int status, std::string reason, std::string_view title, std::string_view text) {
  return Response{status, std::move(reason),
                  cat("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", html_escape(title),
                      "</title></head>\n<body><h1>", html_escape(title), "</h1>\n<p>", text, "</p></body></html>\n")};
}

Response bad_request(std::string_view why) { return page(400, "Bad Request", "Bad request", html_escape(why)); }

bool digits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The token's fields, each exactly once.
struct Token {
  std::string list, address, mac;
  unsigned long number = 0;
  std::time_t when = 0;
};

std::optional<Token> parse_token(std::string_view query) {
  auto form = oc::parse_form(query);
  if (!form) return std::nullopt;
  std::optional<std::string> l, a, n, t, m;
  for (auto& [name, value] : *form) {
    std::optional<std::string>* slot = name == "l" ? &l : name == "a" ? &a : name == "n" ? &n : name == "t" ? &t
                                       : name == "m" ? &m : nullptr;
    if (!slot) continue;  // unknown parameters (tracking tags added by gateways) are ignored
    if (*slot) return std::nullopt;
    *slot = std::move(value);
  }
  if (!l || !a || !n || !t || !m || !digits(*n) || !digits(*t) || m->size() != oc::mac_hex_length) return std::nullopt;
  if (a->find('@') == std::string::npos || a->find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos)
    return std::nullopt;
  Token tok{*l, *a, *m, std::strtoul(n->c_str(), nullptr, 10), static_cast<std::time_t>(std::strtoll(t->c_str(), nullptr, 10))};
  return tok;
}

// RFC 8058 3.2: the body is List-Unsubscribe=One-Click, urlencoded or as a
// multipart/form-data field.
bool one_click_body(const Request& r) {
  std::string type = mta::address::ascii_lower(r.content_type);
  if (type.rfind("multipart/form-data", 0) == 0) {
    // The field's part: its name in Content-Disposition, then the value line.
    auto at = r.body.find("name=\"List-Unsubscribe\"");
    if (at == std::string::npos) return false;
    auto blank = r.body.find("\r\n\r\n", at);
    if (blank == std::string::npos) return false;
    return r.body.compare(blank + 4, 9, "One-Click") == 0;
  }
  std::string_view body = r.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  auto form = oc::parse_form(body);
  if (!form) return false;
  for (const auto& [name, value] : *form)
    if (name == "List-Unsubscribe" && value == "One-Click") return true;
  return false;
}

// The time of the address's latest subscription in DIR/Log, or 0.
std::time_t latest_subscription(const fs::path& log, std::string_view address) {
  auto fd = mta::io::open_if_exists(log, O_RDONLY);
  if (!fd) return 0;
  std::time_t latest = 0;
  mta::io::Reader in(fd.get());
  std::string line;
  while (in.getline(line) != mta::io::Reader::Got::nothing) {
    // "when SP +event SP address[ SP comment]"
    auto sp1 = line.find(' ');
    if (sp1 == std::string::npos || sp1 + 1 >= line.size() || line[sp1 + 1] != '+') continue;
    auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos) continue;
    auto end = line.find_first_of(" \n", sp2 + 1);
    std::string_view addr = std::string_view(line).substr(sp2 + 1, end == std::string::npos ? std::string::npos : end - sp2 - 1);
    if (!mta::address::iequals(addr, address)) continue;
    std::string_view when = std::string_view(line).substr(0, sp1);
    if (digits(when)) latest = std::max<std::time_t>(latest, std::strtoll(std::string(when).c_str(), nullptr, 10));
  }
  return latest;
}

}  // namespace

std::optional<fs::path> find_list(std::string_view config, std::string_view list) {
  std::optional<fs::path> found;
  mta::text::for_each_line(config, [&](std::size_t, std::string_view line) {
    line = mta::text::trim(line);
    if (line.empty() || line.front() == '#' || found) return;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view name = mta::text::trim(line.substr(0, colon));
    std::string_view dir = mta::text::trim(line.substr(colon + 1));
    if (dir.empty() || dir.front() != '/') return;  // only absolute directories
    if (mta::address::iequals(name, list)) found = fs::path(std::string(dir));
  });
  return found;
}

Response handle(const Request& r, std::string_view config, std::time_t now) {
  const bool get = r.method == "GET" || r.method == "HEAD";
  if (!get && r.method != "POST") {
    Response resp = page(405, "Method Not Allowed", "Method not allowed", "Use GET or POST.");
    return resp;
  }
  auto tok = parse_token(r.query);
  if (!tok) return bad_request("This unsubscribe link is incomplete or damaged.");
  auto dir = find_list(config, tok->list);
  if (!dir) return page(404, "Not Found", "Unknown list", "This server does not handle that list.");
  auto key = mta::io::read_file(*dir / "key");
  if (!key || key->empty()) throw mta::TempError(cat("unable to read ", (*dir / "key").string()), "4.3.0");
  std::string want = oc::recipient_mac(oc::message_key(*key, tok->list, tok->number, tok->when), tok->address);
  if (!oc::equal_ct(want, mta::address::ascii_lower(tok->mac)))
    return page(403, "Forbidden", "Invalid link", "This unsubscribe link is not valid.");
  if (tok->when > now + 3600) return page(403, "Forbidden", "Invalid link", "This unsubscribe link is not valid.");
  if (now - tok->when > token_lifetime)
    return page(410, "Gone", "Link expired",
                cat("This link has expired. To unsubscribe, send a message to ", html_escape(tok->list),
                    " with the word unsubscribe or use the mailto link of a recent message."));
  const std::string who = html_escape(tok->address), list = html_escape(tok->list);
  if (get)
    return page(200, "OK", "Unsubscribe",
                cat("Remove <b>", who, "</b> from the list <b>", list, "</b>?</p>\n",
                    "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">",
                    "<button type=\"submit\">Unsubscribe</button></form><p>Nothing happens until you press the button."));
  if (!one_click_body(r)) return bad_request("The request must carry List-Unsubscribe=One-Click.");
  ListDir ld(*dir);
  auto store = open_store(ld, "");
  if (!store->contains(tok->address))
    return page(410, "Gone", "Not subscribed", cat(who, " is not subscribed to ", list, "."));
  if (latest_subscription(*dir / "Log", tok->address) > tok->when)
    return page(403, "Forbidden", "Invalid link", "This link is older than the latest subscription of the address.");
  if (!store->remove(tok->address, "oneclick", ""))
    return page(410, "Gone", "Not subscribed", cat(who, " is not subscribed to ", list, "."));
  return page(200, "OK", "Unsubscribed", cat(who, " has been removed from ", list, "."));
}

std::string cgi_output(const Response& r, bool head_only) {
  return cat("Status: ", std::to_string(r.status), " ", r.reason,
             "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n",
             head_only ? std::string_view() : std::string_view(r.body));
}

}  // namespace ezmlm::oneclick
