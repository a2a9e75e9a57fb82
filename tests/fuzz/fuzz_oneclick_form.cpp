// Fuzz target: ezmlm-oneclick's parsers of outside input — the query /
// POST body parser (parse_form) and the marker parser — and the input as a
// whole message for qmail-lspawn's byte search and the local renderer.
// Invariants: a parsed form re-encoded (percent_encode) parses back to the
// same pairs; a parsed marker formats and parses back to the same fields;
// may_carry_marker never says no to a message that render_local renders or
// refuses (a miss would leave the marker to the recipient's qmail-local),
// and a rendered copy's header holds no marker.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/render/oneclick.h"

namespace {

void check_local_render(const std::string& bytes) {
  namespace oc = mta::oneclick;
  mta::io::Fd fd(::memfd_create("fuzz-message", MFD_CLOEXEC));
  if (!fd) return;
  mta::io::write_all(fd.get(), bytes);
  ::lseek(fd.get(), 0, SEEK_SET);
  const bool maybe = oc::may_carry_marker(fd.get());
  mta::io::Fd copy;
  try {
    copy = oc::render_local(fd.get(), "", "rcpt@example.test");
  } catch (const mta::TempError&) {
    if (!maybe) std::abort();  // a malformed marker: the renderer saw the field
    return;
  }
  if (!copy) return;
  if (!maybe) std::abort();
  mta::io::Reader in(copy.get());
  auto header = mta::message::read_header(in);
  if (header.find(oc::marker_field)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace oc = mta::oneclick;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto form = oc::parse_form(bytes)) {
    std::string again;
    for (const auto& [name, value] : *form) {
      if (!again.empty()) again += '&';
      again += oc::percent_encode(name) + "=" + oc::percent_encode(value);
    }
    auto back = oc::parse_form(again);
    if (!back || *back != *form) std::abort();
  }
  if (auto m = oc::parse_marker(bytes)) {
    auto back = oc::parse_marker(oc::format_marker(*m));
    if (!back || back->list != m->list || back->number != m->number || back->when != m->when ||
        back->key != m->key || back->url != m->url)
      std::abort();
  }
  check_local_render(bytes);
  return 0;
}
