// deno-fmt-ignore-file
// Byte-exact fixtures for MQTT 3.1.1 (level 4) and MQTT 3.1 (level 3, "MQIsdp"), one per
// packet type and notable flag combination, each checked as parse/generate/mirror.

import { ascii, triple, u8 } from "./_triple_test.ts";

triple(4, "CONNECT minimal", [
  0x10, 14, // CONNECT, remaining length 14
  0, 4, ...ascii("MQTT"), // protocol name
  4, // protocol level 4
  0x02, // flags: clean session
  0, 60, // keepalive 60 s
  0, 2, ...ascii("c1"), // client identifier
], { type: "connect", protocolVersion: 4, clientId: "c1", cleanStart: true, keepalive: 60 });

triple(4, "CONNECT with will, user name and password", [
  0x10, 28, // CONNECT, remaining length 28
  0, 4, ...ascii("MQTT"), // protocol name
  4, // protocol level 4
  0xec, // flags: user name, password, will retain, will QoS 1, will; no clean session
  0, 10, // keepalive 10 s
  0, 2, ...ascii("id"), // client identifier
  0, 1, ...ascii("w"), // will topic
  0, 3, ...ascii("bye"), // will payload
  0, 1, ...ascii("u"), // user name
  0, 1, ...ascii("p"), // password
], {
  type: "connect",
  protocolVersion: 4,
  clientId: "id",
  cleanStart: false,
  keepalive: 10,
  will: { topic: "w", payload: u8("bye"), qos: 1, retain: true },
  username: "u",
  password: u8("p"),
});

triple(4, "CONNECT with an empty client identifier", [
  0x10, 12, // CONNECT, remaining length 12
  0, 4, ...ascii("MQTT"), // protocol name
  4, // protocol level 4
  0x02, // flags: clean session
  0, 0, // keepalive off
  0, 0, // empty client identifier: the server assigns one
], { type: "connect", protocolVersion: 4, clientId: "", cleanStart: true, keepalive: 0 });

triple(4, "CONNACK accepted, session present", [
  0x20, 2, // CONNACK, remaining length 2
  0x01, // session present
  0x00, // return code 0: accepted
], { type: "connack", sessionPresent: true, reasonCode: 0 });

triple(4, "CONNACK not authorized", [
  0x20, 2, // CONNACK, remaining length 2
  0x00, // no session
  0x05, // return code 5: not authorized
], { type: "connack", sessionPresent: false, reasonCode: 5 });

triple(4, "PUBLISH QoS 0", [
  0x30, 7, // PUBLISH, QoS 0, remaining length 7
  0, 3, ...ascii("a/b"), // topic name
  ...ascii("hi"), // payload
], { type: "publish", topic: "a/b", payload: u8("hi"), qos: 0, retain: false, dup: false });

triple(4, "PUBLISH QoS 1, retain and DUP", [
  0x3b, 9, // PUBLISH, DUP (0x08), QoS 1 (0x02), retain (0x01); remaining length 9
  0, 3, ...ascii("a/b"), // topic name
  0, 10, // packet identifier 10
  ...ascii("hi"), // payload
], {
  type: "publish",
  topic: "a/b",
  payload: u8("hi"),
  qos: 1,
  retain: true,
  dup: true,
  packetId: 10,
});

triple(4, "PUBLISH QoS 2, empty payload, UTF-8 topic", [
  0x34, 11, // PUBLISH, QoS 2; remaining length 11
  0, 7, ...ascii("t/"), 0xc3, 0xa9, 0xe2, 0x82, 0xac, // topic "t/é€": 2 + 2 + 3 bytes
  0x12, 0x34, // packet identifier 0x1234
], {
  type: "publish",
  topic: "t/é€",
  payload: u8([]),
  qos: 2,
  retain: false,
  dup: false,
  packetId: 0x1234,
});

triple(4, "PUBACK", [
  0x40, 2, // PUBACK, remaining length 2
  0, 7, // packet identifier 7
], { type: "puback", packetId: 7 });

triple(4, "PUBREC", [
  0x50, 2, // PUBREC, remaining length 2
  0, 7, // packet identifier 7
], { type: "pubrec", packetId: 7 });

triple(4, "PUBREL", [
  0x62, 2, // PUBREL with its required flags 0b0010, remaining length 2
  0, 7, // packet identifier 7
], { type: "pubrel", packetId: 7 });

triple(4, "PUBCOMP", [
  0x70, 2, // PUBCOMP, remaining length 2
  0xff, 0xff, // packet identifier 65535
], { type: "pubcomp", packetId: 65535 });

