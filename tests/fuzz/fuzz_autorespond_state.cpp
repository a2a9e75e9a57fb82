// Fuzz target: autorespond's state directory reader — file names
// ("A<pid>.<time>", "tmp<pid>.<time>") and record contents. The input is
// split at the first NUL into a name and the contents. Any record that is
// accepted holds no NUL or newline, and the sender key of what it holds is
// stable (normalising twice changes nothing).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "autorespond/sender.h"
#include "autorespond/state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::size_t nul = bytes.find('\0');
  std::string name = bytes.substr(0, nul);
  std::string contents = nul == std::string::npos ? std::string() : bytes.substr(nul + 1);
  if (auto n = autorespond::parse_state_name(name)) {
    if (n->time < 0) std::abort();
    if (name.empty() || (name[0] != 'A' && name[0] != 't')) std::abort();
  }
  if (auto who = autorespond::parse_state_record(contents)) {
    if (who->empty() || who->find('\0') != std::string::npos || who->find('\n') != std::string::npos) std::abort();
    std::string key = autorespond::normalize_sender(*who);
    if (autorespond::normalize_sender(key) != key) std::abort();
  }
  return 0;
}
