// Fuzz target: ezmlm-get's DEFAULT parser and range clamping (get_command.h).
// Input: "max:dignum:code\n" then the action (a list-ACTION@host command
// address comes from anyone). Whatever the action, the spans must stay inside
// the archive and within MAXGET / MAXINDEX / the thread window, and a digest
// trigger may only be accepted when the code really starts the request.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ezmlm/lib/get_command.h"

namespace {

unsigned long number(std::string_view& s) {
  unsigned long n = 0;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9' && n < 100000000) {
    n = n * 10 + static_cast<unsigned long>(s.front() - '0');
    s.remove_prefix(1);
  }
  if (!s.empty() && s.front() == ':') s.remove_prefix(1);
  return n;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ezmlm::get;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const unsigned long max = number(in) + 1;  // an archive has at least one message here
  const unsigned long dignum = number(in);
  auto nl = in.find('\n');
  std::string_view code = in.substr(0, nl == std::string_view::npos ? 0 : nl);
  std::string_view action = nl == std::string_view::npos ? in : in.substr(nl + 1);

  Command c = parse_command(action);
  check(c.format == 0 || is_format(c.format));
  if (c.action != Action::none) {
    Span g = get_span(c.first, c.second, max, dignum);
    check(g.from >= 1 && g.from <= g.to && g.to <= max && g.to - g.from < max_get);
    Span i = index_span(c.first, c.second, max);
    check(i.from >= 1 && i.from <= i.to && i.to <= max && i.to - i.from <= max_index);
    if (auto t = thread_span(c.first, max)) {
      check(t->from >= 1 && t->from <= c.first && c.first <= t->to && t->to <= max);
      check(c.first - t->from <= thread_span_before && t->to - c.first <= thread_span_after);
    } else {
      check(c.first == 0 || c.first > max);
    }
  }
  auto t = parse_digest_trigger(action, code);
  if (t.result == Trigger::accepted) {
    check(!code.empty() && action.size() >= 4 + code.size());
    check(action.size() <= 5 + code.size());
    check(t.format == 0 || is_format(t.format));
  }
  check(parse_digest_trigger(action, std::nullopt).result != Trigger::accepted);
  return 0;
}