triple(4, "SUBSCRIBE two filters", [
  0x82, 12, // SUBSCRIBE with its required flags 0b0010, remaining length 12
  0, 1, // packet identifier 1
  0, 3, ...ascii("a/+"), // topic filter
  0x01, // requested QoS 1
  0, 1, ...ascii("#"), // topic filter
  0x02, // requested QoS 2
], {
  type: "subscribe",
  packetId: 1,
  subscriptions: [{ topicFilter: "a/+", qos: 1 }, { topicFilter: "#", qos: 2 }],
});

triple(4, "SUBACK granted and failed", [
  0x90, 5, // SUBACK, remaining length 5
  0, 1, // packet identifier 1
  0x01, // granted QoS 1
  0x02, // granted QoS 2
  0x80, // failure
], { type: "suback", packetId: 1, reasonCodes: [1, 2, 0x80] });

triple(4, "UNSUBSCRIBE two filters", [
  0xa2, 8, // UNSUBSCRIBE with its required flags 0b0010, remaining length 8
  0, 2, // packet identifier 2
  0, 1, ...ascii("a"), // topic filter
  0, 1, ...ascii("b"), // topic filter
], { type: "unsubscribe", packetId: 2, topicFilters: ["a", "b"] });

triple(4, "UNSUBACK", [
  0xb0, 2, // UNSUBACK, remaining length 2
  0, 2, // packet identifier 2
], { type: "unsuback", packetId: 2 });

triple(4, "PINGREQ", [0xc0, 0], { type: "pingreq" });
triple(4, "PINGRESP", [0xd0, 0], { type: "pingresp" });
triple(4, "DISCONNECT", [0xe0, 0], { type: "disconnect" });

triple(4, "PUBLISH with a two-byte remaining length", [
  0x30, 0x80, 0x01, // PUBLISH, remaining length 128 as a variable byte integer (0x80 0x01)
  0, 1, ...ascii("t"), // topic name
  ...new Array<number>(125).fill(0x2a), // payload: 125 bytes
], {
  type: "publish",
  topic: "t",
  payload: u8(new Array<number>(125).fill(0x2a)),
  qos: 0,
  retain: false,
  dup: false,
});

// MQTT 3.1: the same packets but CONNECT, whose protocol name is "MQIsdp" at level 3.

triple(3, "CONNECT (MQIsdp)", [
  0x10, 16, // CONNECT, remaining length 16
  0, 6, ...ascii("MQIsdp"), // protocol name of MQTT 3.1
  3, // protocol level 3
  0x02, // flags: clean session
  0, 60, // keepalive 60 s
  0, 2, ...ascii("c1"), // client identifier
], { type: "connect", protocolVersion: 3, clientId: "c1", cleanStart: true, keepalive: 60 });

triple(3, "CONNACK identifier rejected", [
  0x20, 2, // CONNACK, remaining length 2
  0x00, // no session
  0x02, // return code 2: identifier rejected
], { type: "connack", sessionPresent: false, reasonCode: 2 });

triple(3, "PUBLISH QoS 1", [
  0x32, 6, // PUBLISH, QoS 1, remaining length 6
  0, 1, ...ascii("t"), // topic name
  0, 1, // packet identifier 1
  0x2a, // payload
], {
  type: "publish",
  topic: "t",
  payload: u8([0x2a]),
  qos: 1,
  retain: false,
  dup: false,
  packetId: 1,
});

triple(3, "SUBSCRIBE", [
  0x82, 6, // SUBSCRIBE, remaining length 6
  0, 9, // packet identifier 9
  0, 1, ...ascii("t"), // topic filter
  0x00, // requested QoS 0
], { type: "subscribe", packetId: 9, subscriptions: [{ topicFilter: "t", qos: 0 }] });

triple(3, "SUBACK", [0x90, 3, 0, 9, 0x00], { type: "suback", packetId: 9, reasonCodes: [0] });
triple(3, "UNSUBSCRIBE", [0xa2, 5, 0, 9, 0, 1, ...ascii("t")], {
  type: "unsubscribe",
  packetId: 9,
  topicFilters: ["t"],
});
triple(3, "UNSUBACK", [0xb0, 2, 0, 9], { type: "unsuback", packetId: 9 });
triple(3, "PUBACK", [0x40, 2, 0, 9], { type: "puback", packetId: 9 });
triple(3, "PUBREC", [0x50, 2, 0, 9], { type: "pubrec", packetId: 9 });
triple(3, "PUBREL", [0x62, 2, 0, 9], { type: "pubrel", packetId: 9 });
triple(3, "PUBCOMP", [0x70, 2, 0, 9], { type: "pubcomp", packetId: 9 });
triple(3, "PINGREQ", [0xc0, 0], { type: "pingreq" });
triple(3, "PINGRESP", [0xd0, 0], { type: "pingresp" });
triple(3, "DISCONNECT", [0xe0, 0], { type: "disconnect" });
