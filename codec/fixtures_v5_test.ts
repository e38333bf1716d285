// deno-fmt-ignore-file
// Byte-exact fixtures for MQTT 5.0, one or more per packet type, covering every property type
// (byte, two- and four-byte integers, variable byte integer, string, binary, string pair), will
// properties, subscription options and reason codes; each checked as parse/generate/mirror.

import { ascii, triple, u8 } from "./_triple_test.ts";

triple(5, "CONNECT minimal", [
  0x10, 15, // CONNECT, remaining length 15
  0, 4, ...ascii("MQTT"), // protocol name
  5, // protocol level 5
  0x02, // flags: clean start
  0, 60, // keepalive 60 s
  0, // properties: none
  0, 2, ...ascii("c1"), // client identifier
], { type: "connect", protocolVersion: 5, clientId: "c1", cleanStart: true, keepalive: 60 });

triple(5, "CONNECT with properties, will properties and credentials", [
  0x10, 54, // CONNECT, remaining length 54
  0, 4, ...ascii("MQTT"), // protocol name
  5, // protocol level 5
  0xd6, // flags: user name, password, will QoS 2, will, clean start
  0, 30, // keepalive 30 s
  15, // properties: 15 bytes
  0x11, 0, 0, 0, 120, //   session expiry interval (four-byte integer): 120 s
  0x21, 0, 20, //   receive maximum (two-byte integer): 20
  0x26, 0, 1, ...ascii("k"), 0, 1, ...ascii("v"), //   user property (string pair) k=v
  0, 2, ...ascii("id"), // client identifier
  11, // will properties: 11 bytes
  0x18, 0, 0, 0, 5, //   will delay interval: 5 s
  0x01, 1, //   payload format indicator (byte): UTF-8
  0x03, 0, 1, ...ascii("t"), //   content type (string): "t"
  0, 1, ...ascii("w"), // will topic
  0, 1, ...ascii("x"), // will payload
  0, 1, ...ascii("u"), // user name
  0, 1, ...ascii("p"), // password
], {
  type: "connect",
  protocolVersion: 5,
  clientId: "id",
  cleanStart: true,
  keepalive: 30,
  will: {
    topic: "w",
    payload: u8("x"),
    qos: 2,
    retain: false,
    properties: { willDelayInterval: 5, payloadFormatIndicator: true, contentType: "t" },
  },
  username: "u",
  password: u8("p"),
  properties: { sessionExpiryInterval: 120, receiveMaximum: 20, userProperties: [["k", "v"]] },
});

triple(5, "CONNECT with a password and no user name (allowed from MQTT 5)", [
  0x10, 18, // CONNECT, remaining length 18
  0, 4, ...ascii("MQTT"), // protocol name
  5, // protocol level 5
  0x40, // flags: password only
  0, 0, // keepalive off
  0, // properties: none
  0, 1, ...ascii("c"), // client identifier
  0, 2, 0xff, 0x00, // password: binary data
], {
  type: "connect",
  protocolVersion: 5,
  clientId: "c",
  cleanStart: false,
  keepalive: 0,
  password: u8([0xff, 0x00]),
});

triple(5, "CONNACK success", [
  0x20, 3, // CONNACK, remaining length 3
  0x00, // no session
  0x00, // reason code: success
  0, // properties: none
], { type: "connack", sessionPresent: false, reasonCode: 0 });

triple(5, "CONNACK with server properties", [
  0x20, 16, // CONNACK, remaining length 16
  0x01, // session present
  0x00, // reason code: success
  13, // properties: 13 bytes
  0x12, 0, 3, ...ascii("abc"), //   assigned client identifier: "abc"
  0x22, 0, 10, //   topic alias maximum: 10
  0x24, 1, //   maximum QoS: 1
  0x25, 0, //   retain available: no
], {
  type: "connack",
  sessionPresent: true,
  reasonCode: 0,
  properties: {
    assignedClientIdentifier: "abc",
    topicAliasMaximum: 10,
    maximumQoS: 1,
    retainAvailable: false,
  },
});

