// mta/smtp/oneclick_copies.cpp — one-click copies for qmail-remote (see oneclick_copies.h).
#include "mta/smtp/oneclick_copies.h"

#include <unistd.h>

#include <system_error>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace mta::remote {

OneclickCopies::OneclickCopies(oneclick::Prepared prepared, int fd, const std::filesystem::path& dkim_dir,
                               std::time_t now)
    : prepared_(std::move(prepared)) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dkim_dir, ec)) return;
  auto keys = dkim::load_keys(dkim_dir, dkim::from_domain(prepared_.header));
  if (keys.empty()) return;
  signer_.emplace(std::move(keys));
  if (::lseek(fd, prepared_.body_offset, SEEK_SET) < 0) throw TempError("unable to seek in the message", "4.3.0");
  io::Reader body(fd);
  std::string body_hash = dkim::body_hash(message::Header{}, body, dkim::Canon::relaxed);
  // The model: any copy's header; its List-Unsubscribe is never hashed.
  message::Header model = oneclick::render_header(prepared_, "");
  copy_signer_.emplace(*signer_, model, std::vector<std::string>{"List-Unsubscribe"}, body_hash, now);
}

Copy OneclickCopies::copy(std::string_view address) const {
  message::Field unsubscribe = maker_.unsubscribe_field(address);
  std::string head = maker_.head(unsubscribe);
  if (copy_signer_) {
    std::vector<message::Field> fields(maker_.markers(), unsubscribe);  // one List-Unsubscribe per marker
    head.insert(0, copy_signer_->sign(fields));
  }
  return Copy{std::move(head), prepared_.body_offset};
}

}  // namespace mta::remote
