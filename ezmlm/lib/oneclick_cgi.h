// ezmlm/lib/oneclick_cgi.h — ezmlm-oneclick: the RFC 8058 endpoint, as a
// CGI program (RFC 3875) run by an existing web server (issue 12).
//
// The URI a subscriber's copy carries (mta/render/oneclick.h):
//   BASEURL?l=LIST@HOST&a=ADDRESS&n=NUM&t=TIME&m=MAC
// MAC is checked against HMAC-SHA256(per-message key, ADDRESS) where the
// per-message key is re-derived from DIR/key — constant-time comparison.
//
// Which list directory: the configuration file (EZMLM_ONECLICK_CONF, else
// /etc/ezmlm/oneclick.conf) has lines "list@host:DIR" (DIR absolute; '#'
// comments and blank lines ignored). The URL only names the list; a path
// is never taken from it.
//
// Answers:
//   400 malformed query or POST body; 404 list not configured;
//   403 forged token (MAC wrong), a time in the future, or a token older
//       than the address's latest subscription (DIR/Log '+' line): a link
//       from before an unsubscribe/resubscribe cycle is a replay;
//   410 expired (older than token_lifetime) or the address is not (any
//       more) subscribed — a second POST changes nothing;
//   405 other methods; 503 when the list cannot be read or written.
//   GET/HEAD with a good token: 200 and a confirmation page whose form
//       POSTs; it never unsubscribes (link scanners fetch URLs).
//   POST with body List-Unsubscribe=One-Click (urlencoded or
//       multipart/form-data) and a good token: the address is removed at
//       once (Log "-oneclick"), 200.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ezmlm::oneclick {

inline constexpr std::time_t token_lifetime = 60L * 24 * 3600;  // links in old mail keep working two months
inline constexpr std::size_t max_body = 65536;

struct Request {
  std::string method;        // REQUEST_METHOD
  std::string query;         // QUERY_STRING
  std::string content_type;  // CONTENT_TYPE
  std::string body;          // the POST body (CONTENT_LENGTH bytes of stdin)
};

struct Response {
  int status = 200;
  std::string reason;  // "OK", "Forbidden", ...
  std::string body;    // text/html
};

// The directory of `list` in configuration text, or nullopt.
std::optional<std::filesystem::path> find_list(std::string_view config, std::string_view list);

// The whole decision; `config` is the configuration file's text.
Response handle(const Request& request, std::string_view config, std::time_t now);

// The CGI output: Status, Content-Type, Cache-Control, blank line, body.
std::string cgi_output(const Response& r, bool head_only);

}  // namespace ezmlm::oneclick