triple(5, "CONNACK not authorized with a reason string", [
  0x20, 8, // CONNACK, remaining length 8
  0x00, // no session
  0x87, // reason code: not authorized
  5, // properties: 5 bytes
  0x1f, 0, 2, ...ascii("no"), //   reason string: "no"
], {
  type: "connack",
  sessionPresent: false,
  reasonCode: 0x87,
  properties: { reasonString: "no" },
});

triple(5, "PUBLISH with a topic alias and no topic name", [
  0x32, 10, // PUBLISH, QoS 1, remaining length 10
  0, 0, // topic name: empty, the alias stands for it
  0, 5, // packet identifier 5
  3, // properties: 3 bytes
  0x23, 0, 1, //   topic alias: 1
  ...ascii("hi"), // payload
], {
  type: "publish",
  topic: "",
  payload: u8("hi"),
  qos: 1,
  retain: false,
  dup: false,
  packetId: 5,
  properties: { topicAlias: 1 },
});

triple(5, "PUBLISH with repeated user properties and subscription identifiers", [
  0x30, 23, // PUBLISH, QoS 0, remaining length 23
  0, 1, ...ascii("t"), // topic name
  19, // properties: 19 bytes
  0x26, 0, 1, ...ascii("a"), 0, 1, ...ascii("1"), //   user property a=1
  0x26, 0, 1, ...ascii("a"), 0, 1, ...ascii("2"), //   user property a=2: same name, order kept
  0x0b, 0x01, //   subscription identifier (variable byte integer): 1
  0x0b, 0xc8, 0x01, //   subscription identifier: 200 on two bytes
], {
  type: "publish",
  topic: "t",
  payload: u8([]),
  qos: 0,
  retain: false,
  dup: false,
  properties: { userProperties: [["a", "1"], ["a", "2"]], subscriptionIdentifiers: [1, 200] },
});

triple(5, "PUBLISH with message properties", [
  0x34, 29, // PUBLISH, QoS 2, remaining length 29
  0, 1, ...ascii("t"), // topic name
  0x12, 0x34, // packet identifier 0x1234
  22, // properties: 22 bytes
  0x01, 0, //   payload format indicator: unspecified bytes
  0x02, 0, 0, 0x0e, 0x10, //   message expiry interval: 3600 s
  0x03, 0, 3, ...ascii("a/b"), //   content type: "a/b"
  0x08, 0, 1, ...ascii("r"), //   response topic: "r"
  0x09, 0, 2, 1, 2, //   correlation data (binary): 01 02
  0xff, // payload
], {
  type: "publish",
  topic: "t",
  payload: u8([0xff]),
  qos: 2,
  retain: false,
  dup: false,
  packetId: 0x1234,
  properties: {
    payloadFormatIndicator: false,
    messageExpiryInterval: 3600,
    contentType: "a/b",
    responseTopic: "r",
    correlationData: u8([1, 2]),
  },
});

triple(5, "PUBACK success, reason code omitted", [
  0x40, 2, // PUBACK, remaining length 2: reason code 0 and no properties are implied
  0, 1, // packet identifier 1
], { type: "puback", packetId: 1, reasonCode: 0 });

triple(5, "PUBACK no matching subscribers", [
  0x40, 3, // PUBACK, remaining length 3: no property length
  0, 1, // packet identifier 1
  0x10, // reason code: no matching subscribers
], { type: "puback", packetId: 1, reasonCode: 0x10 });

triple(5, "PUBREC unspecified error with a reason string", [
  0x50, 8, // PUBREC, remaining length 8
  0, 1, // packet identifier 1
  0x80, // reason code: unspecified error
  4, // properties: 4 bytes
  0x1f, 0, 1, ...ascii("x"), //   reason string: "x"
], { type: "pubrec", packetId: 1, reasonCode: 0x80, properties: { reasonString: "x" } });

triple(5, "PUBREL packet identifier not found", [
  0x62, 3, // PUBREL, remaining length 3
  0, 1, // packet identifier 1
  0x92, // reason code: packet identifier not found
], { type: "pubrel", packetId: 1, reasonCode: 0x92 });

