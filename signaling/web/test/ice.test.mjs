// Unit tests of src/ice.ts: the ice_servers event (TURN credential renewal)
// reaches every open peer connection, and a malformed list changes nothing.
import assert from "node:assert/strict";
import test from "node:test";
import { applyIceServers, iceServersOf } from "../../../build/web-unit/ice.js";

const fresh = [{ urls: ["stun:stun.example:3478"] }, { urls: ["turn:turn.example:3478"], username: "1767269400:peer", credential: "Zr1x=" }];

class FakePC {
  constructor(state = "connected") {
    this.connectionState = state;
    this.config = { iceServers: [{ urls: ["turn:turn.example:3478"], username: "old", credential: "old" }], bundlePolicy: "max-bundle", iceTransportPolicy: "all" };
    this.set = [];
  }
  getConfiguration() { return { ...this.config }; }
  setConfiguration(c) { this.set.push(c); this.config = c; }
}

test("iceServersOf takes the protocol's RTCIceServer list as it is", () => {
  assert.deepEqual(iceServersOf(fresh), fresh);
  assert.deepEqual(iceServersOf([]), []);
  assert.deepEqual(iceServersOf([{ urls: "stuns:s.example:5349" }]), [{ urls: ["stuns:s.example:5349"] }]);
  assert.deepEqual(iceServersOf([{ urls: ["turns:t.example:5349?transport=tcp"], username: "u", credential: "p", extra: 1 }]), [{ urls: ["turns:t.example:5349?transport=tcp"], username: "u", credential: "p" }]);
});

test("iceServersOf refuses anything else as a whole", () => {
  for (const bad of [null, undefined, {}, "stun:x", [null], [{}], [{ urls: [] }], [{ urls: ["http://x"] }], [{ urls: [7] }],
    [{ urls: ["turn:x"], username: 1 }], [{ urls: ["turn:x"], credential: {} }], [fresh[0], { urls: "javascript:x" }]]) {
    assert.equal(iceServersOf(bad), undefined, JSON.stringify(bad));
  }
});

test("applyIceServers renews every open connection and keeps the rest of its configuration", () => {
  const open = [new FakePC(), new FakePC("new"), new FakePC("failed")];
  const closed = new FakePC("closed");
  assert.equal(applyIceServers([...open, closed], fresh), 3);
  for (const pc of open) assert.deepEqual(pc.config, { iceServers: fresh, bundlePolicy: "max-bundle", iceTransportPolicy: "all" });
  assert.equal(closed.set.length, 0);
});

test("a browser without setConfiguration, or one that throws, keeps the old servers", () => {
  const old = { connectionState: "connected" };
  const throwing = new FakePC();
  throwing.setConfiguration = () => { throw new Error("InvalidModificationError"); };
  const fine = new FakePC();
  assert.equal(applyIceServers([old, throwing, fine], fresh), 1);
  assert.equal(throwing.config.iceServers[0].username, "old");
  assert.deepEqual(fine.config.iceServers, fresh);
});
