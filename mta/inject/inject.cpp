// mta/inject/inject.cpp — qmail-inject's header rules (reference mta.md 12).
//
// Compatibility notes, checked against notqmail's qmail-inject(8):
//   - recipient fields that do not parse are left as they are and give no
//     recipients (notqmail); sender fields that do not parse are fatal;
//   - recipient fields are rewritten even with -a (notqmail issue #147);
//   - a sender containing CR or LF is refused (qmail would write it into
//     logs and a Return-Path field): our addition, exit 100.
#include "mta/inject/inject.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "mta/core/cli.h"
#include "mta/core/control.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/log.h"
#include "mta/core/queue_client.h"

extern char** environ;

namespace mta::inject {

namespace {

using address::iequals;
using address::Item;
using address::Mailbox;

constexpr std::array sender_fields = {"Sender", "From", "Reply-To", "Return-Path", "Return-Receipt-To",
                                      "Errors-To", "Resent-Sender", "Resent-From", "Resent-Reply-To"};
constexpr std::array recipient_fields = {"To", "Cc", "Bcc", "Apparently-To", "Resent-To", "Resent-Cc",
                                         "Resent-Bcc"};
constexpr std::array plain_recipient_fields = {"To", "Cc", "Bcc", "Apparently-To"};
constexpr std::array resent_recipient_fields = {"Resent-To", "Resent-Cc", "Resent-Bcc"};

template <std::size_t N>
bool one_of(std::string_view name, const std::array<const char*, N>& names) {
  for (const char* n : names)
    if (iequals(name, n)) return true;
  return false;
}

// First variable of `names` that is set (even to ""), qmail's env_get chain.
const std::string* first_env(const Env& env, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (auto it = env.find(n); it != env.end()) return &it->second;
  return nullptr;
}

bool has_cr_or_lf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// "YYYYMMDDhhmmss" in UTC, for Message-ID.
std::string id_stamp(std::time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string escaped(std::string_view text, const char* specials) {
  std::string out;
  for (char c : text) {
    if (std::strchr(specials, c)) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// What rewriting one field gave: its new text and the addresses in it.
struct Rewritten {
  bool parsed = false;
  std::string raw;
  std::vector<std::string> addresses;
};

Rewritten rewrite_field(const message::Field& f, const Rewriter& rw) {
  Rewritten out;
  std::vector<Item> items;
  try {
    items = address::parse_address_list(f.value());
  } catch (const address::AddressError&) {
    return out;
  }
  out.parsed = true;
  if (items.empty()) {
    out.raw = f.raw;
    return out;
  }
  for (Item& item : items)
    for (Mailbox& m : item.members) {
      rw.mailbox(m);
      if (!m.address.empty()) out.addresses.push_back(m.address);
    }
  out.raw = f.name + ": " + address::format_address_list(items, f.name.size() + 2) + "\n";
  return out;
}

// The default envelope sender of 12.4, before the r flag's "-@[]".
std::string default_sender(const Settings& s, const std::string& from_user, const std::string* from_host) {
  std::string user = from_user;
  if (auto v = first_env(s.env, {"QMAILSUSER"})) user = *v;
  const std::string* host = from_host;
  if (auto v = first_env(s.env, {"QMAILSHOST"})) host = v;
  if (s.flags.verp_message) user += "-" + std::to_string(s.now) + "." + std::to_string(s.pid);
  if (s.flags.verp_recipient) user += "-";
  std::string addr = user;
  if (host) addr += "@" + *host;
  return s.rewriter.address(addr);
}

// The From: field qmail-inject adds when there is none.
std::string default_from(const Settings& s, const std::string& user, const std::string* host) {
  std::string addr = user;
  if (host) addr += "@" + *host;
  addr = address::quote(s.rewriter.address(addr));
  const std::string* name = first_env(s.env, {"QMAILNAME", "MAILNAME", "NAME"});
  if (!name || name->empty()) return addr;
  if (s.flags.comment_from) return addr + " (" + escaped(*name, "()\\") + ")";
  return "\"" + escaped(*name, "\"\\") + "\" <" + addr + ">";
}

std::vector<std::string> parse_argument(const std::string& arg, const Rewriter& rw) {
  std::vector<std::string> out;
  std::vector<Item> items;
  try {
    items = address::parse_address_list(arg);
  } catch (const address::AddressError&) {
    throw ExitError(exit_perm, "unable to parse address: " + arg);
  }
  for (Item& item : items)
    for (Mailbox& m : item.members) {
      rw.mailbox(m);
      if (!m.address.empty()) out.push_back(m.address);
    }
  return out;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  cli::po::options_description desc;
  desc.add_options()
      (",n", cli::po::value<std::vector<std::string>>()->zero_tokens(), "print, do not queue")
      (",N", cli::po::value<std::vector<std::string>>()->zero_tokens(), "queue (default)")
      (",a", cli::po::value<std::vector<std::string>>()->zero_tokens(), "recipients from arguments")
      (",A", cli::po::value<std::vector<std::string>>()->zero_tokens(), "arguments, else header")
      (",h", cli::po::value<std::vector<std::string>>()->zero_tokens(), "recipients from header")
      (",H", cli::po::value<std::vector<std::string>>()->zero_tokens(), "header and arguments")
      (",f", cli::po::value<std::vector<std::string>>(), "envelope sender");
  cli::Parsed p = cli::parse(argc, argv, desc);
  Options o;
  for (const std::string& key : p.order) {
    if (key == "-n") o.print = true;
    if (key == "-N") o.print = false;
    if (key == "-a") o.strategy = Strategy::args;
    if (key == "-A") o.strategy = Strategy::args_else_header;
    if (key == "-h") o.strategy = Strategy::header;
    if (key == "-H") o.strategy = Strategy::both;
  }
  if (p.vars.count("-f")) o.sender = p.vars["-f"].as<std::vector<std::string>>().back();
  o.recipients = std::move(p.positional);
  return o;
}

Flags parse_flags(std::string_view letters) {
  Flags f;
  for (char c : letters) {
    switch (c) {
      case 'c': f.comment_from = true; break;
      case 's': f.strip_return_path = true; break;
      case 'f': f.strip_from = true; break;
      case 'i': f.strip_message_id = true; break;
      case 'r': f.verp_recipient = true; break;
      case 'm': f.verp_message = true; break;
      default: break;  // qmail ignores letters it does not know
    }
  }
  return f;
}

// Rewriter::address - rwgeneric's rules, in their order.
std::string Rewriter::address(std::string_view addr_in) const {
  std::string addr(addr_in);
  // Rule 1: <> and x@[] stay as they are.
  if (addr.empty() || addr.ends_with("@[]")) return addr;
  // Rule 3: one trailing '.', then a trailing '@'.
  if (addr.ends_with('.')) addr.pop_back();
  if (addr.ends_with('@')) addr.pop_back();
  // Rule 4: no '@' gets the default host.
  if (addr.find('@') == std::string::npos) addr += "@" + defaulthost;
  // Rules 5 and 6 work on the host part.
  std::size_t at = addr.rfind('@');
  std::string host = addr.substr(at + 1);
  if (host.ends_with('+')) {
    host.pop_back();
    host += "." + plusdomain;
  }
  if (host.find('.') == std::string::npos && !host.starts_with('[')) host += "." + defaultdomain;
  addr.replace(at + 1, std::string::npos, host);
  return addr;
}

void Rewriter::mailbox(address::Mailbox& m) const {
  // Rule 2: a source route goes; "<@foo:>" becomes "<>".
  m.route.clear();
  m.address = address(m.address);
}

Env environment() {
  Env env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

// load_settings - every outside input except the message and the command line.
Settings load_settings(const Home& home, Env env, std::time_t now, pid_t pid) {
  Settings s;
  s.env = std::move(env);
  s.now = now;
  s.pid = pid;
  if (auto v = first_env(s.env, {"QMAILINJECT"})) s.flags = parse_flags(*v);

  // Each value: the environment, else the control file, else me, else the
  // file's own name (qmail's control_rldef). `me` is read at most once.
  control::Control ctl(home);
  std::optional<std::optional<std::string>> me;
  auto value = [&](std::string_view var, std::string_view file) {
    if (auto v = first_env(s.env, {var})) return *v;
    if (auto v = ctl.line(file)) return *v;
    if (!me) me = ctl.me();
    return *me ? **me : std::string(file);
  };
  s.rewriter.defaultdomain = value("QMAILDEFAULTDOMAIN", "defaultdomain");
  s.rewriter.defaulthost = value("QMAILDEFAULTHOST", "defaulthost");
  s.rewriter.plusdomain = value("QMAILPLUSDOMAIN", "plusdomain");
  s.idhost = value("QMAILIDHOST", "idhost");

  if (auto file = first_env(s.env, {"QMAILMFTFILE"})) {
    if (auto contents = io::read_file(*file)) s.mft = control::parse_list(*contents);
  }
  return s;
}

// rewrite_header - the rules of 12.4, in qmail-inject's order.
Result rewrite_header(message::Header header, const Options& options, const Settings& s) {
  Result r;
  const Rewriter& rw = s.rewriter;
  bool resent = false;
  for (const auto& f : header.fields)
    if (f.name.size() >= 7 && iequals(std::string_view(f.name).substr(0, 7), "Resent-")) resent = true;

  // Rewrite addresses, collect header recipients, take the Return-Path sender.
  std::optional<std::string> return_path;
  std::vector<std::string> header_recipients;
  std::vector<std::string> to_cc;  // for Mail-Followup-To
  for (auto& f : header.fields) {
    bool is_sender = one_of(f.name, sender_fields);
    bool is_recipient = one_of(f.name, recipient_fields);
    if (!is_sender && !is_recipient) continue;
    Rewritten w = rewrite_field(f, rw);
    if (!w.parsed) {
      if (is_sender) throw ExitError(exit_perm, "unable to parse this line: " + log::printable(message::unfold(f.raw)));
      continue;  // notqmail: a bad recipient field stays and names no one
    }
    f.raw = std::move(w.raw);
    if (iequals(f.name, "Return-Path") && !return_path && !w.addresses.empty()) return_path = w.addresses[0];
    if (iequals(f.name, "Return-Path") && !return_path) return_path = "";
    if (resent ? one_of(f.name, resent_recipient_fields) : one_of(f.name, plain_recipient_fields))
      header_recipients.insert(header_recipients.end(), w.addresses.begin(), w.addresses.end());
    if (iequals(f.name, "To") || iequals(f.name, "Cc")) to_cc.insert(to_cc.end(), w.addresses.begin(), w.addresses.end());
  }

  // Removed fields.
  header.remove("Bcc");
  header.remove("Resent-Bcc");
  header.remove("Return-Path");
  header.remove("Content-Length");
  if (s.flags.strip_from) header.remove("From");
  if (s.flags.strip_message_id) header.remove("Message-ID");

  // The user and host of the default From (and of the default sender).
  const std::string* u = first_env(s.env, {"QMAILUSER", "MAILUSER", "USER", "LOGNAME"});
  std::string user = u ? *u : "anonymous";
  const std::string* host = first_env(s.env, {"QMAILHOST", "MAILHOST"});

  // The envelope sender: -f, else Return-Path (unless s), else the default.
  if (options.sender) {
    if (has_cr_or_lf(*options.sender)) throw ExitError(exit_perm, "sender contains CR or LF");
    std::vector<std::string> a = parse_argument(*options.sender, rw);
    r.sender = a.empty() ? "" : a[0];
  } else if (return_path && !s.flags.strip_return_path) {
    r.sender = *return_path;
  } else {
    r.sender = default_sender(s, user, host);
    if (s.flags.verp_recipient) r.sender += "-@[]";
  }
  if (has_cr_or_lf(r.sender)) throw ExitError(exit_perm, "sender contains CR or LF");

  // Added fields, before the original ones.
  std::string added;
  auto add = [&](std::string_view name, std::string_view value) {
    added.append(name).append(": ").append(value).push_back('\n');
  };
  std::string prefix = resent ? "Resent-" : "";
  if (!header.has(prefix + "Date")) add(prefix + "Date", date::date822(s.now));
  if (!header.has(prefix + "Message-ID"))
    add(prefix + "Message-ID", "<" + id_stamp(s.now) + "." + std::to_string(s.pid) + ".qmail@" + s.idhost + ">");
  if (!header.has(prefix + "From")) add(prefix + "From", default_from(s, user, host));
  if (!header.has(prefix + "To") && !header.has(prefix + "Cc")) add(prefix + "Cc", "recipient list not shown: ;");
  if (!resent && s.mft && !header.has("Mail-Followup-To")) {
    bool listed = false;
    for (const auto& a : to_cc)
      for (const auto& l : *s.mft)
        if (iequals(a, l)) listed = true;
    if (listed) {
      std::vector<Item> items;
      for (const auto& a : to_cc) items.push_back(Item{false, "", {Mailbox{"", "", a, false, ""}}});
      add("Mail-Followup-To", address::format_address_list(items, 18));
    }
  }

  // Envelope recipients: arguments first, then the header's.
  bool use_args = options.strategy != Strategy::header;
  bool use_header = options.strategy == Strategy::header || options.strategy == Strategy::both ||
                    (options.strategy == Strategy::args_else_header && options.recipients.empty());
  if (use_args)
    for (const auto& arg : options.recipients) {
      auto a = parse_argument(arg, rw);
      r.recipients.insert(r.recipients.end(), a.begin(), a.end());
    }
  if (use_header) r.recipients.insert(r.recipients.end(), header_recipients.begin(), header_recipients.end());
  for (const auto& rcpt : r.recipients)
    if (has_cr_or_lf(rcpt)) throw ExitError(exit_perm, "unable to parse address: " + log::printable(rcpt));

  r.header = std::move(added);
  r.header += header.text();
  r.header.push_back('\n');
  r.header += header.body_start;
  return r;
}

namespace {

// Copies what is left of `in` to `out` in large blocks.
void stream_body(io::Reader& in, io::Writer& out) {
  std::string buf(65536, '\0');
  for (;;) {
    std::size_t n = in.read(buf.data(), buf.size());
    if (n == 0) return;
    out.write(std::string_view(buf.data(), n));
  }
}

}  // namespace

void inject(io::Reader& in, const Options& options, const Settings& settings, const Home& home,
            io::Writer& out) {
  message::Header header;
  try {
    header = message::read_header(in);
  } catch (const message::HeaderTooLong&) {
    throw ExitError(exit_perm, "message header too long");
  }
  Result r = rewrite_header(std::move(header), options, settings);

  if (options.print) {
    out << "Return-Path: <" << address::quote(r.sender) << ">\n" << r.header;
    stream_body(in, out);
    out.flush();
    return;
  }
  QueueClient qq(home);
  qq.put(r.header);
  stream_body(in, qq.message());
  QueueResult result = qq.finish(Envelope{r.sender, r.recipients});
  if (!result.ok()) throw ExitError(result.permanent() ? exit_perm : exit_temp, std::string(result.reason()));
}

}  // namespace mta::inject
