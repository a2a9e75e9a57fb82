#include "mta/core/envelope.h"

namespace mta {

namespace {
// Reads one address up to its NUL, refusing overlong ones as they arrive.
void read_address(io::Reader& in, std::size_t max_address, std::string& addr) {
  io::Reader::Got got;
  try {
    got = in.getline(addr, '\0', max_address);
  } catch (const io::LineTooLong&) {
    throw EnvelopeError(EnvelopeError::Kind::too_long, "envelope address too long");
  }
  if (got != io::Reader::Got::line)
    throw EnvelopeError(EnvelopeError::Kind::short_read, "envelope ended early");
}
}  // namespace

void parse_envelope(io::Reader& in, std::size_t max_address,
                    const std::function<void(char, std::string&)>& on_address) {
  std::string addr;
  auto first = in.get();
  if (!first) throw EnvelopeError(EnvelopeError::Kind::short_read, "envelope ended early");
  if (*first != 'F') throw EnvelopeError(EnvelopeError::Kind::format, "envelope does not start with F");
  read_address(in, max_address, addr);
  on_address('F', addr);
  for (;;) {
    auto c = in.get();
    if (!c) throw EnvelopeError(EnvelopeError::Kind::short_read, "envelope ended early");
    if (*c == '\0') return;
    if (*c != 'T') throw EnvelopeError(EnvelopeError::Kind::format, "envelope record is not T");
    read_address(in, max_address, addr);
    on_address('T', addr);
  }
}

Envelope read_envelope(io::Reader& in, std::size_t max_address) {
  Envelope env;
  parse_envelope(in, max_address, [&env](char kind, std::string& addr) {
    if (kind == 'F')
      env.sender = std::move(addr);
    else
      env.recipients.push_back(std::move(addr));
  });
  return env;
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
