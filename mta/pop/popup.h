// mta/pop/popup.h — qmail-popup: the AUTHORIZATION state of POP3.
//
//   qmail-popup HOSTNAME SUBPROGRAM [ARG...]
// greets with "+OK <pid.time@HOSTNAME>" (the APOP timestamp), accepts USER
// and PASS, or APOP, and then runs SUBPROGRAM (checkpassword interface) with
// "user\0password\0timestamp\0" on its fd 3 and the client on fd 0 and 1.
// One attempt per connection, as in qmail: after the subprogram exits,
// qmail-popup says "-ERR authorization failed" if it exited non-zero (or
// "-ERR aack, child crashed") and ends.
//
// Before authentication it also answers NOOP, QUIT, CAPA (RFC 2449) and,
// when control/servercert.pem exists, STLS (RFC 2595).
//
// STLS and the subprogram. The TLS session belongs to this process: its
// keys cannot be handed across an exec to a program that knows nothing of
// TLS. So once TLS is on, qmail-popup does not give the subprogram the
// client's socket. It makes a socketpair, gives one end to the subprogram as
// fd 0 and 1, and relays: bytes decrypted from the client go to the pair,
// bytes from the pair are encrypted to the client. checkpassword and
// qmail-pop3d see an ordinary plaintext connection. The same relay is used
// without TLS when the client pipelined commands past PASS (they were
// already read into our buffer and must reach qmail-pop3d). Otherwise the
// subprogram gets the client's descriptors themselves, as in qmail.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mta::pop {

std::string apop_timestamp(pid_t pid, std::time_t now, std::string_view hostname);

struct PopupConfig {
  std::string hostname;
  std::vector<std::string> subprogram;
  std::filesystem::path servercert;  // empty: no STLS
  std::chrono::milliseconds timeout{1200 * 1000};
};

// The whole session on in_fd/out_fd. Returns the exit status.
int run_popup(const PopupConfig& cfg, int in_fd, int out_fd);

// qmail-popup's main after --help/--version.
int popup_main(int argc, char** argv);

}  // namespace mta::pop
