#include "ezmlm/lib/post_reject.h"

#include <algorithm>
#include <charconv>

#include "ezmlm/lib/post_mime.h"
#include "ezmlm/lib/post_subject.h"
#include "ezmlm/lib/sender.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"

namespace ezmlm::post {

namespace {

std::string msg(const ListDir* dir, std::string_view key, const std::vector<std::string>& args,
                std::string_view fallback) {
  std::string text;
  if (dir) text = dir->message(key, args);
  else if (const char* f = fallback_message(key)) text = format_message(f, args);
  if (text.empty() || text == key) text = format_message(fallback, args);
  return text;
}

std::string trimmed(std::string_view v) {
  std::string s = mta::message::unfold(v);
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> lower_lines(const ListDir& dir, std::string_view name) {
  auto lines = dir.lines(name);
  for (auto& l : lines) l = mta::address::ascii_lower(l);
  return lines;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool names_list(const mta::message::Header& h, std::string_view list) {
  for (const char* field : {"to", "cc"})
    for (const auto* f : h.find_all(field)) {
      try {
        for (const auto& item : mta::address::parse_address_list(f->value()))
          for (const auto& m : item.members)
            if (mta::address::iequals(m.address, list)) return true;
      } catch (const mta::address::AddressError&) {
      }
    }
  return false;
}

// The type of a part from its header text.
std::string part_type_of(const std::string& head) {
  auto r = mta::io::Reader::from_string(head);
  auto h = mta::message::read_header(r);
  if (const auto* ct = h.find("content-type")) return parse_content_type(ct->value()).type;
  return "text/plain";
}

struct BodyScan {
  unsigned long long bytes = 0;   // body bytes without part headers and delimiters
  std::vector<std::string> part_types;
  std::string first_text;         // the first non-blank line (for -b)
};

BodyScan scan_body(mta::io::Reader& in, std::string_view first, const ContentType& ct) {
  BodyScan scan;
  const bool mime = ct.multipart() && !ct.boundary.empty();
  const std::string delim = "--" + ct.boundary;
  bool in_head = false;
  std::string head;
  std::string line;
  std::string_view pending = first;
  auto next = [&]() -> bool {
    if (!pending.empty()) {
      line.assign(pending);
      pending = {};
      if (line.back() != '\n') {
        std::string more;
        auto got = in.getline(more);
        line += more;
        if (got == mta::io::Reader::Got::line) line.push_back('\n');
      }
      return true;
    }
    auto got = in.getline(line);
    if (got == mta::io::Reader::Got::nothing) return false;
    if (got == mta::io::Reader::Got::line) line.push_back('\n');
    return true;
  };
  while (next()) {
    std::string_view t = line;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
    if (scan.first_text.empty() && !mime) {
      auto b = t.find_first_not_of(" \t");
      if (b != std::string_view::npos) scan.first_text = std::string(t.substr(b));
    }
    if (mime && t.substr(0, delim.size()) == delim) {
      if (in_head) scan.part_types.push_back(part_type_of(head));
      in_head = t.substr(delim.size(), 2) != "--";
      head.clear();
      continue;
    }
    if (in_head) {
      head += line;
      if (t.empty()) {
        scan.part_types.push_back(part_type_of(head));
        in_head = false;
      }
      continue;
    }
    if (mime && scan.first_text.empty()) {
      auto b = t.find_first_not_of(" \t");
      if (b != std::string_view::npos && !scan.part_types.empty()) scan.first_text = std::string(t.substr(b));
    }
    scan.bytes += line.size();
  }
  if (in_head) scan.part_types.push_back(part_type_of(head));
  return scan;
}

}  // namespace

void check_post(const ListDir* dir, const std::optional<std::string>& sender, const RejectOptions& o,
                mta::io::Reader& in) {
  // Bounces and mail without a sender are never posts.
  if (!sender) throw mta::PermError(msg(dir, "ERR_NOSENDER", {}, "SENDER not set"), "");
  if (is_bounce_sender(*sender))
    throw mta::PermError(msg(dir, "ERR_BOUNCE", {}, "I do not reply to bounce messages (#5.7.2)"), "");

  auto h = mta::message::read_header(in);

  if (const auto* p = h.find("precedence")) {
    std::string v = mta::address::ascii_lower(trimmed(p->value()));
    if (v == "junk" || v == "bulk") throw mta::ExitError(mta::exit_stop);
  }

  const auto* subject = h.find("subject");
  std::string subj = subject ? trimmed(decode_2047(subject->value())) : std::string();
  if (o.need_subject) {
    std::string l = mta::address::ascii_lower(subj);
    if (l.empty() || l == "(null)" || l == "(none)" || l == "(no subject)")
      throw mta::PermError(msg(dir, "ERR_NO_SUBJECT", {}, "the message has no subject (#5.7.0)"), "");
  }
  if (o.subject_command) {
    std::string l = mta::address::ascii_lower(subj);
    if (l == "help" || l == "remove" || l == "subscribe" || l == "unsubscribe")
      throw mta::PermError(msg(dir, "ERR_SUBCOMMAND", {}, "the subject is a command (#5.7.0)"), "");
  }

  if (dir && o.need_address) {
    std::string list = dir->outlocal() + "@" + dir->outhost();
    if (!names_list(h, list)) {
      if (o.quiet_address) throw mta::ExitError(mta::exit_stop);
      throw mta::PermError(msg(dir, "ERR_NO_ADDRESS", {}, "the list address is not in To: or Cc: (#5.7.0)"), "");
    }
  }
  if (dir && o.header_reject) {
    auto reject = lower_lines(*dir, "headerreject");
    for (const auto& f : h.fields)
      if (contains(reject, mta::address::ascii_lower(f.name)))
        // ezmlm-reject gives ERR_MAILING_LIST here: headerreject exists to
        // keep other lists' traffic out.
        throw mta::PermError(msg(dir, "ERR_MAILING_LIST", {}, "this message came from a mailing list (#5.7.2)"), "");
  }

  ContentType ct;
  if (const auto* c = h.find("content-type")) ct = parse_content_type(c->value());
  else ct.type = "text/plain";
  std::vector<std::string> mimereject, mimeremove, mimekeep;
  if (dir) {
    mimereject = lower_lines(*dir, "mimereject");
    mimekeep = lower_lines(*dir, "mimekeep");
    if (dir->flag('x')) mimeremove = lower_lines(*dir, "mimeremove");
    bool bad_type = contains(mimereject, ct.type) ||
                    (!ct.multipart() && (contains(mimeremove, ct.type) ||
                                         (!mimekeep.empty() && !contains(mimekeep, ct.type))));
    if (bad_type)
      throw mta::PermError(msg(dir, "ERR_BAD_TYPE", {ct.type}, "messages of type <#1#> are not accepted (#5.2.3)"), "");
  }

  // The body: sizes, part types, and the first words for -b.
  bool need_body = o.body_command || (dir && (!mimereject.empty() || dir->first_line("msgsize")));
  if (!need_body) return;
  BodyScan scan = scan_body(in, h.body_start, ct);
  for (const auto& t : scan.part_types)
    if (contains(mimereject, t))
      throw mta::PermError(msg(dir, "ERR_BAD_PART", {t}, "message parts of type <#1#> are not accepted (#5.2.3)"), "");
  if (o.body_command) {
    std::string l = mta::address::ascii_lower(scan.first_text.substr(0, 11));
    if (l.rfind("subscribe", 0) == 0 || l.rfind("unsubscribe", 0) == 0)
      throw mta::PermError(msg(dir, "ERR_SUBCOMMAND", {}, "the body is a command (#5.7.0)"), "");
  }
  if (dir) {
    if (auto size = dir->first_line("msgsize")) {
      unsigned long long max = 0, min = 0;
      std::string_view v = *size;
      auto colon = v.find(':');
      std::string_view a = v.substr(0, colon), b = colon == std::string_view::npos ? "" : v.substr(colon + 1);
      std::from_chars(a.data(), a.data() + a.size(), max);
      std::from_chars(b.data(), b.data() + b.size(), min);
      if (max && scan.bytes > max)
        throw mta::PermError(msg(dir, "ERR_MAX_SIZE", {std::to_string(max)}, "the body is larger than <#1#> bytes (#5.2.3)"), "");
      if (min && scan.bytes < min)
        throw mta::PermError(msg(dir, "ERR_MIN_SIZE", {std::to_string(min)}, "the body is smaller than <#1#> bytes (#5.7.0)"), "");
    }
  }
}

}  // namespace ezmlm::post
