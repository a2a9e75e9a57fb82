// ezmlm/lib/request_run.cpp — see request_run.h.
#include "ezmlm/lib/request_run.h"

#include <algorithm>
#include <filesystem>
#include <cctype>
#include <iostream>
#include <utility>
#include <vector>

#include "ezmlm/lib/post_subject.h"
#include "ezmlm/lib/reply.h"
#include "ezmlm/lib/request.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"
#include "mta/core/paths.h"
#include "mta/core/queue_client.h"
#include "mta/core/address.h"
#include "mta/core/text.h"

namespace ezmlm::request {
namespace {
using mta::cat;

// The request as read: header, and the body lines read ahead while looking
// for a command (they are forwarded before the rest of the stream).
struct Incoming {
  mta::message::Header header;
  std::string body_read;  // body bytes already taken from the stream
  bool multipart = false;
};

bool starts_with_letter(std::string_view line) {
  return !line.empty() && std::isalpha(static_cast<unsigned char>(line[0]));
}

// One more body line into msg.body_read (header.body_start first); nullopt
// at end of input. The line is returned without "\n" and a trailing CR.
std::optional<std::string> next_body_line(Incoming& msg, mta::io::Reader& in, bool& started) {
  std::string line;
  if (!started) {
    started = true;
    if (!msg.header.body_start.empty()) {
      msg.body_read = msg.header.body_start;
      line = msg.header.body_start;
      if (line.back() == '\n') line.pop_back();
      return std::string(mta::text::trim_right(line, "\r"));
    }
  }
  auto got = in.getline(line);
  if (got == mta::io::Reader::Got::nothing) return std::nullopt;
  msg.body_read += line;
  if (got == mta::io::Reader::Got::line) msg.body_read += '\n';
  return std::string(mta::text::trim_right(line, "\r"));
}

// The first body line starting with a letter. In a multipart body the
// preamble and each part's header are skipped (the first "--" line is taken
// as the first boundary, as ezmlm-request does).
std::optional<std::string> first_letter_line(Incoming& msg, mta::io::Reader& in) {
  enum class State { preamble, part_header, content } state =
      msg.multipart ? State::preamble : State::content;
  bool started = false;
  while (auto line = next_body_line(msg, in, started)) {
    bool dashes = line->compare(0, 2, "--") == 0;
    switch (state) {
      case State::preamble:
        if (dashes) state = State::part_header;
        break;
      case State::part_header:
        if (line->empty()) state = State::content;
        break;
      case State::content:
        if (msg.multipart && dashes) state = State::part_header;
        else if (starts_with_letter(*line)) return line;
        break;
    }
  }
  return std::nullopt;
}

// Where the command is written: DEFAULT's rest, the Subject, a body line.
Command find_command(std::string_view deflt_rest, Incoming& msg, mta::io::Reader& in, const ListLookup& lists) {
  if (!deflt_rest.empty()) return parse_address_part(deflt_rest);
  if (const auto* subject = msg.header.find("Subject")) {
    std::string text(mta::text::trim(post::decode_2047(mta::message::unfold(subject->value()))));
    if (!text.empty() && (starts_with_letter(text) || text[0] == '_'))
      if (auto cmd = parse_line(text, lists)) return *cmd;
  }
  if (auto line = first_letter_line(msg, in))
    if (auto cmd = parse_line(*line, lists)) return *cmd;
  Command help;
  help.name = "help";
  return help;
}

// headerkeep (when it exists: only those) or headerremove, lower-cased.
struct HeaderFilter {
  std::vector<std::string> names;
  bool keep = false;
  explicit HeaderFilter(const ListDir& dir) {
    auto k = dir.lines("headerkeep");
    keep = dir.locate("headerkeep").has_value();
    for (auto& l : keep ? k : dir.lines("headerremove")) names.push_back(mta::address::ascii_lower(l));
  }
  bool drop(std::string_view name) const {
    std::string n = mta::address::ascii_lower(name);
    if (n == "mbox-line") return true;  // a "From " separator is no header field
    bool listed = std::find(names.begin(), names.end(), n) != names.end();
    return keep ? !listed : listed;
  }
};

void copy_rest(mta::io::Reader& in, mta::io::Writer& out) {
  char buf[65536];
  for (;;) {
    std::size_t n = in.read(buf, sizeof buf);
    if (n == 0) break;
    out.write(std::string_view(buf, n));
  }
}

[[noreturn]] void queue_failed(const ListDir& dir, const mta::QueueResult& result) {
  std::string text = cat(dir.message("ERR_TMP_QMAIL_QUEUE"), ": ", result.reason());
  if (result.permanent()) throw mta::PermError(text, "");
  throw mta::TempError(text, "");
}

// Forwards the request to `recipient` with the sender as envelope sender.
pid_t forward(const ListDir& dir, const std::string& dtline, Incoming& msg, mta::io::Reader& in,
              const std::string& sender, const std::string& recipient) {
  HeaderFilter filter(dir);
  mta::QueueClient queue(mta::qmail_home());
  auto& out = queue.message();
  out << dtline << "\n";
  for (const auto& f : msg.header.fields)
    if (!filter.drop(f.name)) out << f.raw;
  out << "\n";
  out << (msg.body_read.empty() ? msg.header.body_start : msg.body_read);
  copy_rest(in, out);
  mta::Envelope env;
  env.sender = sender;
  env.recipients.push_back(recipient);
  auto result = queue.finish(env);
  if (!result.ok()) queue_failed(dir, result);
  return queue.qp();
}

// The first copylines lines of the body, for the request copy of a reply.
std::vector<std::string> copied_lines(Incoming& msg, mta::io::Reader& in, unsigned long n) {
  std::vector<std::string> out;
  std::string_view done = msg.body_read.empty() ? std::string_view(msg.header.body_start) : msg.body_read;
  while (out.size() < n && !done.empty()) {
    auto nl = done.find('\n');
    out.emplace_back(done.substr(0, nl == std::string_view::npos ? done.size() : nl + 1));
    done.remove_prefix(nl == std::string_view::npos ? done.size() : nl + 1);
  }
  std::string line;
  while (out.size() < n) {
    auto got = in.getline(line);
    if (got == mta::io::Reader::Got::nothing) break;
    out.push_back(line + "\n");
  }
  return out;
}

// The global interface's own answer ("lists", "which"), to `to`.
pid_t answer(const ListDir& dir, const std::vector<ListEntry>& lists, bool which, const std::string& to,
             Incoming& msg, mta::io::Reader& in, const std::string& sender) {
  std::string outlocal = dir.outlocal(), outhost = dir.outhost();
  Reply r(dir, "ezmlm-request");
  r.from = cat(outlocal, "-help@", outhost);
  r.to = to;
  r.subject = cat(outlocal, " ", dir.message("SUB_RESULTS"));
  r.list_headers = false;
  r.text("top");
  if (which) {
    r.raw(cat(dir.message("TXT_WHICH", {to}), "\n\n"));
    for (const auto& e : lists) {
      ListDir list(e.dir, dir.env());
      if (in_any(list, {""}, to)) r.raw(e.address + "\n");
    }
  } else {
    r.raw(cat(dir.message("TXT_LISTS"), "\n"));
    for (const auto& e : lists) {
      r.raw(cat("\n\t", e.address, "\n"));
      if (!e.description.empty()) r.raw(e.description + "\n");
    }
  }
  r.raw("\n");
  Request request;
  request.header = msg.header;
  request.sender = sender;
  request.body_lines = copied_lines(msg, in, copylines(dir));
  r.bottom(request, std::filesystem::exists(dir.path() / "omitbottom"));
  return r.send(cat(outlocal, "-return-@", outhost), {to}, std::time(nullptr));
}

}  // namespace

int run(const ListDir& dir, const RunOptions& options, mta::io::Reader& in) {
  const Env& env = dir.env();

  // Which DEFAULT is ours: "request[-...]" at a list; anything but a
  // "return-" bounce at the global address.
  std::string_view rest;
  if (!options.config) {
    if (!env.deflt) throw mta::PermError(dir.message("ERR_NODEFAULT"), "");
    auto r = default_rest(*env.deflt);
    if (!r) return 0;  // list-subscribe etc.: ezmlm-manage's
    rest = *r;
  } else if (env.deflt) {
    if (mta::address::ascii_lower(*env.deflt).compare(0, 6, "return") == 0) {
      std::cerr << "ezmlm-request: info: " << dir.message("ERR_BOUNCE") << "\n";
      return 0;
    }
    auto r = default_rest(*env.deflt);
    rest = r ? *r : std::string_view(*env.deflt);
  }

  // A bounce or a sender without '@' gets nothing (99: the manager stops).
  if (!env.sender) {
    std::cerr << "ezmlm-request: info: " << dir.message("ERR_NOSENDER") << "\n";
    return mta::exit_stop;
  }
  std::string sender = decode_sender(*env.sender);
  if (is_bounce_sender(sender) || sender.find('@') == std::string::npos) {
    std::cerr << "ezmlm-request: info: "
              << dir.message(is_bounce_sender(sender) ? "ERR_BOUNCE" : "ERR_ANONYMOUS") << "\n";
    return mta::exit_stop;
  }

  std::string outlocal = dir.outlocal(), outhost = dir.outhost();
  std::string dtline = cat("Delivered-To: request processor for ", outlocal, "@", outhost);
  Incoming msg;
  msg.header = mta::message::read_header(in);
  if (msg.header.has("Mailing-List")) throw mta::PermError(dir.message("ERR_MAILING_LIST"), "");
  for (const auto* f : msg.header.find_all("Delivered-To"))
    if (mta::address::ascii_lower(mta::text::trim(f->value())) == mta::address::ascii_lower(std::string_view(dtline).substr(14)))
      throw mta::PermError(dir.message("ERR_LOOPING"), "");
  if (auto why = loop_reason(msg.header, sender); why != LoopReason::none) {
    std::cerr << "ezmlm-request: info: not answering " << loop_reason_text(why) << "\n";
    return mta::exit_stop;
  }
  if (const auto* ct = msg.header.find("Content-Type"))
    msg.multipart = mta::address::ascii_lower(mta::text::trim(ct->value())).compare(0, 10, "multipart/") == 0;

  // The lists this instance serves: its own, or those of the -f file.
  std::vector<ListEntry> lists;
  if (options.config) {
    auto text = mta::io::read_file(*options.config);
    if (!text) throw mta::TempError(dir.message("ERR_OPEN", {*options.config}), "");
    lists = parse_config(*text);
  } else {
    lists.push_back({mta::address::ascii_lower(cat(outlocal, "@", outhost)), dir.path().string(), ""});
  }
  ListLookup lookup = [&lists](std::string_view address) -> std::optional<std::string> {
    for (const auto& e : lists)
      if (e.address == address) return e.address.substr(0, e.address.rfind('@'));
    return std::nullopt;
  };

  Command cmd = find_command(rest, msg, in, lookup);
  if (!cmd.unclean.empty())
    throw mta::PermError(cat(dir.message("ERR_NOT_CLEAN"), ": \"", cmd.unclean, "\""), "");
  // "lists" and "which" belong to the global interface; at a list they
  // are help, as in ezmlm-idx.
  if (!options.config && (cmd.name == "lists" || cmd.name == "which")) cmd.name = "help";
  const ListEntry* list = options.config ? nullptr : &lists.front();
  for (const auto& e : lists)
    if (options.config && e.address == cmd.list) list = &e;

  if (options.config && (cmd.name == "lists" || cmd.name == "which" || !list)) {
    bool which = cmd.name == "which";
    std::string to = which && !cmd.target.empty() ? cmd.target : sender;
    auto qp = answer(dir, lists, which, to, msg, in, sender);
    std::cerr << "ezmlm-request: info: qp " << qp << "\n";
    return mta::exit_stop;
  }

  auto at = list->address.rfind('@');
  std::string recipient =
      forward_address(list->address.substr(0, at), list->address.substr(at + 1), cmd, sender);
  auto qp = forward(dir, dtline, msg, in, sender, recipient);
  std::cerr << "ezmlm-request: info: qp " << qp << "\n";
  return mta::exit_stop;
}

}  // namespace ezmlm::request
