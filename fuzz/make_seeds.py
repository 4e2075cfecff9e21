#!/usr/bin/env python3
"""Writes the checked-in seed corpora (fuzz/corpus/<target>/). Re-run after changing an input layout.

Each seed starts with the control bytes its target reads first (see the header comment of
fuzz/targets/<target>_fuzz.cpp), followed by a realistic input.
"""
import hashlib
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MASK = b"\x37\xfa\x21\x3d"


def masked(opcode, payload, fin=True, rsv=0, mask=MASK, masked_bit=True, length_override=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload) if length_override is None else length_override
    if n < 126:
        head = bytes([b0, (0x80 if masked_bit else 0) | n])
    elif n <= 0xFFFF:
        head = bytes([b0, (0x80 if masked_bit else 0) | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, (0x80 if masked_bit else 0) | 127]) + struct.pack(">Q", n)
    if not masked_bit:
        return head + payload
    return head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def frame_decoder():
    def seed(name, stream, max_size=10000, chunk=7, stop=0):
        write("frame_decoder", name, struct.pack("<H", max_size) + bytes([chunk, stop]) + stream)

    sub = b'{"event":"pusher:subscribe","data":{"channel":"news"}}'
    seed("text", masked(1, sub))
    seed("binary-16bit-length", masked(2, bytes(range(200))), chunk=0x83)
    seed("fragmented-with-ping", masked(1, b"hel", fin=False) + masked(9, b"p") + masked(0, b"lo", fin=True))
    seed("utf8-split-across-fragments", masked(1, b"\xe2\x82", fin=False) + masked(0, b"\xac!"))
    seed("close-with-reason", masked(8, struct.pack(">H", 1000) + b"bye"))
    seed("close-empty-then-garbage", masked(8, b"") + b"\xff\xff\xff")
    seed("ping-pong", masked(9, b"abc") + masked(10, b"abc") + masked(1, b"{}"))
    seed("too-big-64bit-length", masked(2, b"", length_override=(1 << 63) - 1), max_size=100)
    seed("too-big-fragments", masked(1, b"a" * 60, fin=False) + masked(0, b"b" * 60), max_size=100)
    seed("unmasked", masked(1, b"hi", masked_bit=False))
    seed("reserved-bits", masked(1, b"hi", rsv=4))
    seed("unknown-opcode", masked(3, b"hi"))
    seed("long-control", masked(9, b"x" * 126))
    seed("fragmented-control", masked(9, b"x", fin=False))
    seed("invalid-utf8", masked(1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"))
    seed("continuation-first", masked(0, b"x"))
    seed("non-minimal-length", bytes([0x81, 0x80 | 126, 0, 5]) + MASK + b"hello")
    seed("stop-after-first", masked(1, b"a") + masked(1, b"b"), stop=1)


def http_request():
    def seed(name, stream, max_header=8192, max_body=1000, chunk=5):
        write("http_request", name, struct.pack("<HH", max_header, max_body) + bytes([chunk]) + stream)

    seed("upgrade", b"GET /app/key?protocol=7&client=js HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
         b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    body = b'{"name":"e","channels":["a"],"data":"x"}'
    seed("post-events", b"POST /apps/1/events?auth_key=k&auth_timestamp=1&auth_version=1.0&body_md5=x&auth_signature=y"
         b" HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: "
         + str(len(body)).encode() + b"\r\n\r\n" + body)
    seed("pipelined", b"GET /health HTTP/1.1\r\nHost: h\r\n\r\nGET /metrics HTTP/1.1\r\nHost: h\r\n\r\n"
         b"GET /ready HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    seed("expect-continue", b"POST /apps/1/events HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}")
    seed("chunked", b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    seed("huge-content-length", b"POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n")
    seed("conflicting-lengths", b"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
    seed("absolute-form-bare-lf", b"GET http://example.com/apps/1/channels?a=%41+b HTTP/1.1\nHost: x\n\n")
    seed("http2", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    seed("header-too-large", b"GET / HTTP/1.1\r\nX: " + b"a" * 200 + b"\r\n\r\n", max_header=100)
    seed("query-escapes", b"GET /apps/1/channels?filter_by_prefix=presence-%zz%4&info=user_count,%2B&&x HTTP/1.1\r\n\r\n")


def pusher_message():
    def seed(name, text):
        write("pusher_message", name, text)

    seed("ping", b'{"event":"pusher:ping","data":{}}')
    seed("subscribe", b'{"event":"pusher:subscribe","data":{"channel":"news"}}')
    seed("subscribe-private", b'{"event":"pusher:subscribe","data":{"auth":"key:abc","channel":"private-a"}}')
    seed("subscribe-presence", b'{"event":"pusher:subscribe","data":{"auth":"key:abc","channel":"presence-room",'
         b'"channel_data":"{\\"user_id\\":42,\\"user_info\\":{\\"name\\":\\"Ann\\"}}"}}')
    seed("data-as-string", b'{"event":"pusher:subscribe","data":"{\\"channel\\":\\"news\\"}"}')
    seed("signin", b'{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{\\"id\\":\\"7\\",\\"name\\":\\"x\\"}"}}')
    seed("client-event", b'{"event":"client-typing","channel":"private-a","data":{"who":"\\u00e9\\ud83d\\ude00",'
         b'"n":[1,2.5e3,-0,true,null]}}')
    seed("presence-data", b'{"user_id":"u1","user_info":{"a":[1,{"b":null}]}}')
    seed("not-an-object", b'[1,2,3]')
    seed("deep", b'{"event":"client-x","data":' + b"[" * 40 + b"]" * 40 + b"}")


def api_body():
    def seed(name, mode, query, arg, body):
        write("api_body", name, bytes([mode]) + query + b"\n" + arg + b"\n" + body)

    seed("events", 0, b"", b"", b'{"name":"e","channels":["public","presence-room"],"data":"{\\"x\\":1}","info":"user_count,subscription_count"}')
    seed("events-socket-id", 0, b"", b"", b'{"name":"e","channel":"cache-news","data":{"obj":true},"socket_id":"1.2"}')
    seed("batch", 1, b"", b"", b'{"batch":[{"name":"a","channel":"public","data":"1","info":"subscription_count"},'
         b'{"name":"b","channel":"presence-room","data":"2","info":"user_count"}]}')
    seed("channels", 2, b"filter_by_prefix=presence-&info=user_count", b"", b"")
    seed("channel", 3, b"info=user_count,subscription_count", b"presence-room", b"")
    seed("channel-cache", 3, b"info=cache", b"cache-news", b"")
    seed("users", 4, b"", b"presence-room", b"")
    seed("terminate", 5, b"", b"u2", b"")
    seed("connections", 6, b"", b"", b"")
    seed("raw-path", 7, b"", b"/apps/fuzz/channels/%70resence-room/users", b"")
    seed("unsigned", 8, b"auth_key=fuzz-key&auth_timestamp=1700000000&auth_version=1.0&auth_signature=00", b"", b"")
    seed("invalid-json", 0, b"", b"", b'{"name":"e","channels":["a"],"data":')


def json_reader():
    def seed(name, text):
        write("json_reader", name, text)

    seed("event", b'{"name":"my-event","channels":["project-3","private-a"],"data":"{\\"some\\":\\"data\\"}",'
         b'"socket_id":"1234.5678","info":"subscription_count"}')
    seed("batch", b'{"batch":[{"name":"a","channel":"c1","data":"x"},{"name":"b","channel":"c2","data":{"n":1}}]}')
    seed("every-kind", b' [null, true, false, -0.5e+10, 12, "s", {}, [], {"k": [1, {"z": null}]}] ')
    seed("escapes", b'"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xe2\x82\xac"')
    seed("duplicate-keys", b'{"a":1,"b":2,"a":[3]}')
    seed("deep", b"[" * 64 + b"]" * 64)
    seed("cached-event", b'{"event":"e","channel":"c","data":"{\\"x\\":1}"}')


def resp_parser():
    def seed(name, stream, limits=b"\x80\x00\x00\x00", chunk=3):
        write("resp_parser", name, limits + bytes([chunk]) + stream)

    seed("simple-and-error", b"+OK\r\n-NOSCRIPT No matching script\r\n+PONG\r\n")
    seed("integers", b":0\r\n:-9223372036854775808\r\n:9223372036854775807\r\n")
    seed("bulk", b"$5\r\nhello\r\n$0\r\n\r\n$-1\r\n")
    seed("pubsub-message", b"*3\r\n$7\r\nmessage\r\n$11\r\nresound:bus\r\n$12\r\n\x00\x01binary\r\n..\r\n")
    seed("nested", b"*2\r\n*2\r\n:1\r\n$1\r\na\r\n*-1\r\n*0\r\n")
    seed("hgetall", b"*4\r\n$2\r\nu1\r\n$13\r\n{\"name\":\"a\"}\r\n$2\r\nu2\r\n$4\r\nnull\r\n")
    seed("small-limits", b"*3\r\n$40\r\n" + b"x" * 40 + b"\r\n:1\r\n*1\r\n*1\r\n+deep\r\n", limits=b"\x01\x02\x01\x02")
    seed("huge-bulk-header", b"$9223372036854775807\r\nabc")
    seed("huge-array-header", b"*1048576\r\n:1\r\n")
    seed("bare-lf", b"+OK\n")


if __name__ == "__main__":
    frame_decoder()
    http_request()
    pusher_message()
    api_body()
    json_reader()
    resp_parser()
