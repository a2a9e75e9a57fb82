// ezmlm/lib/dsn.cpp — RFC 3464 and QSBMF bounce parsing; see dsn.h.
//
// Everything works on string_views of the scanned prefix: a line is cut at
// '\n' with one trailing '\r' removed, so LF and CRLF reports read alike. A
// field block (message header, MIME part header, DSN field group) is read
// by FieldBlock, which unfolds continuation lines and stops at a blank line.
#include "ezmlm/lib/dsn.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "ezmlm/lib/post_mime.h"
#include "mta/core/address.h"
#include "mta/core/text.h"

namespace ezmlm::dsn {

namespace {

using mta::address::ascii_lower;
using mta::address::iequals;
using mta::text::trim;

// Cuts the first line off `rest` (without "\n" and one "\r").
std::string_view next_line(std::string_view& rest) {
  std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool blank(std::string_view line) { return trim(line).empty(); }

bool istarts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

struct Field {
  std::string name;   // lower case
  std::string value;  // unfolded, trimmed
};

// One block of "Name: value" lines with continuations, up to a blank line
// (consumed) or the end. Lines that are not fields are skipped: a broken
// line must not hide the fields after it.
std::vector<Field> read_fields(std::string_view& rest) {
  std::vector<Field> fields;
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (blank(line)) break;
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      if (fields.back().value.size() < 4096) fields.back().value.append(" ").append(trim(line));
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view name = trim(line.substr(0, colon));
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) continue;
    fields.push_back({ascii_lower(name), std::string(trim(line.substr(colon + 1)))});
  }
  return fields;
}

const std::string* field(const std::vector<Field>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

std::string content_type_of(const std::vector<Field>& fields) {
  const std::string* ct = field(fields, "content-type");
  return ct ? post::parse_content_type(*ct).type : std::string("text/plain");
}

bool is_status_type(std::string_view type) {
  return type == "message/delivery-status" || type == "message/global-delivery-status";
}

void add_recipient(Report& report, Recipient r) {
  if (report.recipients.size() >= max_recipients) return;
  r.address = !r.original_recipient.empty() ? r.original_recipient : r.final_recipient;
  if (r.address.empty()) return;
  if (r.status.empty()) r.status = find_status(r.diagnostic);
  report.recipients.push_back(std::move(r));
}

// The field groups of a message/delivery-status body. Groups without a
// recipient field (the per-message group) give nothing.
void parse_status_groups(std::string_view body, Report& report) {
  while (!body.empty() && report.recipients.size() < max_recipients) {
    // A stray boundary line ends the part (the fallback path has no boundary).
    if (body.substr(0, 2) == "--") break;
    auto fields = read_fields(body);
    if (fields.empty()) continue;
    Recipient r;
    if (const auto* v = field(fields, "final-recipient")) r.final_recipient = usable_address(*v);
    if (const auto* v = field(fields, "original-recipient")) r.original_recipient = usable_address(*v);
    if (const auto* v = field(fields, "action")) r.action = ascii_lower(trim(*v));
    if (const auto* v = field(fields, "status")) r.status = find_status(*v);
    if (const auto* v = field(fields, "diagnostic-code")) r.diagnostic = mta::text::one_line(*v);
    add_recipient(report, std::move(r));
  }
}

// Splits a multipart body at "--boundary" lines and calls f(part) for each
// part (header and body) until the closing "--boundary--" or the end.
template <typename F>
void for_each_part(std::string_view body, std::string_view boundary, F&& f) {
  const std::string dash = "--" + std::string(boundary);
  std::optional<std::size_t> start;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    std::size_t next = nl == std::string_view::npos ? body.size() : nl + 1;
    if (line.substr(0, dash.size()) == dash) {
      if (start) f(body.substr(*start, pos - *start));
      std::string_view tail = trim(line.substr(dash.size()));
      if (tail.substr(0, 2) == "--") return;
      start = next;
    }
    pos = next;
  }
  if (start && *start < body.size()) f(body.substr(*start));
}

bool is_digits(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_status_token(std::string_view t) {
  if (t.size() < 5 || (t[0] != '2' && t[0] != '4' && t[0] != '5') || t[1] != '.') return false;
  std::string_view rest = t.substr(2);
  std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  return is_digits(rest.substr(0, dot), 3) && is_digits(rest.substr(dot + 1), 3);
}

// The SMTP reply code a diagnostic starts with ("smtp; 452 ..." or
// "Remote host said: 452 ..."), or 0.
int smtp_code(std::string_view diag) {
  for (std::string_view lead : {"smtp;", "remote host said:"}) {
    std::size_t k = 0;
    while (k + lead.size() <= diag.size()) {
      if (istarts(diag.substr(k), lead)) {
        std::string_view rest = trim(diag.substr(k + lead.size()));
        if (rest.size() >= 3 && is_digits(rest.substr(0, 3), 3) && (rest.size() == 3 || !std::isdigit(static_cast<unsigned char>(rest[3]))))
          return (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        break;
      }
      ++k;
      if (k > 256) break;  // the reply is near the front; do not scan a huge text twice
    }
  }
  return 0;
}

}  // namespace

std::string find_status(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Tokens are cut at blanks and at the punctuation around codes: "(#5.1.1)".
    std::size_t start = text.find_first_not_of(" \t\r\n()#[],;:", i);
    if (start == std::string_view::npos) break;
    std::size_t end = text.find_first_of(" \t\r\n()#[],;:", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view token = text.substr(start, end - start);
    if (is_status_token(token)) return std::string(token);
    i = end;
  }
  return "";
}

std::string usable_address(std::string_view text) {
  std::string_view s = trim(text);
  // "rfc822; user@dom" — the address type is a token without '@'.
  if (std::size_t semi = s.find(';'); semi != std::string_view::npos && s.substr(0, semi).find('@') == std::string_view::npos)
    s = trim(s.substr(semi + 1));
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = trim(s.substr(1, s.size() - 2));
  if (s.empty() || s.size() > 254) return "";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';') return "";
  }
  std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return "";
  return std::string(s);
}

