// SENDER decoding (ezmlm.md 3.1): SRS0, SRS1, prvs in both orders, btv1;
// malformed variants come back unchanged.
#include <catch2/catch.hpp>

#include "ezmlm/lib/sender.h"

using namespace ezmlm;

TEST_CASE("decode_sender undoes forwarding schemes and leaves the rest alone", "[ezmlm][sender]") {
  struct Row { const char* in; const char* want; };
  const Row rows[] = {
      // malformed: unchanged
      {"", ""},
      {"no-at-sign", "no-at-sign"},
      {"SRS0=@fwd.example", "SRS0=@fwd.example"},
      {"SRS0=HH=TT=host@fwd.example", "SRS0=HH=TT=host@fwd.example"},        // no user
      {"SRS0==TT=host=user@fwd.example", "SRS0==TT=host=user@fwd.example"},  // empty hash
      {"SRS1=HH=fwd0.example=HH=TT=host=user@fwd", "SRS1=HH=fwd0.example=HH=TT=host=user@fwd"},  // no ==
      {"prvs=12345678=user@dom", "prvs=12345678=user@dom"},  // 8 hex digits are too few
      {"prvs=xyzxyzxyzx=user@dom", "prvs=xyzxyzxyzx=user@dom"},
      {"prvs=@dom", "prvs=@dom"},
      {"btv1==tag==@dom", "btv1==tag==@dom"},
      {"btv1==user@dom", "btv1==user@dom"},
      {"SRS0=HH=TT=host=user@", "SRS0=HH=TT=host=user@"},  // no domain
      // the schemes
      {"SRS0=HHH=TT=host.example=xyzzy@fwd.example", "xyzzy@host.example"},
      {"srs0=HHH=TT=host.example=xyzzy@fwd.example", "xyzzy@host.example"},
      {"SRS0=HHH=TT=host.example=a=b@fwd.example", "a=b@host.example"},
      {"SRS1=HHH=fwd0.example==HHH=TT=host.example=xyzzy@fwd1.example", "xyzzy@host.example"},
      {"prvs=0123456789=xyzzy@host", "xyzzy@host"},
      {"prvs=123456789=xyzzy@host", "xyzzy@host"},
      {"prvs=xyzzy=0123456789@host", "xyzzy@host"},
      {"PRVS=xyzzy=abcdef0123@host", "xyzzy@host"},
      {"btv1==1234567890==xyzzy@host", "xyzzy@host"},
      // ordinary addresses
      {"xyzzy@host", "xyzzy@host"},
      {"a=b@host", "a=b@host"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(decode_sender(r.in) == r.want);
  }
}

TEST_CASE("bounce senders are empty or #@[]", "[ezmlm][sender]") {
  CHECK(is_bounce_sender(""));
  CHECK(is_bounce_sender("#@[]"));
  CHECK_FALSE(is_bounce_sender("a@b"));
}
