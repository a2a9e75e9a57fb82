#include "ezmlm/lib/weed.h"

#include "mta/core/address.h"
#include "mta/core/message.h"
#include "mta/core/text.h"

namespace ezmlm {

namespace msg = mta::message;
using mta::address::ascii_lower;

const std::vector<std::string_view>& weed_prefixes() {
  static const std::vector<std::string_view> prefixes = {
      // qmail and ezmlm's own notices
      "Subject: success notice", "Subject: deferral notice",
      // bulk and list traffic
      "Precedence: bulk", "Precedence: junk", "Precedence: list",
      "Mailing-List:", "List-ID:", "X-Mailing-List:", "X-ML-Name:",
      "List-Help:", "List-Unsubscribe:", "List-Subscribe:", "List-Post:", "List-Owner:",
      "List-Archive:",
      // autoresponders that do not say Auto-Submitted
      "Subject: Message status - delivered", "Subject: Message status - opened",
      "Subject: Out of Office AutoReply:", "Subject: AutoResponse -",
      "X-Amazon-Auto-Reply:", "X-Mailer: KANA Response", "Thread-Topic: AutoResponse",
  };
  return prefixes;
}

namespace {
std::string_view trim(std::string_view s) {
  return mta::text::trim_right(mta::text::trim_left(s, mta::text::blanks));
}

bool header_weeds(const msg::Header& h) {
  for (const auto& f : h.fields) {
    for (auto p : weed_prefixes())
      if (std::string_view(f.raw).substr(0, p.size()) == p) return true;
    if (std::string_view(f.raw).substr(0, 15) == "Auto-Submitted:") {
      // The keyword, before any parameter or comment: "no (sent by a person)".
      std::string v = ascii_lower(trim(msg::unfold(f.value())));
      auto end = v.find_first_of(" \t(;");
      if (std::string_view(v).substr(0, end) != "no") return true;
    }
  }
  return false;
}

bool is_delivery_report(const msg::Header& h) {
  const msg::Field* ct = h.find("Content-Type");
  if (!ct) return false;
  std::string v = ascii_lower(msg::unfold(ct->value()));
  std::string compact;
  for (char c : v)
    if (c != ' ' && c != '\t' && c != '"' && c != '\r') compact += c;
  return compact.rfind("multipart/report", 0) == 0 &&
         compact.find("report-type=delivery-status") != std::string::npos;
}
}  // namespace

bool is_weed(mta::io::Reader& in) {
  msg::Header h;
  try {
    h = msg::read_header(in);
  } catch (const msg::HeaderTooLong&) {
    return false;
  }
  if (header_weeds(h)) return true;
  bool report = is_delivery_report(h);

  // The body, line by line, for DSN actions and sendmail warnings.
  bool box_star = false, box_warning = false, box_resend = false;
  bool sm_original = false, sm_transient = false;
  std::string line = h.body_start;
  if (!line.empty() && line.back() == '\n') line.pop_back();
  bool have = !h.body_start.empty();
  for (;;) {
    if (!have) {
      try {
        if (in.getline(line, '\n', 1 << 20) == mta::io::Reader::Got::nothing) break;
      } catch (const mta::io::LineTooLong&) {
        return false;
      }
    }
    have = false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (report && line.size() >= 7 && mta::address::iequals(std::string_view(line).substr(0, 7), "Action:"))
      return ascii_lower(trim(std::string_view(line).substr(7))) != "failed";
    if (line == "   **********************************************") box_star = true;
    if (line == "   **      THIS IS A WARNING MESSAGE ONLY      **") box_warning = true;
    if (line == "   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **") box_resend = true;
    if (line.rfind("The original message was received at ", 0) == 0) sm_original = true;
    if (line == "   ----- The following addresses had transient non-fatal errors -----" ||
        line == "----- The following addresses had transient non-fatal errors -----")
      sm_transient = true;
    if ((box_star && box_warning && box_resend) || (sm_original && sm_transient)) return true;
  }
  return false;
}

}  // namespace ezmlm
