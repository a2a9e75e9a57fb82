#include "mta/core/envelope.h"

namespace mta {

namespace {
// Reads one address up to its NUL, refusing overlong ones as they arrive.
std::string read_address(io::Reader& in, std::size_t max_address) {
  std::string addr;
  io::Reader::Got got;
  try {
    got = in.getline(addr, '\0', max_address);
  } catch (const io::LineTooLong&) {
    throw EnvelopeError(EnvelopeError::Kind::too_long, "envelope address too long");
  }
  if (got != io::Reader::Got::line)
    throw EnvelopeError(EnvelopeError::Kind::short_read, "envelope ended early");
  return addr;
}
}  // namespace

Envelope read_envelope(io::Reader& in, std::size_t max_address) {
  Envelope env;
  auto first = in.get();
  if (!first) throw EnvelopeError(EnvelopeError::Kind::short_read, "envelope ended early");
  if (*first != 'F') throw EnvelopeError(EnvelopeError::Kind::format, "envelope does not start with F");
  env.sender = read_address(in, max_address);
  for (;;) {
    auto c = in.get();
    if (!c) throw EnvelopeError(EnvelopeError::Kind::short_read, "envelope ended early");
    if (*c == '\0') return env;
    if (*c != 'T') throw EnvelopeError(EnvelopeError::Kind::format, "envelope record is not T");
    env.recipients.push_back(read_address(in, max_address));
  }
}

std::string format_envelope(const Envelope& env) {
  std::string out;
  out.reserve(env.sender.size() + 3);
  out += 'F';
  out += env.sender;
  out += '\0';
  for (const auto& r : env.recipients) {
    out += 'T';
    out += r;
    out += '\0';
  }
  out += '\0';
  return out;
}

}  // namespace mta
