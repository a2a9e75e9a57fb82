// mta/core/dns.cpp — see dns.h. The c-ares event loop is run to completion
// for each query (poll on the channel's sockets, ares_process_fd), which
// keeps the API synchronous as qmail's res_query was, without threads.
#include "mta/core/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <poll.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "mta/core/exitcodes.h"

namespace mta::dns {

bool IpAddress::v6() const { return family == AF_INET6; }

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) return "?";
  return buf;
}

std::vector<IpAddress> interface_addresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == -1) throw TempError("unable to figure out my IP addresses");
  std::vector<IpAddress> out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    IpAddress ip;
    if (i->ifa_addr->sa_family == AF_INET) {
      ip.family = AF_INET;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      ip.family = AF_INET6;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(ip);
  }
  ::freeifaddrs(list);
  return out;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;  // "1.2.3.4\0junk"
  std::string s(text);  // inet_pton needs a terminated string
  IpAddress ip;
  if (s.find(':') == std::string::npos) {
    ip.family = AF_INET;
    if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  } else {
    ip.family = AF_INET6;
    if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  }
  return std::nullopt;
}

namespace {

unsigned parse_port(std::string_view text, std::string_view entry) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535)
    throw std::invalid_argument(cat("bad port in DNSCACHEIP entry ", entry));
  return port;
}

Server parse_server(std::string_view entry) {
  Server server;
  std::string_view host = entry;
  if (!entry.empty() && entry.front() == '[') {
    auto close = entry.find(']');
    if (close == std::string_view::npos)
      throw std::invalid_argument(cat("unclosed [ in DNSCACHEIP entry ", entry));
    host = entry.substr(1, close - 1);
    auto rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument(cat("bad DNSCACHEIP entry ", entry));
      server.port = parse_port(rest.substr(1), entry);
    }
  } else if (auto colon = entry.find(':');
             colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    host = entry.substr(0, colon);  // exactly one colon: IPv4 with a port
    server.port = parse_port(entry.substr(colon + 1), entry);
  }
  auto ip = IpAddress::parse(host);
  if (!ip) throw std::invalid_argument(cat("not an IP address in DNSCACHEIP: ", entry));
  server.address = *ip;
  return server;
}

// c-ares wants one process-wide initialisation before the first channel.
void library_init() {
  static std::once_flag once;
  static int status = ARES_SUCCESS;
  std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (status != ARES_SUCCESS)
    throw Error(Error::Kind::temporary, cat("c-ares: ", ares_strerror(status)));
}

// The answer of one query: c-ares status and the raw message.
struct Answer {
  bool done = false;
  int status = ARES_ETIMEOUT;
  std::string message;
};

void on_answer(void* arg, int status, int, unsigned char* abuf, int alen) {
  auto* answer = static_cast<Answer*>(arg);
  answer->done = true;
  answer->status = status;
  if (abuf && alen > 0) answer->message.assign(reinterpret_cast<const char*>(abuf), alen);
}

// status -> exception, or false for "no records of that type".
bool check(int status, std::string_view name, std::string_view type) {
  if (status == ARES_SUCCESS) return true;
  if (status == ARES_ENODATA) return false;
  if (status == ARES_ENOTFOUND)
    throw Error(Error::Kind::nxdomain, cat(type, " lookup of ", name, ": no such domain"));
  throw Error(Error::Kind::temporary, cat(type, " lookup of ", name, ": ", ares_strerror(status)));
}

const unsigned char* bytes_of(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::vector<Server> parse_dnscacheip(std::string_view value) {
  std::vector<Server> servers;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] == ' ' || value[i] == '\t' || value[i] == ',') { ++i; continue; }
    auto end = value.find_first_of(" \t,", i);
    if (end == std::string_view::npos) end = value.size();
    servers.push_back(parse_server(value.substr(i, end - i)));
    i = end;
  }
  return servers;
}

