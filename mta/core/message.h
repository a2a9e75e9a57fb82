// mta/core/message.h — a message's header, parsed from a stream.
//
// read_header() reads only the header block from a Reader and leaves the
// Reader at the first byte of the body, so the body is streamed by the caller
// and never held in memory. The header keeps every field in order,
// duplicates included, each with its raw text (continuation lines and all),
// so that writing it back out changes nothing that was not changed on purpose.
// Field names are looked up without regard to ASCII case.
//
// What a header is follows qmail-inject (reference mta.md 12.4):
//   - a field line is a name of printable non-space characters, optional
//     spaces or tabs, then ':'; a line starting with space or tab continues
//     the field before it;
//   - a leading "From " line (an mbox separator) is kept as the field
//     "MBOX-Line: From ...";
//   - the header ends at an empty line (consumed), at EOF, or at the first
//     line that is neither; that line starts the body (Header::body_start),
//     and a blank line separating it from the header has to be inserted
//     (Header::blank_inserted).
// Lines end in LF; a CR before it is part of the line. A last line without
// LF is still a line (written back with LF).
//
// Callers: qmail-inject; later the list programs. Errors: HeaderTooLong when
// the block passes HeaderLimits::max_bytes; TempError for read errors.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/io.h"

namespace mta::message {

struct HeaderLimits {
  // The whole header block; qmail has no limit, we refuse a header that
  // would exhaust memory rather than die in the middle of it.
  std::size_t max_bytes = 64u << 20;
};

class HeaderTooLong : public std::runtime_error {
 public:
  HeaderTooLong() : std::runtime_error("message header too long") {}
};

struct Field {
  std::string name;  // as written, without trailing spaces ("Subject")
  std::string raw;   // the whole field as read, every line ending in '\n'
  // The value: everything after the ':', continuation lines included, without
  // the final newline ("  hello\n\tworld").
  std::string_view value() const;
};

// Removes the line breaks of a folded value (RFC 5322 2.2.3): each LF, and a
// CR right before it, is dropped; the white space after it stays.
std::string unfold(std::string_view value);

// True if `line` starts a header field; `name` gets the field name.
bool is_field_line(std::string_view line, std::string_view* name = nullptr);

class Header {
 public:
  std::vector<Field> fields;
  bool blank_inserted = false;  // the header ended at a line that was not a field
  std::string body_start;       // that line (with its '\n' if it had one): the body's first bytes
  bool ended_by_blank = false;  // the header ended at an empty line (consumed)

  // First field called `name` (case-insensitive), or nullptr.
  const Field* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  // Every field called `name`, in order.
  std::vector<const Field*> find_all(std::string_view name) const;
  // Removes every field called `name`; returns how many.
  std::size_t remove(std::string_view name);
  // Appends a field "Name: value\n" (value may contain folded lines).
  void add(std::string_view name, std::string_view value);
  // Inserts a field before position `index`.
  void insert(std::size_t index, std::string_view name, std::string_view value);
  // The fields as raw text, in order (without the separating blank line).
  std::string text() const;
};

Field make_field(std::string_view name, std::string_view value);

// Reads the header block. After it returns, the body is body_start followed
// by whatever `in` still holds.
Header read_header(io::Reader& in, const HeaderLimits& limits = {});

}  // namespace mta::message
