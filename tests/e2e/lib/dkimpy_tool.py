#!/usr/bin/python3
"""tests/e2e/lib/dkimpy_tool.py — dkimpy (Debian's python3-dkim) as the
independent DKIM peer of the e2e tests and of bench/dkim.

  dkimpy_tool.py verify FILE       verify every DKIM-Signature of FILE (an
                                   SMTP sink transaction or a plain message)
                                   with keys from $DNSCACHEIP (dnsmasq); one
                                   line "pass|fail a=ALG s=SELECTOR" each; exit
                                   0 if all pass, 1 otherwise (2: no signature)
  dkimpy_tool.py edkey SEEDFILE    make an Ed25519 key: the base64 seed into
                                   SEEDFILE, the TXT record value on stdout
  dkimpy_tool.py sign SELECTOR DOMAIN KEYFILE ALG <msg >signed
                                   sign with dkimpy (relaxed/relaxed)
"""
import base64
import os
import re
import sys

import dkim


def message_of(data):
    # A sink transaction: its own header lines, an empty line, then the data.
    if data.startswith(b"helo: ") or data.startswith(b"mail: "):
        data = data.split(b"\n\n", 1)[1]
    return data


def dnsfunc(name, timeout=5):
    import dns.resolver
    server = os.environ["DNSCACHEIP"]
    host, port = server.rsplit(":", 1)
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [host]
    r.port = int(port)
    try:
        answer = r.resolve(name.decode().rstrip("."), "TXT")
    except Exception:
        return None
    for rr in answer:
        return b"".join(rr.strings)
    return None


def verify(path):
    data = message_of(open(path, "rb").read())
    d = dkim.DKIM(data)
    sigs = [h for h in d.headers if h[0].lower() == b"dkim-signature"]
    if not sigs:
        print("none")
        return 2
    ok = True
    for i, (_, value) in enumerate(sigs):
        tags = dict(re.findall(rb"\s*(\w+)\s*=\s*([^;]*)", value))
        try:
            good = dkim.DKIM(data).verify(idx=i, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:  # body hash mismatch and friends
            print("  (%s)" % e, file=sys.stderr)
            good = False
        ok = ok and good
        print("%s a=%s s=%s" % ("pass" if good else "fail", tags[b"a"].strip().decode(),
                                tags[b"s"].strip().decode()))
    return 0 if ok else 1


def edkey(seedfile):
    from nacl.signing import SigningKey
    key = SigningKey.generate()
    with open(seedfile, "wb") as f:
        f.write(base64.b64encode(bytes(key)) + b"\n")
    print("v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(key.verify_key)).decode())
    return 0


def sign(selector, domain, keyfile, alg):
    data = sys.stdin.buffer.read()
    key = open(keyfile, "rb").read()
    sig = dkim.sign(data, selector.encode(), domain.encode(), key,
                    canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=alg.encode(),
                    include_headers=[b"from", b"to", b"subject", b"date"])
    sys.stdout.buffer.write(sig + data)
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "verify":
        sys.exit(verify(sys.argv[2]))
    if cmd == "edkey":
        sys.exit(edkey(sys.argv[2]))
    if cmd == "sign":
        sys.exit(sign(*sys.argv[2:6]))
    sys.exit("unknown command " + cmd)