struct Resolver::Channel {
  // A query sent by start_txt and not yet collected; c-ares writes its
  // answer here, so it lives as long as the channel (ares_destroy runs the
  // callbacks of unanswered queries).
  struct Pending {
    std::string name;
    int type = 0;
    Answer answer;
  };
  std::vector<std::unique_ptr<Pending>> pending;
  ares_channel channel = nullptr;
  ~Channel() { if (channel) ares_destroy(channel); }

  void send(const std::string& name, int type, Answer& answer) {
    ares_query(channel, name.c_str(), ns_c_in, type, on_answer, &answer);
  }

  // Sends one query (or takes the one start_txt sent) and runs the event
  // loop until its callback ran.
  Answer query(std::string_view name, int type) {
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      if ((*it)->type != type || (*it)->name != name) continue;
      run((*it)->answer);
      Answer answer = std::move((*it)->answer);
      pending.erase(it);
      return answer;
    }
    Answer answer;
    send(std::string(name), type, answer);
    run(answer);
    return answer;
  }

  void run(Answer& answer) {
    while (!answer.done) {
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      int mask = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM];
      nfds_t nfds = 0;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short ev = 0;
        if (ARES_GETSOCK_READABLE(mask, i)) ev |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(mask, i)) ev |= POLLOUT;
        if (ev) fds[nfds++] = pollfd{socks[i], ev, 0};
      }
      timeval tv{};
      timeval* wait = ares_timeout(channel, nullptr, &tv);
      int ms = wait ? static_cast<int>(wait->tv_sec * 1000 + wait->tv_usec / 1000) : 1000;
      int ready = poll(fds, nfds, ms);
      if (ready <= 0) {
        ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
        continue;
      }
      for (nfds_t i = 0; i < nfds; ++i) {
        if (!fds[i].revents) continue;
        bool rd = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
        bool wr = fds[i].revents & POLLOUT;
        ares_process_fd(channel, rd ? fds[i].fd : ARES_SOCKET_BAD, wr ? fds[i].fd : ARES_SOCKET_BAD);
      }
    }
  }
};

namespace {

std::vector<Server> dnscacheip_servers() {
  const char* env = std::getenv("DNSCACHEIP");
  if (!env || !*env) return std::vector<Server>{};
  try {
    return parse_dnscacheip(env);
  } catch (const std::invalid_argument& e) {
    throw Error(Error::Kind::temporary, e.what());
  }
}

}  // namespace

Resolver::Resolver() : Resolver(dnscacheip_servers(), Timing{}) {}

Resolver::Resolver(const Timing& timing) : Resolver(dnscacheip_servers(), timing) {}

Resolver::Resolver(const std::vector<Server>& servers) : Resolver(servers, Timing{}) {}

Resolver::Resolver(const std::vector<Server>& servers, const Timing& timing)
    : channel_(std::make_unique<Channel>()) {
  library_init();
  ares_options options{};
  options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
  options.ednspsz = 4096;
  options.timeout = timing.timeout_ms;  // milliseconds per try (ARES_OPT_TIMEOUTMS)
  options.tries = timing.tries;
  int mask = ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  int status = ares_init_options(&channel_->channel, &options, mask);
  if (status != ARES_SUCCESS)
    throw Error(Error::Kind::temporary, cat("c-ares: ", ares_strerror(status)));
  if (servers.empty()) return;
  std::vector<ares_addr_port_node> nodes(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    auto& node = nodes[i];
    node.next = i + 1 < servers.size() ? &nodes[i + 1] : nullptr;
    node.family = servers[i].address.family;
    if (node.family == AF_INET6)
      std::memcpy(&node.addr.addr6, servers[i].address.bytes.data(), 16);
    else
      std::memcpy(&node.addr.addr4, servers[i].address.bytes.data(), 4);
    node.udp_port = node.tcp_port = static_cast<int>(servers[i].port);
  }
  status = ares_set_servers_ports(channel_->channel, nodes.data());
  if (status != ARES_SUCCESS)
    throw Error(Error::Kind::temporary, cat("c-ares: ", ares_strerror(status)));
}

