#include "ezmlm/lib/env.h"

#include <cstdlib>

namespace ezmlm {

namespace {
std::optional<std::string> get(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}
}  // namespace

std::string_view compiled_bin() { return LETTERSHOP_EZMLM_BIN; }
std::string_view compiled_etc() { return LETTERSHOP_EZMLM_ETC; }

Env Env::defaults() {
  Env env;
  env.bin = compiled_bin();
  env.etc = compiled_etc();
  env.lib = "/usr/local/lib/ezmlm";
  return env;
}

Env Env::from_environ() {
  Env env = defaults();
  // An empty EZMLM_* variable is taken as unset: "" is never a usable directory.
  if (auto v = get("EZMLM_BIN"); v && !v->empty()) env.bin = *v;
  if (auto v = get("EZMLM_ETC"); v && !v->empty()) env.etc = *v;
  if (auto v = get("EZMLM_LIB"); v && !v->empty()) env.lib = *v;
  env.sender = get("SENDER");
  env.local = get("LOCAL");
  env.host = get("HOST");
  env.deflt = get("DEFAULT");
  env.dtline = get("DTLINE");
  env.qmailqueue = get("QMAILQUEUE");
  env.qmailhome = get("QMAILHOME");
  return env;
}

}  // namespace ezmlm
