// Fuzz target: qmail-remote's server-reply parser (outside input: whatever
// the remote server sends). The input is read as reply lines the way the
// session reads them; every finished reply must have a 3-digit code, text
// that ends in "\n" and stays within the cap, and as many lines as fed.
// The EHLO keyword scan runs on every reply. Also the body encoder: blast
// must never emit a bare LF, and must end in ".\r\n" when it accepts.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/io.h"
#include "mta/smtp/remote_parts.h"

using namespace mta::remote;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto reader = mta::io::Reader::from_string(bytes);
  ReplyParser parser;
  std::string line;
  try {
    while (reader.getline(line, '\n', max_reply_line) == mta::io::Reader::Got::line) {
      auto reply = parser.line(line);
      if (!reply) continue;
      if (reply->code < 0 || reply->code > 999) std::abort();
      if (reply->text.empty() || reply->text.back() != '\n') std::abort();
      if (reply->text.size() > max_reply_text + 1) std::abort();
      if (reply->lines.empty() || reply->lines.size() > max_reply_lines) std::abort();
      (void)parse_ehlo(*reply);
    }
  } catch (const ReplyError&) {
  } catch (const mta::io::LineTooLong&) {
  }
  if (auto out = blast(bytes)) {
    if (out->size() < 3 || out->compare(out->size() - 3, 3, ".\r\n") != 0) std::abort();
    for (std::size_t i = 0; i < out->size(); ++i)
      if ((*out)[i] == '\n' && (i == 0 || (*out)[i - 1] != '\r')) std::abort();
  }
  return 0;
}
