#include "mta/smtp/smtpd_session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "mta/core/cdb.h"
#include "mta/core/control.h"
#include "mta/core/date.h"
#include "mta/core/dns.h"
#include "mta/core/queue_client.h"
#include "mta/core/tls.h"

namespace mta::smtpd {

namespace {

// sockaddr_text - the numeric address of a socket name; "" if not IP.
std::string sockaddr_text(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
  else if (ss.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof buf);
  return unmap_ipv4(buf);
}

}  // namespace

std::string socket_ip(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
               : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r == -1) return {};
  return sockaddr_text(ss);
}

std::optional<std::string> process_environment(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

std::string unmap_ipv4(std::string ip) {
  if (ip.size() > 7 && address::iequals(std::string_view(ip).substr(0, 7), "::ffff:") &&
      ip.find('.') != std::string::npos)
    ip.erase(0, 7);
  return ip;
}

Config load_config(const Home& home, int fd, const Environment& env) {
  control::Control ctl(home);
  Config c;
  c.home = home;
  auto me = ctl.me();
  auto greeting = ctl.line("smtpgreeting");
  if (!greeting) greeting = me;
  if (!greeting) throw TempError("unable to read controls");
  c.greeting = *greeting;
  c.localiphost = ctl.line("localiphost").value_or(me.value_or(""));
  unsigned long t = ctl.number("timeoutsmtpd", 1200);
  c.timeout = std::chrono::seconds(t == 0 ? 1 : std::min<unsigned long>(t, 86400 * 365));
  c.databytes = ctl.number("databytes", 0);
  if (auto d = env("DATABYTES")) c.databytes = control::parse_number(*d).value_or(c.databytes);
  c.relayclient = env("RELAYCLIENT");
  c.badmailfrom = ctl.list("badmailfrom").value_or(std::vector<std::string>{});
  std::filesystem::path more = home.control() / "morercpthosts.cdb";
  c.rcpthosts.emplace(ctl.list("rcpthosts"), [more](std::string_view key) {
    // Opened per lookup, as qmail does, so a rebuilt database is seen at once.
    auto db = cdb::Reader::open(more);
    return db && db->find(key).has_value();
  });
  if (std::filesystem::path pem = home.control() / "servercert.pem"; ::access(pem.c_str(), F_OK) == 0)
    c.servercert = pem;
  c.rcptcheck = ctl.line("rcptcheck").value_or("") == "on";

  // The peer: tcpserver's variables, else the socket itself (systemd, inetd).
  ReceivedInfo& p = c.peer;
  p.remote_ip = unmap_ipv4(env("TCPREMOTEIP").value_or(socket_ip(fd, true)));
  if (p.remote_ip.empty()) p.remote_ip = "unknown";
  p.remote_host = env("TCPREMOTEHOST").value_or("unknown");
  p.remote_info = env("TCPREMOTEINFO").value_or("");
  std::string local_ip = unmap_ipv4(env("TCPLOCALIP").value_or(socket_ip(fd, false)));
  p.local_host = env("TCPLOCALHOST").value_or(local_ip.empty() ? "unknown" : local_ip);
  p.helo = p.remote_host == "unknown" ? "" : p.remote_host;
  return c;
}

Session::Session(const Config& cfg, net::Stream& io, RecipientCheck check, QueueServer* queue)
    : cfg_(cfg), io_(io), check_(std::move(check)), queue_(queue), local_ips_(cfg.local_ips) {
  helo_ = cfg_.peer.helo;
}

// is_local_ip - whether ip is one of this host's addresses. getifaddrs is a
// netlink dump, about a twentieth of a session's CPU: done once, and only for
// a recipient that names a literal.
bool Session::is_local_ip(std::string_view ip) {
  if (!local_ips_) {
    std::vector<std::string> ips;
    for (const auto& a : dns::interface_addresses()) ips.push_back(a.to_string());
    local_ips_ = std::move(ips);
  }
  return std::find(local_ips_->begin(), local_ips_->end(), ip) != local_ips_->end();
}

void Session::reply(int code, std::string_view dsn, std::string_view text) {
  std::string line = std::to_string(code);
  line += ' ';
  if (esmtp_ && !dsn.empty()) {
    line += dsn;
    line += ' ';
  }
  line += text;
  line += "\r\n";
  io_.write(line);
}

void Session::reset() {
  have_mail_ = false;
  barf_ = false;
  smtputf8_ = false;
  sender_.clear();
  recipients_.clear();
}

void Session::ehlo(std::string_view arg, bool extended) {
  reset();
  helo_ = std::string(arg);
  esmtp_ = extended;
  if (!extended) {
    io_.write(cat("250 ", cfg_.greeting, "\r\n"));
    return;
  }
  std::string r = cat("250-", cfg_.greeting, "\r\n250-PIPELINING\r\n250-8BITMIME\r\n");
  r += cat("250-SIZE ", std::to_string(cfg_.databytes), "\r\n");
  if (!cfg_.servercert.empty() && !io_.tls()) r += "250-STARTTLS\r\n";
  r += "250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n";
  io_.write(r);
}

void Session::mail(std::string_view arg) {
  auto path = parse_path(arg);
  if (!path) return reply(555, "5.5.4", "syntax error (#5.5.4)");
  if (cfg_.databytes && path->size && *path->size > cfg_.databytes)
    return reply(552, "5.3.4", "sorry, that message size exceeds my databytes limit (#5.3.4)");
  reset();
  barf_ = badmailfrom(cfg_.badmailfrom, path->address);
  sender_ = std::move(path->address);
  smtputf8_ = path->smtputf8;
  have_mail_ = true;
  reply(250, "2.1.0", "ok");
}

void Session::rcpt(std::string_view arg) {
  if (!have_mail_) return reply(503, "5.5.1", "MAIL first (#5.5.1)");
  auto path = parse_path(arg);
  if (!path) return reply(555, "5.5.4", "syntax error (#5.5.4)");
  if (barf_) return reply(553, "5.7.1", "sorry, your envelope sender is in my badmailfrom list (#5.7.1)");
  std::string addr;
  try {
    addr = replace_ip_literal(path->address, cfg_.localiphost,
                              [this](std::string_view ip) { return is_local_ip(ip); });
  } catch (const TempError&) {
    return reply(451, "4.3.0", "unable to figure out my IP addresses (#4.3.0)");
  }
  if (cfg_.relayclient) {
    addr += *cfg_.relayclient;
  } else if (!cfg_.rcpthosts->allows(addr)) {
    return reply(553, "5.7.1", "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)");
  }
  if (recipients_.size() >= max_recipients) return reply(452, "4.5.3", "too many recipients (#4.5.3)");
  if (cfg_.rcptcheck && check_) {
    bool known = false;
    try {
      known = check_(addr);
    } catch (const TempError&) {
      return reply(451, "4.3.0", "unable to verify that recipient now (#4.3.0)");
    }
    if (!known) return reply(550, "5.1.1", "sorry, no mailbox here by that name (#5.1.1)");
  }
  recipients_.push_back(std::move(addr));
  reply(250, "2.1.5", "ok");
}

// data - the DATA command: 354, the stream into qmail-queue, the final reply.
bool Session::data() {
  if (!have_mail_) { reply(503, "5.5.1", "MAIL first (#5.5.1)"); return true; }
  if (recipients_.empty()) { reply(503, "5.5.1", "RCPT first (#5.5.1)"); return true; }
  std::optional<QueueClient> qq;
  try {
    qq.emplace(cfg_.home, queue_);
  } catch (const TempError&) {
    reply(451, "4.3.0", "qqt failure (#4.3.0)");
    return true;
  }
  ReceivedInfo r = cfg_.peer;
  r.helo = helo_;
  if (io_.tls()) {
    r.protocol = smtputf8_ ? "UTF8SMTPS" : "ESMTPS";
    r.tls = io_.tls_summary();
  } else if (smtputf8_) {
    r.protocol = "UTF8SMTP";
  }
  qq->put(received_line(r, date::date822(std::time(nullptr))));
  reply(354, "", "go ahead");
  io_.flush();

  DataReader reader(cfg_.databytes);
  std::string out;
  while (reader.status() == DataReader::Status::more) {
    if (io_.buffered().empty() && !io_.fill()) return false;  // EOF: nothing is queued
    io_.consume(reader.feed(io_.buffered(), out));
    if (out.size() >= 65536 || reader.status() != DataReader::Status::more) {
      qq->put(out);
      out.clear();
    }
  }
  Envelope env{sender_, recipients_};
  reset();
  if (reader.status() == DataReader::Status::bare_lf) {
    io_.write("451 See https://cr.yp.to/docs/smtplf.html.\r\n");
    return false;  // qmail drops the connection: the rest cannot be trusted
  }
  if (reader.hops() >= max_hops) {
    reply(554, "5.4.6", "too many hops, this message is looping (#5.4.6)");
    return true;  // qq is abandoned: nothing is queued
  }
  if (reader.too_big()) {
    reply(552, "5.3.4", "sorry, that message size exceeds my databytes limit (#5.3.4)");
    return true;
  }
  pid_t qp = qq->qp();
  QueueResult res = qq->finish(env);
  if (res.ok())
    reply(250, "2.0.0", cat("ok ", std::to_string(std::time(nullptr)), " qp ", std::to_string(qp)));
  else if (res.permanent())
    reply(554, "5.3.0", res.reason());
  else
    reply(451, "4.3.0", res.reason());
  return true;
}

// starttls - RFC 3207; false when the connection cannot go on.
bool Session::starttls(std::string_view arg) {
  if (cfg_.servercert.empty() || io_.tls()) {
    reply(502, "5.5.1", "unimplemented (#5.5.1)");
    return true;
  }
  if (!arg.empty()) {
    reply(501, "5.5.4", "syntax error (#5.5.4)");
    return true;
  }
  // Commands pipelined after STARTTLS were sent in plaintext; obeying them
  // after the handshake is the CVE-2011-0411 injection. Refuse the session.
  if (io_.pending_input() > 0) {
    reply(554, "5.5.1", "no commands may follow STARTTLS before the TLS handshake (#5.5.1)");
    return false;
  }
  std::optional<tls::Context> ctx;
  try {
    ctx.emplace(tls::server_context(cfg_.servercert));
  } catch (const TempError& e) {
    warn("qmail-smtpd", e.what());
    reply(454, "4.3.0", "TLS not available due to temporary reason (#4.3.0)");
    return true;
  }
  reply(220, "2.0.0", "ready to start TLS");
  try {
    io_.start_tls_server(*ctx);
  } catch (const net::Error& e) {
    warn("qmail-smtpd", e.what());
    return false;
  }
  // RFC 3207 4.2: forget everything learnt before the handshake.
  reset();
  helo_ = cfg_.peer.helo;
  esmtp_ = false;
  return true;
}

int Session::run() {
  io_.write(cat("220 ", cfg_.greeting, " ESMTP\r\n"));
  try {
    for (;;) {
      if (io_.pending_input() == 0) io_.flush();
      std::optional<std::string> line;
      try {
        line = io_.getline(command_line_limit);
      } catch (const net::LineTooLong&) {
        io_.skip_line();
        reply(500, "5.5.2", "line too long (#5.5.2)");
        continue;
      }
      if (!line) return 0;  // EOF: exit silently
      if (line->find('\0') != std::string::npos) {
        reply(500, "5.5.2", "NUL characters are not allowed in commands (#5.5.2)");
        continue;
      }
      Command c = parse_command(*line);
      switch (c.verb) {
        case Verb::helo: ehlo(c.arg, false); break;
        case Verb::ehlo: ehlo(c.arg, true); break;
        case Verb::mail: mail(c.arg); break;
        case Verb::rcpt: rcpt(c.arg); break;
        case Verb::data:
          if (!data()) { io_.flush(); return 1; }
          break;
        case Verb::rset: reset(); reply(250, "2.0.0", "flushed"); break;
        case Verb::noop: reply(250, "2.0.0", "ok"); break;
        case Verb::vrfy: reply(252, "2.5.2", "send some mail, i'll try my best"); break;
        case Verb::help: reply(214, "", "Lettershop qmail-smtpd: see qmail-smtpd(8)"); break;
        case Verb::quit:
          io_.write(cat("221 ", cfg_.greeting, "\r\n"));
          io_.flush();
          io_.shutdown_tls();
          return 0;
        case Verb::starttls:
          if (!starttls(c.arg)) { io_.flush(); return 1; }
          break;
        case Verb::unknown: reply(502, "5.5.1", "unimplemented (#5.5.1)"); break;
      }
    }
  } catch (const net::Timeout&) {
    try {
      reply(451, "4.4.2", "timeout (#4.4.2)");
      io_.flush();
    } catch (const MailError&) {
    }
    return 1;
  } catch (const net::Error& e) {
    return 1;  // the client went away
  } catch (const TempError& e) {
    // A control (morercpthosts.cdb) became unreadable mid-session.
    try {
      reply(421, "4.3.0", "unable to read controls (#4.3.0)");
      io_.flush();
    } catch (const MailError&) {
    }
    return 1;
  }
}

}  // namespace mta::smtpd
