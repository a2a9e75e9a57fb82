// mta/core/message.cpp — header block parsing, qmail-inject's rules.
//
// Spec notes: RFC 5322 2.2 (field = name ":" value, name of printable ASCII
// other than ':' and space) and 2.2.3 (folding). qmail-inject also allows
// spaces and tabs between the name and the ':' (RFC 822's obsolete syntax),
// and so do we.
#include "mta/core/message.h"

#include "mta/core/address.h"

namespace mta::message {

namespace {

bool is_name_char(char c) { return c > ' ' && c < 127 && c != ':'; }

std::string_view trim_name(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

}  // namespace

std::string_view Field::value() const {
  std::string_view v(raw);
  std::size_t colon = v.find(':');
  v = colon == std::string_view::npos ? std::string_view() : v.substr(colon + 1);
  if (!v.empty() && v.back() == '\n') v.remove_suffix(1);
  return v;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t k = 0; k < value.size(); ++k) {
    if (value[k] == '\r' && k + 1 < value.size() && value[k + 1] == '\n') continue;
    if (value[k] == '\n') continue;
    out.push_back(value[k]);
  }
  return out;
}

bool is_field_line(std::string_view line, std::string_view* name) {
  std::size_t k = 0;
  while (k < line.size() && is_name_char(line[k])) ++k;
  if (k == 0) return false;
  std::size_t end = k;
  while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
  if (k == line.size() || line[k] != ':') return false;
  if (name) *name = line.substr(0, end);
  return true;
}

const Field* Header::find(std::string_view name) const {
  for (const Field& f : fields)
    if (address::iequals(f.name, name)) return &f;
  return nullptr;
}

std::vector<const Field*> Header::find_all(std::string_view name) const {
  std::vector<const Field*> out;
  for (const Field& f : fields)
    if (address::iequals(f.name, name)) out.push_back(&f);
  return out;
}

std::size_t Header::remove(std::string_view name) {
  std::size_t before = fields.size();
  std::erase_if(fields, [&](const Field& f) { return address::iequals(f.name, name); });
  return before - fields.size();
}

Field make_field(std::string_view name, std::string_view value) {
  Field f;
  f.name = std::string(name);
  f.raw.reserve(name.size() + value.size() + 3);
  f.raw.append(name).append(": ").append(value).push_back('\n');
  return f;
}

void Header::add(std::string_view name, std::string_view value) { fields.push_back(make_field(name, value)); }

void Header::insert(std::size_t index, std::string_view name, std::string_view value) {
  fields.insert(fields.begin() + static_cast<std::ptrdiff_t>(std::min(index, fields.size())),
                make_field(name, value));
}

std::string Header::text() const {
  std::string out;
  std::size_t n = 0;
  for (const Field& f : fields) n += f.raw.size();
  out.reserve(n);
  for (const Field& f : fields) out += f.raw;
  return out;
}

// read_header - one line at a time, deciding field, continuation or end.
Header read_header(io::Reader& in, const HeaderLimits& limits) {
  Header h;
  std::string line;
  std::size_t total = 0;
  bool first = true;
  for (;;) {
    io::Reader::Got got;
    try {
      got = in.getline(line, '\n', limits.max_bytes - total);
    } catch (const io::LineTooLong&) {
      throw HeaderTooLong();
    }
    if (got == io::Reader::Got::nothing) return h;  // EOF ends the header
    total += line.size() + 1;
    if (total > limits.max_bytes) throw HeaderTooLong();
    bool had_lf = got == io::Reader::Got::line;

    if (line.empty()) {
      h.ended_by_blank = true;
      return h;
    }
    if (first && line.starts_with("From ")) {
      // An mbox separator: keep it, visibly, as a field of its own.
      Field f;
      f.name = "MBOX-Line";
      f.raw = "MBOX-Line: " + line + "\n";
      h.fields.push_back(std::move(f));
    } else if ((line[0] == ' ' || line[0] == '\t') && !h.fields.empty()) {
      h.fields.back().raw.append(line).push_back('\n');
    } else if (std::string_view name; is_field_line(line, &name)) {
      Field f;
      f.name = std::string(trim_name(name));
      f.raw.reserve(line.size() + 1);
      f.raw.append(line).push_back('\n');
      h.fields.push_back(std::move(f));
    } else {
      // Not a header line: it is the body's first line.
      h.blank_inserted = true;
      h.body_start = std::move(line);
      if (had_lf) h.body_start.push_back('\n');
      return h;
    }
    first = false;
    if (!had_lf) return h;
  }
}

}  // namespace mta::message