triple(5, "PUBCOMP with a user property", [
  0x70, 11, // PUBCOMP, remaining length 11
  0, 1, // packet identifier 1
  0x00, // reason code: success (written because properties follow)
  7, // properties: 7 bytes
  0x26, 0, 1, ...ascii("k"), 0, 1, ...ascii("v"), //   user property k=v
], { type: "pubcomp", packetId: 1, reasonCode: 0, properties: { userProperties: [["k", "v"]] } });

triple(5, "SUBSCRIBE with subscription options and a shared subscription", [
  0x82, 25, // SUBSCRIBE, remaining length 25
  0, 2, // packet identifier 2
  2, // properties: 2 bytes
  0x0b, 5, //   subscription identifier: 5
  0, 3, ...ascii("a/#"), // topic filter
  0x1e, // options: retain handling 1, retain as published, no local, QoS 2
  0, 11, ...ascii("$share/g/x"), 0x2f, // topic filter "$share/g/x/" (11 bytes)
  0x20, // options: retain handling 2, QoS 0
], {
  type: "subscribe",
  packetId: 2,
  subscriptions: [
    { topicFilter: "a/#", qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 1 },
    {
      topicFilter: "$share/g/x/",
      qos: 0,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 2,
    },
  ],
  properties: { subscriptionIdentifiers: [5] },
});

triple(5, "SUBACK granted and refused", [
  0x90, 6, // SUBACK, remaining length 6
  0, 2, // packet identifier 2
  0, // properties: none
  0x00, // granted QoS 0
  0x01, // granted QoS 1
  0x9e, // shared subscriptions not supported
], { type: "suback", packetId: 2, reasonCodes: [0, 1, 0x9e] });

triple(5, "UNSUBSCRIBE with a user property", [
  0xa2, 13, // UNSUBSCRIBE, remaining length 13
  0, 3, // packet identifier 3
  7, // properties: 7 bytes
  0x26, 0, 1, ...ascii("k"), 0, 1, ...ascii("v"), //   user property k=v
  0, 1, ...ascii("a"), // topic filter
], {
  type: "unsubscribe",
  packetId: 3,
  topicFilters: ["a"],
  properties: { userProperties: [["k", "v"]] },
});

triple(5, "UNSUBACK", [
  0xb0, 5, // UNSUBACK, remaining length 5
  0, 3, // packet identifier 3
  0, // properties: none
  0x00, // success
  0x11, // no subscription existed
], { type: "unsuback", packetId: 3, reasonCodes: [0, 0x11] });

triple(5, "PINGREQ", [0xc0, 0], { type: "pingreq" });
triple(5, "PINGRESP", [0xd0, 0], { type: "pingresp" });

triple(5, "DISCONNECT normal, reason code omitted", [
  0xe0, 0, // DISCONNECT, remaining length 0: normal disconnection implied
], { type: "disconnect", reasonCode: 0 });

triple(5, "DISCONNECT with will message", [
  0xe0, 1, // DISCONNECT, remaining length 1: no property length
  0x04, // reason code: disconnect with will message
], { type: "disconnect", reasonCode: 4 });

triple(5, "DISCONNECT use another server", [
  0xe0, 10, // DISCONNECT, remaining length 10
  0x9c, // reason code: use another server
  8, // properties: 8 bytes
  0x1c, 0, 1, ...ascii("s"), //   server reference: "s"
  0x1f, 0, 1, ...ascii("x"), //   reason string: "x"
], {
  type: "disconnect",
  reasonCode: 0x9c,
  properties: { serverReference: "s", reasonString: "x" },
});

triple(5, "AUTH success, everything omitted", [
  0xf0, 0, // AUTH, remaining length 0
], { type: "auth", reasonCode: 0 });

triple(5, "AUTH continue authentication", [
  0xf0, 10, // AUTH, remaining length 10
  0x18, // reason code: continue authentication
  8, // properties: 8 bytes
  0x15, 0, 1, ...ascii("M"), //   authentication method: "M"
  0x16, 0, 1, 0x01, //   authentication data: 01
], {
  type: "auth",
  reasonCode: 0x18,
  properties: { authenticationMethod: "M", authenticationData: u8([1]) },
});
