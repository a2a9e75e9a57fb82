// ezmlm-oneclick — the RFC 8058 one-click unsubscribe endpoint, a CGI
// program (RFC 3875) for an existing web server. See ezmlm-oneclick(8)
// and ezmlm/lib/oneclick_cgi.h.
//
// Reads REQUEST_METHOD, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH and that
// many bytes of stdin; writes a CGI response on stdout. The list directory
// comes from $EZMLM_ONECLICK_CONF (default /etc/ezmlm/oneclick.conf).
// Exit 0 whenever a response was written (its Status says what happened);
// 100 when run outside a CGI environment.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "ezmlm/lib/oneclick_cgi.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The body: exactly CONTENT_LENGTH bytes (RFC 3875 4.2), at most max_body.
std::optional<std::string> read_body(std::string_view length) {
  if (length.empty()) return std::string();
  unsigned long n = 0;
  for (char c : length) {
    if (c < '0' || c > '9' || n > ezmlm::oneclick::max_body) return std::nullopt;
    n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  if (n > ezmlm::oneclick::max_body) return std::nullopt;
  std::string body(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(0, body.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  body.resize(got);
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-oneclick", "ezmlm-oneclick (run by a web server as CGI)",
       "Unsubscribe a mailing-list address by an RFC 8058 one-click link."},
      argc, argv, [](int, char**) {
        namespace oc = ezmlm::oneclick;
        oc::Request req{env("REQUEST_METHOD"), env("QUERY_STRING"), env("CONTENT_TYPE"), {}};
        if (req.method.empty()) throw mta::UsageError("ezmlm-oneclick: not run as CGI (no REQUEST_METHOD)");
        oc::Response resp;
        try {
          auto body = read_body(env("CONTENT_LENGTH"));
          if (!body) {
            resp = {413, "Content Too Large", "<!DOCTYPE html>\n<p>Request body too large.</p>\n"};
          } else {
            req.body = std::move(*body);
            std::string conf = env("EZMLM_ONECLICK_CONF");
            if (conf.empty()) conf = "/etc/ezmlm/oneclick.conf";
            auto config = mta::io::read_file(conf);
            if (!config) throw mta::TempError("unable to read " + conf, "4.3.0");
            resp = oc::handle(req, *config, std::time(nullptr));
          }
        } catch (const mta::MailError& e) {
          // The web server's error log gets the reason; the client only "try later".
          mta::io::write_all(2, mta::cat("ezmlm-oneclick: ", e.what(), "\n"));
          resp = {503, "Service Unavailable", "<!DOCTYPE html>\n<p>Please try again later.</p>\n"};
        }
        mta::io::write_all(1, oc::cgi_output(resp, req.method == "HEAD"));
        return mta::exit_ok;
      });
}
