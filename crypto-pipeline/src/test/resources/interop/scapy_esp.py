#!/usr/bin/python3
"""Independent ESP oracle for the interop tests: scapy's own ESP (tunnel mode, RFC 3948
UDP encapsulation, ESN) and, where scapy cannot serve, a direct construction of the RFC on
python3-cryptography and hmac: AES-GMAC (RFC 4543, which scapy lacks) and CBC+HMAC with ESN
(scapy 2.5 leaves the high sequence bits out of the ESP ICV, against RFC 4303 3.3.2.1).
scapy 2.5 also writes a UDP length of 8 (the header alone) in the NAT-T header it adds;
fix_udp_length() repairs that framing before the packet is handed over.

Reads one JSON request {"jobs": [job, ...]} on stdin and writes one line per job on stdout,
"OK hex hex ..." or "ERROR message", so that one interpreter start serves a whole test matrix and
the Java side needs no JSON parser. A job:
  {"op": "encrypt" | "decrypt",
   "sa": {"spi": int, "crypt": scapy name | "AES-GMAC", "crypt_key": hex (key||salt),
          "auth": scapy name | null, "auth_key": hex, "version": 4|6, "src": addr, "dst": addr,
          "udp": bool, "esn": bool, "esn_high": int},
   "packets": [{"seq": int (low 32 bits), "esn_high": int (optional, overrides the SA's),
                "hex": ...}]}
encrypt: "hex" is an inner IP packet; the answer lists the outer IP packets
decrypt: "hex" is an outer IP packet; the answer lists the inner IP packets
A job that fails answers ERROR in its place; the others go on.
"""
import hashlib
import hmac
import json
import os
import struct
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw, raw
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HMACS = {"HMAC-SHA1-96": (hashlib.sha1, 12), "SHA2-256-128": (hashlib.sha256, 16),
         "SHA2-384-192": (hashlib.sha384, 24), "SHA2-512-256": (hashlib.sha512, 32)}


def outer_header(sa):
    if sa["version"] == 4:
        return IP(src=sa["src"], dst=sa["dst"])
    return IPv6(src=sa["src"], dst=sa["dst"])


def parse_outer(data):
    return IP(data) if data[0] >> 4 == 4 else IPv6(data)


def esp_bytes(pkt, udp):
    """The ESP part (SPI onwards) of an outer packet, raw bytes."""
    ip = pkt[IP] if IP in pkt else pkt[IPv6]
    body = raw(ip.payload)
    return body[8:] if udp else body


def scapy_sa(sa, esn_high, seq):
    # seq_num here too: scapy's encrypt() takes "seq_num or self.seq_num", so 0 needs this
    return SecurityAssociation(
        ESP, spi=sa["spi"], seq_num=seq, crypt_algo=sa["crypt"], crypt_key=bytes.fromhex(sa["crypt_key"]),
        auth_algo=sa.get("auth"), auth_key=bytes.fromhex(sa.get("auth_key") or "") or None,
        tunnel_header=outer_header(sa),
        nat_t_header=UDP(sport=4500, dport=4500) if sa["udp"] else None,
        esn_en=sa["esn"], esn=esn_high)


def aad_head(sa, seq, esn_high):
    """SPI | [seq high] | seq low: the AAD of RFC 4106/4543 (the high half only with ESN)."""
    hi = struct.pack("!L", esn_high) if sa["esn"] else b""
    return struct.pack("!L", sa["spi"]) + hi + struct.pack("!L", seq)


def cbc_cipher(sa, iv):
    key = bytes.fromhex(sa["crypt_key"])
    algo = algorithms.AES(key) if sa["crypt"] == "AES-CBC" else algorithms.TripleDES(key)
    return Cipher(algo, modes.CBC(iv)), algo.block_size // 8


def hmac_icv(sa, covered, esn_high):
    """RFC 4303 3.3.2.1: the ICV covers the packet, then the implied high half with ESN."""
    digest, length = HMACS[sa["auth"]]
    tail = struct.pack("!L", esn_high) if sa["esn"] else b""
    return hmac.new(bytes.fromhex(sa["auth_key"]), covered + tail, digest).digest()[:length]


