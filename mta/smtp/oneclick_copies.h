// mta/smtp/oneclick_copies.h — qmail-remote's copies of a message that
// ezmlm-send marked for one-click unsubscription (RFC 8058, issue 12).
//
// Each recipient's copy has its own List-Unsubscribe field (a token for
// that address) and so, when control/dkim has a key for the From: domain,
// its own DKIM signature. A fan-out makes thousands of copies per message,
// so everything the copies share is done once, when the object is made:
// the header text around the marker (oneclick::CopyMaker), the key load,
// the body hash, and the hash of every signed field but List-Unsubscribe
// (dkim::CopySigner). A copy then costs its token, one field, the rest of
// the SHA-256 and the signature (~20 µs with Ed25519, most of it the
// signature). copy(a) gives the bytes that rendering the whole header for
// a and signing it with Signer::sign would give.
#pragma once

#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "mta/dkim/sign.h"
#include "mta/render/oneclick.h"
#include "mta/smtp/remote.h"

namespace mta::remote {

class OneclickCopies {
 public:
  // `prepared`: the marked message (oneclick::prepare on `fd`); `dkim_dir`:
  // control/dkim (no such directory: the copies go unsigned). Reads the
  // body from `fd` once to hash it. Throws TempError for a key that cannot
  // be loaded or a message that cannot be read.
  OneclickCopies(oneclick::Prepared prepared, int fd, const std::filesystem::path& dkim_dir, std::time_t now);
  OneclickCopies(const OneclickCopies&) = delete;
  OneclickCopies& operator=(const OneclickCopies&) = delete;

  Copy copy(std::string_view address) const;
  bool signs() const { return copy_signer_.has_value(); }

 private:
  oneclick::Prepared prepared_;
  oneclick::CopyMaker maker_{prepared_};  // refers to prepared_
  std::optional<dkim::Signer> signer_;
  std::optional<dkim::CopySigner> copy_signer_;  // refers to *signer_
};

}  // namespace mta::remote