Resolver::~Resolver() = default;

std::vector<Mx> Resolver::mx(std::string_view name) {
  Answer answer = channel_->query(name, ns_t_mx);
  std::vector<Mx> out;
  if (!check(answer.status, name, "MX")) return out;
  ares_mx_reply* reply = nullptr;
  int status = ares_parse_mx_reply(bytes_of(answer.message), static_cast<int>(answer.message.size()), &reply);
  if (!check(status, name, "MX")) return out;
  for (auto* r = reply; r; r = r->next) out.push_back(Mx{r->priority, r->host ? r->host : ""});
  ares_free_data(reply);
  return out;
}

std::vector<IpAddress> Resolver::a(std::string_view name) {
  Answer answer = channel_->query(name, ns_t_a);
  std::vector<IpAddress> out;
  if (!check(answer.status, name, "A")) return out;
  hostent* host = nullptr;
  int status = ares_parse_a_reply(bytes_of(answer.message), static_cast<int>(answer.message.size()), &host,
                                  nullptr, nullptr);
  if (!check(status, name, "A")) return out;
  for (char** p = host->h_addr_list; p && *p; ++p) {
    IpAddress ip;
    ip.family = AF_INET;
    std::memcpy(ip.bytes.data(), *p, 4);
    out.push_back(ip);
  }
  ares_free_hostent(host);
  return out;
}

std::vector<IpAddress> Resolver::aaaa(std::string_view name) {
  Answer answer = channel_->query(name, ns_t_aaaa);
  std::vector<IpAddress> out;
  if (!check(answer.status, name, "AAAA")) return out;
  hostent* host = nullptr;
  int status = ares_parse_aaaa_reply(bytes_of(answer.message), static_cast<int>(answer.message.size()), &host,
                                     nullptr, nullptr);
  if (!check(status, name, "AAAA")) return out;
  for (char** p = host->h_addr_list; p && *p; ++p) {
    IpAddress ip;
    ip.family = AF_INET6;
    std::memcpy(ip.bytes.data(), *p, 16);
    out.push_back(ip);
  }
  ares_free_hostent(host);
  return out;
}

std::vector<IpAddress> Resolver::addresses(std::string_view name) {
  std::optional<Error> v6_error, v4_error;
  std::vector<IpAddress> out;
  try {
    out = aaaa(name);
  } catch (const Error& e) {
    v6_error = e;
  }
  try {
    auto v4 = a(name);
    out.insert(out.end(), v4.begin(), v4.end());
  } catch (const Error& e) {
    v4_error = e;
  }
  if (v6_error && v4_error) throw v6_error->permanent() ? *v4_error : *v6_error;
  if (out.empty() && (v4_error || v6_error) && !(v4_error ? *v4_error : *v6_error).permanent())
    throw v4_error ? *v4_error : *v6_error;  // a soft failure hides what may exist
  return out;
}

void Resolver::start_txt(std::string_view name) {
  auto p = std::make_unique<Channel::Pending>();
  p->name = name;
  p->type = ns_t_txt;
  channel_->send(p->name, p->type, p->answer);
  channel_->pending.push_back(std::move(p));
}

std::vector<std::string> Resolver::txt(std::string_view name) {
  Answer answer = channel_->query(name, ns_t_txt);
  std::vector<std::string> out;
  if (!check(answer.status, name, "TXT")) return out;
  ares_txt_ext* reply = nullptr;
  int status = ares_parse_txt_reply_ext(bytes_of(answer.message), static_cast<int>(answer.message.size()), &reply);
  if (!check(status, name, "TXT")) return out;
  for (auto* r = reply; r; r = r->next) {
    if (r->record_start || out.empty()) out.emplace_back();
    out.back().append(reinterpret_cast<const char*>(r->txt), r->length);
  }
  ares_free_data(reply);
  return out;
}

}  // namespace mta::dns