def manual_encrypt(sa, seq, esn_high, inner):
    nh = 4 if inner[0] >> 4 == 4 else 41
    if sa["crypt"] == "AES-GMAC":
        key = bytes.fromhex(sa["crypt_key"])
        iv = os.urandom(8)
        pad_len = (-(len(inner) + 2)) % 4
        text = inner + bytes(range(1, pad_len + 1)) + bytes([pad_len, nh])
        icv = AESGCM(key[:-4]).encrypt(key[-4:] + iv, b"", aad_head(sa, seq, esn_high) + iv + text)
        esp = struct.pack("!LL", sa["spi"], seq) + iv + text + icv
    else:
        cipher, block = cbc_cipher(sa, os.urandom(16 if sa["crypt"] == "AES-CBC" else 8))
        iv = cipher.mode.initialization_vector
        pad_len = (-(len(inner) + 2)) % block
        text = inner + bytes(range(1, pad_len + 1)) + bytes([pad_len, nh])
        enc = cipher.encryptor()
        body = struct.pack("!LL", sa["spi"], seq) + iv + enc.update(text) + enc.finalize()
        esp = body + hmac_icv(sa, body, esn_high)
    pkt = outer_header(sa)
    if sa["udp"]:
        pkt = pkt / UDP(sport=4500, dport=4500, chksum=0) if sa["version"] == 4 \
            else pkt / UDP(sport=4500, dport=4500)
    elif sa["version"] == 4:
        pkt.proto = 50
    else:
        pkt.nh = 50
    return raw(pkt / Raw(esp))


def manual_decrypt(sa, esn_high, outer):
    esp = esp_bytes(parse_outer(outer), sa["udp"])
    spi, seq = struct.unpack("!LL", esp[:8])
    if spi != sa["spi"]:
        raise ValueError("SPI %#x is not the SA's" % spi)
    if sa["crypt"] == "AES-GMAC":
        key = bytes.fromhex(sa["crypt_key"])
        iv, text, icv = esp[8:16], esp[16:-16], esp[-16:]
        AESGCM(key[:-4]).decrypt(key[-4:] + iv, icv, aad_head(sa, seq, esn_high) + iv + text)
    else:
        icv_len = HMACS[sa["auth"]][1]
        body, icv = esp[:-icv_len], esp[-icv_len:]
        if not hmac.compare_digest(icv, hmac_icv(sa, body, esn_high)):
            raise ValueError("ICV does not verify")
        iv_len = 16 if sa["crypt"] == "AES-CBC" else 8
        cipher, _ = cbc_cipher(sa, body[8:8 + iv_len])
        dec = cipher.decryptor()
        text = dec.update(body[8 + iv_len:]) + dec.finalize()
    pad_len = text[-2]
    if text[-2 - pad_len:-2] != bytes(range(1, pad_len + 1)):
        raise ValueError("bad padding")
    return text[:-2 - pad_len]


def manual(sa):
    """Whether this SA goes through the direct construction instead of scapy."""
    return sa["crypt"] == "AES-GMAC" or (sa["esn"] and sa.get("auth"))


def fix_udp_length(data):
    """Rewrites the outer UDP length (and the IPv6 UDP checksum) after scapy's encrypt()."""
    pkt = parse_outer(data)
    if UDP not in pkt:
        return data
    ip = pkt[IP] if IP in pkt else pkt[IPv6]
    esp = raw(ip.payload)[8:]
    hdr = ip.copy()
    hdr.remove_payload()
    if IP in pkt:
        del hdr.len, hdr.chksum
        udp = UDP(sport=pkt[UDP].sport, dport=pkt[UDP].dport, chksum=0)
    else:
        del hdr.plen
        udp = UDP(sport=pkt[UDP].sport, dport=pkt[UDP].dport)
    return raw(hdr / udp / Raw(esp))


def strip_udp(pkt):
    """scapy's decrypt wants IP/ESP: rebuild the outer header without UDP (RFC 3948 2.1)."""
    ip = pkt[IP] if IP in pkt else pkt[IPv6]
    esp = esp_bytes(pkt, True)
    hdr = ip.copy()
    hdr.remove_payload()
    if IP in pkt:
        del hdr.len, hdr.chksum
        hdr.proto = 50
    else:
        del hdr.plen
        hdr.nh = 50
    return parse_outer(raw(hdr / Raw(esp)))


def run_job(job):
    sa, out = job["sa"], []
    for p in job["packets"]:
        data = bytes.fromhex(p["hex"])
        high = p.get("esn_high", sa.get("esn_high", 0))
        if manual(sa):
            out.append((manual_encrypt(sa, p["seq"], high, data) if job["op"] == "encrypt"
                        else manual_decrypt(sa, high, data)).hex())
        elif job["op"] == "encrypt":
            s = scapy_sa(sa, high, p["seq"])
            out.append(fix_udp_length(raw(s.encrypt(parse_outer(data), seq_num=p["seq"]))).hex())
        else:
            pkt = parse_outer(data)
            if sa["udp"]:
                pkt = strip_udp(pkt)
            out.append(raw(scapy_sa(sa, high, p["seq"]).decrypt(pkt)).hex())
    return out


def main():
    for job in json.load(sys.stdin)["jobs"]:
        try:
            print("OK " + " ".join(run_job(job)))
        except Exception as e:  # reported per job; the Java side names the case
            print(("ERROR %s: %s" % (type(e).__name__, e)).replace("\n", " "))


if __name__ == "__main__":
    main()
