#include "mta/smtp/qmtp.h"

#include <algorithm>
#include <ctime>

#include "mta/core/date.h"
#include "mta/core/queue_client.h"

namespace mta::qmtp {

namespace {

// A malformed stream: the connection is closed, exit 100.
struct ProtocolError {};
// The connection broke in mid-message: exit 111.
struct Broken {};

// Reader - byte-level access to the Stream for netstring parsing.
class Reader {
 public:
  explicit Reader(net::Stream& io) : io_(io) {}
  // One byte; nullopt at EOF.
  std::optional<char> get() {
    if (io_.buffered().empty() && !io_.fill()) return std::nullopt;
    char c = io_.buffered().front();
    io_.consume(1);
    return c;
  }
  char need() {
    auto c = get();
    if (!c) throw Broken{};
    return *c;
  }
  // "digits:" — nullopt at EOF before the first digit (if eof_ok).
  // consumed counts the bytes read.
  std::optional<std::uint64_t> length(bool eof_ok, std::uint64_t* consumed = nullptr) {
    std::uint64_t n = 0;
    std::size_t digits = 0;
    for (;;) {
      auto c = get();
      if (!c) {
        if (digits == 0 && eof_ok) return std::nullopt;
        throw Broken{};
      }
      if (consumed) ++*consumed;
      if (*c == ':') break;
      if (*c < '0' || *c > '9') throw ProtocolError{};
      n = n * 10 + static_cast<std::uint64_t>(*c - '0');
      if (++digits > 10 || n > max_netstring) throw Broken{};  // qmail: exit 111
    }
    if (digits == 0) throw ProtocolError{};
    return n;
  }
  // Passes the next n bytes to sink in chunks.
  template <typename Sink>
  void body(std::uint64_t n, Sink&& sink) {
    while (n > 0) {
      if (io_.buffered().empty() && !io_.fill()) throw Broken{};
      std::string_view have = io_.buffered();
      std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, have.size()));
      sink(have.substr(0, k));
      io_.consume(k);
      n -= k;
    }
  }
  void comma() {
    if (need() != ',') throw ProtocolError{};
  }

 private:
  net::Stream& io_;
};

}  // namespace

std::string netstring(std::string_view s) { return cat(std::to_string(s.size()), ":", s, ","); }

std::optional<std::vector<std::string>> parse_netstrings(std::string_view data) {
  std::vector<std::string> out;
  while (!data.empty()) {
    std::size_t colon = data.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon > 10) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : data.substr(0, colon)) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    data.remove_prefix(colon + 1);
    if (n >= data.size() || data[n] != ',') return std::nullopt;
    out.emplace_back(data.substr(0, n));
    data.remove_prefix(n + 1);
  }
  return out;
}

void crlf_to_lf(std::string_view in, bool& pending_cr, std::string& out) {
  for (char c : in) {
    if (pending_cr) {
      if (c == '\n') {
        out.push_back('\n');
        pending_cr = false;
        continue;
      }
      out.push_back('\r');
    }
    pending_cr = c == '\r';
    if (!pending_cr) out.push_back(c);
  }
}

bool Session::one_message() {
  Reader in(io_);
  if (io_.pending_input() == 0) io_.flush();  // answers go out when we wait
  auto len = in.length(true);
  if (!len) return false;
  if (*len == 0) throw ProtocolError{};
  char type = in.need();
  if (type != '\n' && type != '\r') throw ProtocolError{};

  // 1. The message, streamed into qmail-queue as it arrives.
  std::optional<QueueClient> qq;
  std::string failure;  // a D/Z text for every recipient, or ""
  try {
    qq.emplace(cfg_.home, queue_);
    smtpd::ReceivedInfo r = cfg_.peer;
    r.helo.clear();
    r.protocol = "QMTP";
    qq->put(smtpd::received_line(r, date::date822(std::time(nullptr))));
  } catch (const TempError&) {
    failure = "Zqqt failure (#4.3.0)";
  }
  std::uint64_t stored = 0;
  bool too_big = false, pending_cr = false;
  std::string out;
  in.body(*len - 1, [&](std::string_view chunk) {
    out.clear();
    if (type == '\r') crlf_to_lf(chunk, pending_cr, out);
    else out.assign(chunk);
    stored += out.size();
    if (cfg_.databytes && stored > cfg_.databytes) too_big = true;
    if (qq && !too_big) qq->put(out);
  });
  if (pending_cr && qq && !too_big) qq->put("\r");
  in.comma();
  if (too_big) failure = "Dsorry, that message size exceeds my databytes limit (#5.3.4)";

  // 2. The sender.
  std::string sender;
  bool bad_sender = false;
  auto slen = in.length(false);
  in.body(*slen, [&](std::string_view chunk) {
    if (sender.size() + chunk.size() >= max_address) bad_sender = true;
    else sender.append(chunk);
  });
  in.comma();
  if (bad_sender || sender.find('\0') != std::string::npos) failure = "Dunacceptable sender (#5.1.7)";

  // 3. The recipients, each checked as qmail-smtpd checks RCPT.
  std::uint64_t outer = *in.length(false);
  std::vector<std::string> answers;
  Envelope env{sender, {}};
  const std::string relay = cfg_.relayclient.value_or("");
  while (outer > 0) {
    std::uint64_t used = 0;
    std::uint64_t n = *in.length(false, &used);
    if (used + n + 1 > outer) throw ProtocolError{};
    std::string rcpt;
    bool bad = n + relay.size() >= max_address;
    in.body(n, [&](std::string_view chunk) {
      if (!bad) rcpt.append(chunk);
    });
    in.comma();
    outer -= used + n + 1;
    if (bad || rcpt.find('\0') != std::string::npos) {
      answers.push_back("Dsorry, I can't handle that recipient (#5.1.3)");
    } else if (!cfg_.relayclient && !cfg_.rcpthosts->allows(rcpt)) {
      answers.push_back("Dsorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)");
    } else {
      env.recipients.push_back(rcpt + relay);
      answers.emplace_back();  // the message's result, below
    }
  }
  in.comma();

  // 4. Queue it (only if someone accepted) and answer every recipient.
  std::string result = failure;
  if (result.empty() && !env.recipients.empty()) {
    pid_t qp = qq->qp();
    QueueResult res = qq->finish(env);
    result = res.ok() ? cat("Kok ", std::to_string(std::time(nullptr)), " qp ", std::to_string(qp)) : res.text;
  }
  qq.reset();  // abandoned unless finished: nothing queued
  for (auto& a : answers) io_.write(netstring(a.empty() ? result : a));
  return true;
}

int Session::run() {
  try {
    while (one_message()) {
    }
    io_.flush();
    return 0;
  } catch (const ProtocolError&) {
    io_.flush();
    return exit_perm;
  } catch (const Broken&) {
    return exit_temp;
  } catch (const MailError&) {
    return exit_temp;  // timeout, connection error, unreadable control
  }
}

}  // namespace mta::qmtp
