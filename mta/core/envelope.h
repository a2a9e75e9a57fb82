// mta/core/envelope.h — the qmail-queue envelope, both ways.
//
// Wire format (qmail-queue's fd 1): "F" sender NUL, then "T" recipient NUL
// for each recipient, then one more NUL. The sender may be empty; there may
// be no recipients. An address of more than max_address bytes is refused
// (qmail-queue exit 11); a record that does not start with F/T is a format
// error (exit 91); EOF before the final NUL is a short read (exit 54).
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/address.h"
#include "mta/core/io.h"

namespace mta {

struct Envelope {
  std::string sender;
  std::vector<std::string> recipients;
  bool operator==(const Envelope&) const = default;
};

// qmail-queue accepts addresses of up to 1002 bytes before the NUL.
inline constexpr std::size_t envelope_max_address = address::max_envelope_address;

class EnvelopeError : public std::runtime_error {
 public:
  enum class Kind { format, too_long, short_read };
  EnvelopeError(Kind kind, const char* what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Reads one envelope; throws EnvelopeError (or TempError for an I/O error).
Envelope read_envelope(io::Reader& in, std::size_t max_address = envelope_max_address);
// The same parser, record by record: calls on_address('F' or 'T', address)
// as each record arrives (the address may be moved from), so that a copy can
// stream and check as it goes. Throws as read_envelope does, and whatever
// on_address throws.
void parse_envelope(io::Reader& in, std::size_t max_address,
                    const std::function<void(char, std::string&)>& on_address);
std::string format_envelope(const Envelope& env);

}  // namespace mta
