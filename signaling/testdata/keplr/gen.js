const { makeADR36AminoSignDoc, serializeSignDoc, verifyADR36Amino, Bech32Address } = require("@keplr-wallet/cosmos");
const { PrivKeySecp256k1, Hash } = require("@keplr-wallet/crypto");
const crypto = require("crypto");
const priv = new PrivKeySecp256k1(crypto.createHash("sha256").update("streamchain signaling ADR-036 test vector").digest());
const pub = priv.getPubKey();
const signer = new Bech32Address(pub.getCosmosAddress()).toBech32("stream");
const text = process.argv[2];
const doc = makeADR36AminoSignDoc(signer, text);
const bytes = serializeSignDoc(doc);
const sig = priv.signDigest32(Hash.sha256(bytes));
const sig64 = new Uint8Array([...sig.r, ...sig.s]);
console.log(JSON.stringify({
  private_key_hex: Buffer.from(priv.toBytes()).toString("hex"),
  address: signer,
  message: text,
  sign_doc: Buffer.from(bytes).toString(),
  signature: { pub_key: { type: "tendermint/PubKeySecp256k1", value: Buffer.from(pub.toBytes()).toString("base64") }, signature: Buffer.from(sig64).toString("base64") },
  verifies: verifyADR36Amino("stream", signer, text, pub.toBytes(), sig64),
}, null, 2));
