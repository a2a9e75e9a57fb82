#!/usr/bin/python3
# Independent reference for tests/unit/test_ezmlm_cookie.cpp: SURF, PCS,
# cookie() and makehash() written from the description in ezmlm.md 1.4
# (not from our C++). Run it to print the vectors pasted into the test.
M = 0xffffffff

def rotl(x, b):
    return ((x << b) | (x >> (32 - b))) & M

def surf(inp, seed):
    t = [(inp[i] ^ seed[12 + i]) & M for i in range(12)]
    out = [seed[24 + i] for i in range(8)]
    x = t[11]
    s = 0
    rots = [5, 7, 9, 13]
    for _ in range(2):
        for _ in range(16):
            s = (s + 0x9e3779b9) & M
            for i in range(12):
                t[i] = (t[i] + ((((x ^ seed[i]) + s) & M) ^ rotl(x, rots[i % 4]))) & M
                x = t[i]
        for j in range(8):
            out[j] ^= t[j + 4]
    return out

def pcs(seed, data):
    data = bytes(data) + b"."
    if len(data) % 32:
        data += b"\0" * (32 - len(data) % 32)
    counter = 0
    total = [0] * 8
    for off in range(0, len(data), 32):
        blk = data[off:off + 32]
        counter += 1
        words = [int.from_bytes(blk[4 * i:4 * i + 4], "little") for i in range(8)]
        words += [(counter >> (32 * k)) & M for k in range(4)]
        o = surf(words, seed)
        total = [(total[i] + o[i]) & M for i in range(8)]
    o = surf(total + [0, 0, 0, 0], seed)
    return b"".join(w.to_bytes(4, "little") for w in o)

def letters(out):
    return "".join(chr(ord("a") + (b & 15)) for b in out[:20])

def cookie(key, date, addr, action):
    seed = [0] * 32
    for _ in range(4):
        o = pcs(seed, key)
        seed = [((seed[i] << 8) + o[i]) & M for i in range(32)]
    act = action[:1] if action else b"\0"
    return letters(pcs(seed, date + b"\0" + addr + b"\0" + act))

def makehash(s):
    s = bytes(c for c in s if c not in b" \t")
    s = bytes(c + 32 if 65 <= c <= 90 else c for c in s)
    return letters(pcs([0] * 32, s))

if __name__ == "__main__":
    print("surf(0,0)", surf([0] * 12, [0] * 32))
    print("surf(seq)", surf(list(range(1, 13)), [i * 0x01010101 & M for i in range(32)]))
    for args in [(b"", b"", b"", b""), (b"secret key", b"1234567890", b"user@example.com", b"s"),
                 (b"K" * 200, b"1795536000", b"joe@host.example", b"u"),
                 (b"abc", b"1.2", b"", b"a")]:
        print("cookie", args, cookie(*args))
    for s in [b"", b"Re: topic 1", b"re:topic1", b"A" * 100]:
        print("makehash", s, makehash(s))
