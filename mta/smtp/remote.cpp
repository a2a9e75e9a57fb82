// mta/smtp/remote.cpp — see remote.h. The texts of the reports are qmail's
// (reference mta.md 9.4-9.5) wherever qmail has one, because people grep
// bounces and logs for them; texts for what qmail cannot do are ours.
#include "mta/smtp/remote.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>

#include "mta/core/address.h"
#include "mta/core/control.h"
#include "mta/core/dns.h"
#include "mta/core/exitcodes.h"
#include "mta/core/netio.h"
#include "mta/core/tls.h"
#include "mta/smtp/remote_parts.h"
#include "mta/smtp/tcpto.h"

namespace mta::remote {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The end of a delivery attempt: the message report (letter + text).
struct Final {
  std::string report;
};

struct Settings {
  std::string helohost;
  std::string me;
  milliseconds timeout_connect{60000};
  milliseconds timeout_remote{1200000};
  unsigned port = 25;
  std::vector<std::string> routes;
  std::vector<std::string> tls_lines;
};

std::string said(const Reply& reply) { return cat("Remote host said: ", reply.text); }

Settings read_settings(const Home& home) {
  const Final unreadable{"ZUnable to read control files. (#4.3.0)\n"};
  try {
    control::Control ctl(home);
    Settings s;
    s.me = ctl.me().value_or("");
    auto helo = ctl.line("helohost");
    if (!helo && s.me.empty()) throw unreadable;
    s.helohost = helo ? *helo : s.me;
    s.timeout_connect = seconds(ctl.number("timeoutconnect", 60));
    s.timeout_remote = seconds(ctl.number("timeoutremote", 1200));
    s.port = static_cast<unsigned>(ctl.number("remoteport", 25));
    if (s.port == 0 || s.port > 65535) throw unreadable;
    s.routes = ctl.list("smtproutes").value_or(std::vector<std::string>{});
    s.tls_lines = ctl.list("tlsdestinations").value_or(std::vector<std::string>{});
    return s;
  } catch (const MailError&) {
    throw unreadable;
  }
}

// Every address of this host's interfaces, plus the wildcard addresses.
std::vector<dns::IpAddress> local_ips() {
  std::vector<dns::IpAddress> out{*dns::IpAddress::parse("0.0.0.0"), *dns::IpAddress::parse("::")};
  try {
    auto mine = dns::interface_addresses();
    out.insert(out.end(), mine.begin(), mine.end());
  } catch (const TempError&) {
    // Without the interface list only the wildcards count as us, as before.
  }
  return out;
}

// resolve - the addresses to try, in order (mta.md 9.3-9.4). Throws Final.
std::vector<Destination> resolve(const Job& job, const Settings& settings, unsigned& port) {
  std::optional<Route> route;
  try {
    route = find_route(settings.routes, job.host);
  } catch (const std::invalid_argument&) {
    throw Final{"ZUnable to read control files. (#4.3.0)\n"};
  }
  port = settings.port;
  if (route && route->port) port = route->port;
  bool routed = route && !route->relay.empty();
  std::string target = routed ? route->relay : job.host;

  std::vector<Destination> dests;
  if (auto ip = parse_literal(target)) {
    dests.push_back(Destination{*ip, 0, ""});
  } else {
    std::unique_ptr<dns::Resolver> resolver;
    try {
      resolver = std::make_unique<dns::Resolver>();
    } catch (const dns::Error&) {
      throw Final{"ZSorry, I couldn't find any host by that name. (#4.1.2)\n"};
    }
    const Final soft{"ZSorry, I couldn't find any host by that name. (#4.1.2)\n"};
    const Final hard{cat("DSorry, I couldn't find any host named ", target, ". (#5.1.2)\n")};
    std::vector<dns::Mx> mx;
    if (!routed) {
      try {
        mx = resolver->mx(target);
      } catch (const dns::Error& e) {
        if (!e.permanent()) throw soft;
      }
    }
    bool soft_seen = false;
    if (mx.empty()) {
      try {
        for (auto& ip : resolver->addresses(target)) dests.push_back(Destination{ip, 0, target});
      } catch (const dns::Error& e) {
        throw e.permanent() ? hard : soft;
      }
    } else {
      // RFC 7505: a single MX "." says the domain accepts no mail.
      if (mx.size() == 1 && (mx[0].host.empty() || mx[0].host == "."))
        throw Final{cat("DSorry, ", target, " does not accept mail (null MX). (#5.1.10)\n")};
      std::random_device seed;
      std::mt19937 random(seed() ^ static_cast<unsigned>(std::time(nullptr)) ^ static_cast<unsigned>(getpid()));
      order_mx(mx, random);
      for (const auto& m : mx) {
        std::vector<dns::IpAddress> ips;
        if (auto lit = parse_literal(m.host)) {
          ips.push_back(*lit);
        } else {
          try {
            ips = resolver->addresses(m.host);
          } catch (const dns::Error& e) {
            if (!e.permanent()) soft_seen = true;  // hard: this MX is skipped silently
          }
        }
        for (auto& ip : ips) dests.push_back(Destination{ip, m.preference, m.host});
      }
    }
    if (dests.empty()) {
      if (soft_seen) throw soft;
      throw Final{"DSorry, I couldn't find a mail exchanger or IP address. (#5.4.4)\n"};
    }
  }
  // The self check guards against a loop through our own SMTP listener on
  // port 25; a route, or another port, points elsewhere by definition.
  if (!routed && port == 25) {
    std::vector<std::string> names;
    if (!settings.me.empty()) names.push_back(settings.me);
    if (!drop_self(dests, local_ips(), names))
      throw Final{
          "DSorry. Although I'm listed as a best-preference MX or A for that host,\n"
          "it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)\n"};
  }
  return dests;
}

enum class Connect { ok, timeout, failed };

// connect_to - a TCP connection within `timeout`, Nagle off.
io::Fd connect_to(const dns::IpAddress& ip, unsigned port, milliseconds timeout, Connect& result) {
  result = Connect::failed;
  sockaddr_storage ss{};
  socklen_t len;
  if (ip.v6()) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sa->sin6_addr, ip.bytes.data(), 16);
    len = sizeof *sa;
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sa->sin_addr, ip.bytes.data(), 4);
    len = sizeof *sa;
  }
  io::Fd fd(socket(ip.v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return fd;
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // commands go out whole, not delayed
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return io::Fd{};
    pollfd p{fd.get(), POLLOUT, 0};
    int n;
    do n = poll(&p, 1, static_cast<int>(timeout.count()));
    while (n < 0 && errno == EINTR);
    if (n == 0) { result = Connect::timeout; return io::Fd{}; }
    int err = 0;
    socklen_t errlen = sizeof err;
    if (n < 0 || getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &errlen) != 0) return io::Fd{};
    if (err) {
      if (err == ETIMEDOUT) result = Connect::timeout;
      return io::Fd{};
    }
  }
  result = Connect::ok;
  return fd;
}