Report parse_dsn(std::string_view message) {
  Report report;
  std::string_view rest = message.substr(0, std::min(message.size(), max_scan));
  auto header = read_fields(rest);
  const std::string* ct = field(header, "content-type");
  if (!ct) return report;
  auto type = post::parse_content_type(*ct);
  if (type.type != "multipart/report" || !icontains(*ct, "delivery-status")) return report;

  if (!type.boundary.empty()) {
    for_each_part(rest, type.boundary, [&report](std::string_view part) {
      if (report.format == Format::dsn) return;  // the first status part counts
      auto part_header = read_fields(part);
      if (!is_status_type(content_type_of(part_header))) return;
      report.format = Format::dsn;
      parse_status_groups(part, report);
    });
    if (report.format == Format::dsn) return report;
  }
  // No boundary, or none that matched: look for the part header by hand.
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (!istarts(line, "content-type:")) continue;
    std::string t = post::parse_content_type(line.substr(13)).type;
    if (!is_status_type(t)) continue;
    read_fields(rest);  // the rest of that part header
    report.format = Format::dsn;
    parse_status_groups(rest, report);
    break;
  }
  return report;
}

Report parse_qsbmf(std::string_view body) {
  Report report;
  std::string_view rest = body.substr(0, std::min(body.size(), max_scan));
  bool started = false;
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (line.substr(0, 15) == "Hi. This is the") {
      started = true;
      break;
    }
  }
  if (!started) return report;
  report.format = Format::qsbmf;
  // A plain value and a flag, not std::optional: GCC 12 warns falsely
  // about an optional<Recipient> moved from inside a lambda.
  Recipient current;
  bool have = false;
  auto flush = [&] {
    if (!have) return;
    current.diagnostic = mta::text::one_line(current.diagnostic);
    add_recipient(report, std::move(current));
    current = Recipient{};
    have = false;
  };
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (line.substr(0, 4) == "--- ") break;  // the break paragraph
    if (blank(line)) {
      flush();
      continue;
    }
    if (line.front() == '<' && line.size() > 3 && line.substr(line.size() - 2) == ">:") {
      flush();
      have = true;
      current.final_recipient = usable_address(line.substr(0, line.size() - 1));
      current.action = "failed";
      continue;
    }
    // qmail writes "\n\n" inside a report as "\n/\n": a "/" line continues it.
    if (have && current.diagnostic.size() < 4096) current.diagnostic.append(" ").append(line.substr(0, 4096));
  }
  flush();
  return report;
}

Report parse(std::string_view message) {
  Report r = parse_dsn(message);
  if (r.format != Format::none) return r;
  return parse_qsbmf(message);
}

Verdict classify(const Recipient& r) {
  const std::string& a = r.action;
  if (a == "delayed" || a == "delivered" || a == "relayed" || a == "expanded") return Verdict::not_failure;
  std::string status = r.status.empty() ? find_status(r.diagnostic) : r.status;
  int code = smtp_code(r.diagnostic);
  if ((!status.empty() && status[0] == '4') || (status.empty() && code >= 400 && code < 500))
    return Verdict::transient;
  if (!status.empty() && status[0] == '2') return Verdict::not_failure;
  bool dmarc = icontains(r.diagnostic, "dmarc");
  if (status == "5.7.26" || status == "5.7.509") return Verdict::policy;
  if (dmarc && (status.empty() || status[0] == '5')) return Verdict::policy;
  if (status.rfind("5.7.", 0) == 0 && icontains(r.diagnostic, "policy")) return Verdict::policy;
  return Verdict::dead;
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::dead: return "dead";
    case Verdict::transient: return "transient";
    case Verdict::policy: return "policy";
    case Verdict::not_failure: return "not-failure";
  }
  return "dead";
}

const Recipient* recipient_for(const Report& report, std::string_view address) {
  for (const auto& r : report.recipients)
    if (iequals(r.final_recipient, address) || iequals(r.original_recipient, address)) return &r;
  if (report.recipients.size() == 1) return &report.recipients.front();
  return nullptr;
}

}  // namespace ezmlm::dsn
