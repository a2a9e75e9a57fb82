// ezmlm/lib/post_oneclick.cpp — see post_oneclick.h.
#include "ezmlm/lib/post_oneclick.h"

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/render/oneclick.h"

namespace ezmlm::post {

std::string oneclick_field(const ListDir& dir, std::string_view list, unsigned long number, std::time_t now) {
  auto url = dir.first_line("oneclickurl");
  if (!url || url->empty()) return {};
  constexpr std::string_view scheme = "https://";
  bool ok = url->size() > scheme.size() && url->compare(0, scheme.size(), scheme) == 0 &&
            url->find_first_of("?# \t\r\n\"<>") == std::string::npos;
  if (!ok)
    throw mta::TempError(mta::cat("oneclickurl must be an https:// URL without query or spaces: ", *url), "4.3.0");
  auto key = mta::io::read_file(dir.path() / "key");
  if (!key || key->empty()) throw mta::TempError(mta::cat("unable to read ", (dir.path() / "key").string()), "4.3.0");
  mta::oneclick::Marker m;
  m.list = list;
  m.number = number;
  m.when = now;
  m.key = mta::oneclick::message_key(*key, list, number, now);
  m.url = *url;
  return mta::cat(mta::oneclick::marker_field, ": ", mta::oneclick::format_marker(m), "\n");
}

}  // namespace ezmlm::post