struct Outcome {
  std::vector<std::string> recipients;  // reports so far
  std::string final;
  bool retry_plain = false;  // opportunistic TLS failed: try again without it
};

// One SMTP session on a connected socket (mta.md 9.5 plus ESMTP).
class Session {
 public:
  Session(net::Stream& stream, const Settings& settings, const Job& job, const Destination& dest,
          const TlsRule& tls, bool try_tls, int message_fd)
      : s_(stream), settings_(settings), job_(job), dest_(dest), tls_(tls), try_tls_(try_tls),
        message_fd_(message_fd), ip_(dest.address.to_string()) {}

  Outcome run() {
    try {
      dialogue();
    } catch (const Final& f) {
      out_.final = f.report;
    } catch (const ReplyError&) {
      out_.final = died();
    } catch (const net::Timeout&) {
      out_.final = died();
    } catch (const net::Error&) {
      out_.final = died();
    }
    if (job_.render && !out_.retry_plain) settle_copies();
    return std::move(out_);
  }

 private:
  // settle_copies - per-recipient mode stopped early (connection died, the
  // server quit): copies already accepted stay delivered — a Z for the
  // message would send them again — and the rest get the reason as their
  // own report.
  void settle_copies() {
    if (out_.recipients.empty()) return;  // no copy tried: the message report says it all
    bool delivered = false;
    for (const auto& r : out_.recipients) delivered |= r[0] == 'r';
    std::string rest = out_.final.empty() ? std::string("Z") : out_.final;
    while (out_.recipients.size() < job_.recipients.size())
      out_.recipients.push_back(cat(rest[0] == 'D' ? "h" : "s", std::string_view(rest).substr(1)));
    if (delivered && out_.final.substr(0, 1) != "K") out_.final = cat("K", ip_, " accepted the copies reported.\n");
  }

