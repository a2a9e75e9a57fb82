// Fuzz target: the moderator's comment in a reject reply (%%% markers, the
// reply's QP/base64 body or first text part). Whatever comes back must be
// bounded and made of whole lines.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/moderate_comment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  for (auto comment : {ezmlm::moderate::extract_comment(bytes), ezmlm::moderate::comment_between_markers(bytes)}) {
    if (!comment) continue;
    if (comment->empty() || comment->back() != '\n') std::abort();
    if (comment->size() > ezmlm::moderate::max_comment_bytes) std::abort();
  }
  return 0;
}