  std::string died() const {
    return cat("ZConnected to ", ip_, " but connection died. ", dot_sent_ ? "Possible duplicate! " : "",
               "(#4.4.2)\n");
  }

  Reply read_reply() {
    ReplyParser parser;
    for (;;) {
      std::optional<std::string> line;
      try {
        line = s_.getline(max_reply_line);
      } catch (const io::LineTooLong&) {
        throw ReplyError("reply line too long");
      }
      if (!line || line->empty() || line->back() != '\n') throw net::Error("connection closed");
      line->pop_back();
      if (auto reply = parser.line(*line)) return std::move(*reply);
    }
  }

  Reply command(std::string_view line) {
    s_.write(line);
    s_.flush();
    return read_reply();
  }

  [[noreturn]] void quit(std::string report) {
    try {
      s_.write("QUIT\r\n");
      s_.flush();
    } catch (const MailError&) {
      // the report is what matters; the peer may be gone already
    }
    throw Final{std::move(report)};
  }

  // ehlo - EHLO, or HELO when the server refuses it; the extensions offered.
  Extensions ehlo() {
    Reply r = command(cat("EHLO ", settings_.helohost, "\r\n"));
    if (r.code == 250) return parse_ehlo(r);
    r = command(cat("HELO ", settings_.helohost, "\r\n"));
    if (r.code != 250) quit(cat("ZConnected to ", ip_, " but my name was rejected.\n", said(r)));
    return Extensions{};
  }

  void starttls(Extensions& ext) {
    bool verify = tls_.policy == TlsPolicy::verify;
    if (!ext.starttls) {
      if (verify)
        quit(cat("ZConnected to ", ip_, " but it does not offer STARTTLS, which control/tlsdestinations",
                 " requires. (#4.7.5)\n"));
      return;
    }
    Reply r = command("STARTTLS\r\n");
    if (r.code != 220) {
      if (verify) quit(cat("ZConnected to ", ip_, " but STARTTLS was refused. (#4.7.5)\n", said(r)));
      return;  // the session goes on in plain text
    }
    try {
      auto ctx = tls::client_context(verify, tls_.ca_file);
      s_.start_tls_client(ctx, dest_.name.empty() ? ip_ : dest_.name);
    } catch (const MailError& e) {
      if (verify)
        throw Final{cat("ZTLS connection to ", ip_, " failed: ", e.what(), ". (#4.7.5)\n")};
      out_.retry_plain = true;
      throw Final{""};
    }
    if (verify && !s_.peer_verified())
      throw Final{cat("ZTLS connection to ", ip_, " failed: the certificate did not verify. (#4.7.5)\n")};
    ext = ehlo();
  }

  std::string mail_command(const Extensions& ext) {
    std::string cmd = cat("MAIL FROM:", smtp_path(sender_ ? *sender_ : job_.sender));
    struct stat st{};
    if (ext.size && fstat(message_fd_, &st) == 0 && S_ISREG(st.st_mode)) {
      off_t at = copy_ ? copy_->body_offset : lseek(message_fd_, 0, SEEK_CUR);
      off_t size = st.st_size - (at > 0 ? at : 0) +
                   static_cast<off_t>(copy_ ? copy_->head.size() : job_.prefix.size());
      cmd += cat(" SIZE=", std::to_string(size > 0 ? size : 0));
    }
    if (ext.eightbitmime) cmd += " BODY=8BITMIME";
    if (utf8_) cmd += " SMTPUTF8";
    return cmd + "\r\n";
  }

  void dialogue() {
    Reply greeting = read_reply();
    if (greeting.code != 220) quit(cat("ZConnected to ", ip_, " but greeting failed.\n", said(greeting)));
    Extensions ext = ehlo();
    if (try_tls_ && tls_.policy != TlsPolicy::none) starttls(ext);

    // SMTPUTF8 (RFC 6531): an address with 8-bit bytes needs the extension.
    utf8_ = needs_utf8(job_.sender);
    bool any_utf8_rcpt = false;
    for (const auto& r : job_.recipients) any_utf8_rcpt |= needs_utf8(r);
    const std::string no_utf8 = cat("Connected to ", ip_,
                                    " but it does not support SMTPUTF8, which the address needs. (#5.6.7)\n");
    if (utf8_ && !ext.smtputf8) quit(cat("D", no_utf8));
    if (any_utf8_rcpt && ext.smtputf8) utf8_ = true;

    // Which recipients are offered: those the server can take.
    std::vector<bool> offered;
    for (const auto& r : job_.recipients) offered.push_back(ext.smtputf8 || !needs_utf8(r));

    if (job_.render) {
      per_recipient(ext, offered, no_utf8);
      return;
    }
    std::string mail = mail_command(ext);
    std::vector<std::string> rcpts;
    for (std::size_t i = 0; i < job_.recipients.size(); ++i)
      if (offered[i]) rcpts.push_back(cat("RCPT TO:", smtp_path(job_.recipients[i]), "\r\n"));

    // RFC 2920: with PIPELINING the envelope and DATA go out in one write.
    bool pipelined = ext.pipelining && !rcpts.empty();
    if (pipelined) {
      std::string batch = mail;
      for (const auto& r : rcpts) batch += r;
      batch += "DATA\r\n";
      s_.write(batch);
      s_.flush();
    }
    Reply r = pipelined ? read_reply() : command(mail);
    if (r.code >= 400)
      quit(cat(r.code >= 500 ? "D" : "Z", "Connected to ", ip_, " but sender was rejected.\n", said(r)));

    bool accepted = false;
    for (std::size_t i = 0; i < job_.recipients.size(); ++i) {
      if (!offered[i]) {
        out_.recipients.push_back(cat("h", no_utf8));
        continue;
      }
      Reply rr = pipelined ? read_reply() : command(cat("RCPT TO:", smtp_path(job_.recipients[i]), "\r\n"));
      if (rr.code >= 500) out_.recipients.push_back(cat("h", ip_, " does not like recipient.\n", said(rr)));
      else if (rr.code >= 400) out_.recipients.push_back(cat("s", ip_, " does not like recipient.\n", said(rr)));
      else { out_.recipients.push_back("r"); accepted = true; }
    }
    if (!accepted) {
      if (pipelined) read_reply();  // DATA's refusal, so that QUIT is understood
      quit(cat("DGiving up on ", ip_, ".\n"));
    }
    r = pipelined ? read_reply() : command("DATA\r\n");
    if (r.code >= 400) quit(cat(r.code >= 500 ? "D" : "Z", ip_, " failed on DATA command.\n", said(r)));

    send_body();
    dot_sent_ = true;
    r = read_reply();
    if (r.code >= 500) quit(cat("D", ip_, " failed after I sent the message.\n", said(r)));
    if (r.code >= 400) quit(cat("Z", ip_, " failed after I sent the message.\n", said(r)));
    quit(cat("K", ip_, " accepted message.\n", said(r)));
  }

  // per_recipient - one transaction per copy on this connection (a copy
  // rendered per recipient, or a VERP batch's recipient with its own
  // sender). With PIPELINING (RFC 2920 3.1: message content may open a
  // group) a copy's final dot leaves in one write with the next copy's
  // MAIL, RCPT and DATA (and RSET when a step was refused), so a
  // transaction costs one round trip; the replies come back in order.
  void per_recipient(const Extensions& ext, const std::vector<bool>& offered, const std::string& no_utf8) {
    bool accepted = false, dirty = false;
    bool pending = false;  // a copy's dot is out, its reply unread
    Reply last;  // the server's word on the last accepted copy, for the message report
    auto report = [&](const Reply& r, std::string_view what) {
      out_.recipients.push_back(cat(r.code >= 500 ? "h" : "s", ip_, what, said(r)));
      dirty = true;
    };
    // settle - read the reply to the dot of the copy in flight; its report.
    auto settle = [&]() {
      if (!pending) return;
      s_.flush();
      Reply r = read_reply();
      pending = false;
      if (r.code >= 400) {
        out_.recipients.push_back(cat(r.code >= 500 ? "h" : "s", ip_, " failed after I sent the message.\n", said(r)));
        return;  // the transaction is over either way: no RSET needed
      }
      // In a VERP batch the server's word on this copy goes in its own
      // report (qmail-rspawn makes it that recipient's K report); the
      // message report can only quote one of them.
      bool own_text = !job_.senders.empty() && job_.recipients.size() > 1;
      out_.recipients.push_back(own_text ? cat("r", ip_, " accepted message.\n", said(r)) : "r");
      accepted = true;
      last = std::move(r);
    };
    // A copy rendered ahead: with PIPELINING the next copy is rendered
    // (and, one-click, DKIM-signed: some 30 µs) once this copy's envelope
    // is out, while the server answers it, instead of after the answers.
    // The bytes on the wire and their order stay the same; a copy that
    // cannot be rendered is reported in its turn, as before.
    struct Rendered {
      Copy copy;
      std::optional<std::string> error;
    };
    auto render = [&](std::size_t i) -> Rendered {
      try {
        return {job_.render(i), std::nullopt};
      } catch (const MailError& e) {
        return {{}, std::string(e.what())};
      }
    };
    std::optional<Rendered> ahead;  // when set: the next offered recipient's, made last round
    for (std::size_t i = 0; i < job_.recipients.size(); ++i) {
      if (!offered[i]) {
        settle();
        out_.recipients.push_back(cat("h", no_utf8));
        continue;
      }
      Rendered rendered = ahead ? std::move(*ahead) : render(i);
      ahead.reset();
      if (rendered.error) {
        settle();
        out_.recipients.push_back(cat("sUnable to render the message: ", *rendered.error, " (#4.3.0)\n"));
        continue;
      }
      Copy copy = std::move(rendered.copy);
      copy_ = &copy;
      sender_ = job_.senders.empty() ? nullptr : &job_.senders[i];
      std::string mail = mail_command(ext);
      std::string rcpt = cat("RCPT TO:", smtp_path(job_.recipients[i]), "\r\n");
      Reply m, rr, d;
      if (ext.pipelining) {
        s_.write(cat(dirty ? "RSET\r\n" : "", mail, rcpt, "DATA\r\n"));
        s_.flush();  // the previous copy's dot and this envelope leave in one write
        if (i + 1 < job_.recipients.size() && offered[i + 1]) ahead = render(i + 1);
        settle();
        dot_sent_ = false;
        if (dirty) read_reply();  // RSET's
        dirty = false;
        m = read_reply();
        rr = read_reply();
        d = read_reply();
      } else {
        dot_sent_ = false;
        if (dirty) {
          command("RSET\r\n");  // a refused step left a transaction open
          dirty = false;
        }
        m = command(mail);
        if (m.code < 400) rr = command(rcpt);
        if (m.code < 400 && rr.code < 400) d = command("DATA\r\n");
      }
      if (m.code >= 400) { report(m, " does not like the sender.\n"); continue; }
      if (rr.code >= 400) { report(rr, " does not like recipient.\n"); continue; }
      if (d.code >= 400) { report(d, " failed on DATA command.\n"); continue; }
      send_body(!ext.pipelining);
      dot_sent_ = true;
      copy_ = nullptr;
      pending = true;
      if (!ext.pipelining) settle();
    }
    settle();
    copy_ = nullptr;
    if (!accepted) quit(cat("DGiving up on ", ip_, ".\n"));
    quit(cat("K", ip_, " accepted message.\n", said(last)));
  }

  // send_body - the message in DATA form (mta.md 9.7), in large writes; the
  // final "." leaves in the same write as the end of the message (and, when
  // not flushed here, with whatever is written next).
  void send_body(bool flush = true) {
    if (copy_ && send_cached_body(flush)) return;  // before the 64 KB buffer: a copy's body is cached
    Blaster blaster;
    std::string in(65536, '\0'), out;
    if (copy_) {
      blaster.feed(copy_->head, out);  // signatures and the rendered header
      if (lseek(message_fd_, copy_->body_offset, SEEK_SET) < 0) throw Final{"ZUnable to read message. (#4.3.0)\n"};
    } else {
      blaster.feed(job_.prefix, out);  // the DKIM-Signature fields, if any
    }
    s_.write(out);
    for (;;) {
      ssize_t n = read(message_fd_, in.data(), in.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Final{"ZUnable to read message. (#4.3.0)\n"};  // no dot: the server drops it
      }
      if (n == 0) break;
      out.clear();
      blaster.feed(std::string_view(in.data(), static_cast<std::size_t>(n)), out);
      s_.write(out);
    }
    out.clear();
    if (!blaster.finish(out)) throw Final{"DSMTP cannot transfer messages with partial final lines. (#5.6.2)\n"};
    s_.write(out);
    if (flush) s_.flush();
  }

  // send_cached_body - a copy's body, the same bytes for every copy, is read
  // and encoded once and kept (up to body_cache_limit): each later copy
  // costs no reads of the message and no second pass of the encoder. The
  // head ends in a line end, so encoding it apart gives the same bytes.
  // False when the body is too large to keep (send_body streams it).
  bool send_cached_body(bool flush) {
    constexpr off_t body_cache_limit = off_t{1} << 20;
    if (!copy_->head.empty() && copy_->head.back() != '\n') return false;
    if (!cache_ || cache_->offset != copy_->body_offset) {
      struct stat st{};
      if (fstat(message_fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size - copy_->body_offset > body_cache_limit)
        return false;
      if (lseek(message_fd_, copy_->body_offset, SEEK_SET) < 0) throw Final{"ZUnable to read message. (#4.3.0)\n"};
      io::Reader reader(message_fd_);
      std::string body;
      try {
        body = reader.read_all();
      } catch (const MailError&) {
        throw Final{"ZUnable to read message. (#4.3.0)\n"};
      }
      Blaster b;
      cache_ = BodyCache{copy_->body_offset, {}, true};
      b.feed(body, cache_->encoded);
      cache_->complete = b.finish(cache_->encoded);
    }
    if (!cache_->complete) throw Final{"DSMTP cannot transfer messages with partial final lines. (#5.6.2)\n"};
    Blaster head;
    std::string out;
    head.feed(copy_->head, out);
    s_.write(out);
    s_.write(cache_->encoded);
    if (flush) s_.flush();
    return true;
  }

  struct BodyCache {
    off_t offset = 0;
    std::string encoded;  // with the final dot
    bool complete = true;  // false: a partial final line
  };
  std::optional<BodyCache> cache_;

  net::Stream& s_;
  const Settings& settings_;
  const Job& job_;
  const Destination& dest_;
  const TlsRule& tls_;
  bool try_tls_;
  int message_fd_;
  std::string ip_;
  Outcome out_;
  bool utf8_ = false;
  bool dot_sent_ = false;
  const Copy* copy_ = nullptr;  // the copy being sent (per-recipient mode)
  const std::string* sender_ = nullptr;  // its envelope sender, when VERP gives each its own
};

void emit(io::Writer& out, std::string_view report) {
  out.write(report);
  out.put('\0');
}

// deliver - try the destinations in order; the outcome of the first connection.
Outcome deliver(const Home& home, const Job& job, const Settings& settings, int message_fd) {
  unsigned port = 25;
  std::vector<Destination> dests = resolve(job, settings, port);
  TlsRule rule;
  try {
    rule = find_tls_rule(settings.tls_lines, job.host);
  } catch (const std::invalid_argument&) {
    throw Final{"ZUnable to read control files. (#4.3.0)\n"};
  }
  auto tcpto_path = home.queue() / "lock" / "tcpto";
  auto now = [] { return static_cast<std::uint32_t>(std::time(nullptr)); };
  auto table = [&](const std::function<void(tcpto::Table&)>& fn) {
    try {
      tcpto::update(tcpto_path, fn);
    } catch (const MailError&) {
      // the table is advice; a missing lock directory must not stop mail
    }
  };
  tcpto::Table seen;
  try {
    seen = tcpto::read(tcpto_path);
  } catch (const MailError&) {
  }
  for (const auto& dest : dests) {
    if (seen.down(dest.address, now(), static_cast<unsigned>(getpid()))) continue;
    for (bool try_tls : {true, false}) {
      Connect result;
      io::Fd fd = connect_to(dest.address, port, settings.timeout_connect, result);
      if (result == Connect::timeout) table([&](tcpto::Table& t) { t.timed_out(dest.address, now()); });
      else table([&](tcpto::Table& t) { t.reachable(dest.address); });
      if (result != Connect::ok) break;
      net::Stream stream(fd.get(), fd.get(), settings.timeout_remote);
      Session session(stream, settings, job, dest, rule, try_tls, message_fd);
      Outcome outcome = session.run();
      if (!outcome.retry_plain) return outcome;
      // Opportunistic TLS failed: a new connection, plain text this time.
    }
  }
  throw Final{"ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)\n"};
}

}  // namespace

void run(const Home& home, const Job& job, int message_fd, io::Writer& out) {
  Outcome outcome;
  try {
    Settings settings = read_settings(home);
    outcome = deliver(home, job, settings, message_fd);
  } catch (const Final& f) {
    outcome.final = f.report;
  } catch (const std::bad_alloc&) {
    outcome.final = "ZOut of memory. (#4.3.0)\n";
  } catch (const MailError&) {
    outcome.final = "ZSystem resources temporarily unavailable. (#4.3.0)\n";
  }
  for (const auto& r : outcome.recipients) emit(out, r);
  emit(out, outcome.final);
  out.flush();
}

}  // namespace mta::remote
