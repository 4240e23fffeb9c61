// A test-only stand-in for the Keplr extension's window.keplr, implementing
// exactly the documented methods the app may call
// (https://docs.keplr.app/api): experimentalSuggestChain, enable, getKey,
// getOfflineSigner, getOfflineSignerOnlyAmino, getOfflineSignerAuto,
// signAmino, signDirect and signArbitrary. The key lives in node.js (CosmJS
// HD wallets, as the extension holds it outside the page); the page talks to
// it through puppeteer's exposeFunction. It signs the bytes Keplr signs:
// serializeSignDoc(StdSignDoc) for amino-JSON (sorted, escaped JSON),
// makeSignBytes(SignDoc) for direct, and the ADR-036 amino document for
// signArbitrary.
import { Secp256k1HdWallet, makeSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { ripemd160, sha256 } from "@cosmjs/crypto";
import { fromBase64, toBase64, toUtf8 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";

// What runs in the page. Byte arrays and 64-bit integers cross the bridge as
// base64 and decimal strings.
function pageSide() {
  const b64 = (u8) => btoa(String.fromCharCode(...u8));
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const call = async (op, ...args) => {
    const r = JSON.parse(await window.__keplrBridge(op, JSON.stringify(args)));
    if (r.error) throw new Error(r.error);
    return r.value;
  };
  const account = (k) => ({ address: k.bech32Address, algo: "secp256k1", pubkey: k.pubKey });
  const keplr = {
    version: "0.12.0-standin",
    mode: "extension",
    defaultOptions: {},
    async experimentalSuggestChain(chainInfo) { await call("experimentalSuggestChain", chainInfo); },
    async enable(chainIds) { await call("enable", Array.isArray(chainIds) ? chainIds : [chainIds]); },
    async getKey(chainId) {
      const k = await call("getKey", chainId);
      return { ...k, pubKey: unb64(k.pubKey), address: unb64(k.address) };
    },
    async signAmino(chainId, signer, signDoc, signOptions) { return call("signAmino", chainId, signer, signDoc, signOptions ?? {}); },
    async signDirect(chainId, signer, signDoc, signOptions) {
      const doc = { bodyBytes: b64(signDoc.bodyBytes), authInfoBytes: b64(signDoc.authInfoBytes), chainId: signDoc.chainId, accountNumber: String(signDoc.accountNumber) };
      const r = await call("signDirect", chainId, signer, doc, signOptions ?? {});
      return { signed: { bodyBytes: unb64(r.signed.bodyBytes), authInfoBytes: unb64(r.signed.authInfoBytes), chainId: r.signed.chainId, accountNumber: BigInt(r.signed.accountNumber) }, signature: r.signature };
    },
    async signArbitrary(chainId, signer, data) {
      const text = typeof data === "string" ? { text: data } : { bytes: b64(data) };
      return call("signArbitrary", chainId, signer, text);
    },
    getOfflineSignerOnlyAmino(chainId) {
      return {
        getAccounts: async () => [account(await keplr.getKey(chainId))],
        signAmino: (signer, signDoc) => keplr.signAmino(chainId, signer, signDoc),
      };
    },
    getOfflineSigner(chainId) {
      return {
        getAccounts: async () => [account(await keplr.getKey(chainId))],
        signAmino: (signer, signDoc) => keplr.signAmino(chainId, signer, signDoc),
        signDirect: (signer, signDoc) => keplr.signDirect(chainId, signer, signDoc),
      };
    },
    async getOfflineSignerAuto(chainId) {
      const k = await keplr.getKey(chainId);
      return k.isNanoLedger ? keplr.getOfflineSignerOnlyAmino(chainId) : keplr.getOfflineSigner(chainId);
    },
  };
  window.keplr = keplr;
  window.getOfflineSigner = keplr.getOfflineSigner;
  window.getOfflineSignerOnlyAmino = keplr.getOfflineSignerOnlyAmino;
  window.getOfflineSignerAuto = keplr.getOfflineSignerAuto;
}

function checkChainInfo(info) {
  const need = ["chainId", "chainName", "rpc", "rest", "bip44", "bech32Config", "currencies", "feeCurrencies", "stakeCurrency"];
  for (const k of need) if (info?.[k] === undefined) throw new Error(`invalid chain info: ${k} is missing`);
  if (!/^https?:\/\//.test(info.rpc) || !/^https?:\/\//.test(info.rest)) throw new Error("invalid chain info: rpc and rest must be URLs");
  if (typeof info.bip44.coinType !== "number") throw new Error("invalid chain info: bip44.coinType");
  for (const c of info.feeCurrencies) if (!c.gasPriceStep || !(c.gasPriceStep.low > 0)) throw new Error("invalid chain info: gasPriceStep");
}

/**
 * installKeplr gives the page a window.keplr holding the key of `mnemonic`.
 * The returned control switches the key between a software key (direct
 * signing) and a Ledger key (amino-JSON only), and records every call.
 */
export async function installKeplr(page, { mnemonic, name, prefix = "stream" }) {
  const amino = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
  const direct = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
  const [acc] = await amino.getAccounts();
  const control = { ledger: false, calls: [], suggested: new Map(), enabled: new Set(), signedBytes: [] };
  const known = (chainId) => {
    if (!control.suggested.has(chainId)) throw new Error(`There is no chain info for ${chainId}`);
    if (!control.enabled.has(chainId)) throw new Error("Request rejected: chain not enabled");
  };
  const own = (signer) => {
    if (signer !== acc.address) throw new Error("Signer mismatched");
  };
  const ops = {
    experimentalSuggestChain(info) { checkChainInfo(info); control.suggested.set(info.chainId, info); },
    enable(ids) { for (const id of ids) { if (!control.suggested.has(id)) throw new Error(`There is no chain info for ${id}`); control.enabled.add(id); } },
    getKey(chainId) {
      known(chainId);
      return { name, algo: "secp256k1", pubKey: toBase64(acc.pubkey), address: toBase64(rawAddress(acc.pubkey)), bech32Address: acc.address, isNanoLedger: control.ledger, isKeystone: false };
    },
    async signAmino(chainId, signer, signDoc) {
      known(chainId); own(signer);
      if (signDoc.chain_id !== chainId) throw new Error("Chain id in the sign doc does not match");
      control.signedBytes.push({ mode: "amino-json", bytes: toBase64(serializeSignDoc(signDoc)) });
      return amino.signAmino(signer, signDoc);
    },
    async signDirect(chainId, signer, doc) {
      known(chainId); own(signer);
      if (control.ledger) throw new Error("Ledger does not support direct signing");
      const signDoc = { bodyBytes: fromBase64(doc.bodyBytes), authInfoBytes: fromBase64(doc.authInfoBytes), chainId: doc.chainId, accountNumber: BigInt(doc.accountNumber) };
      const r = await direct.signDirect(signer, signDoc);
      control.signedBytes.push({ mode: "direct" });
      return { signed: { bodyBytes: toBase64(r.signed.bodyBytes), authInfoBytes: toBase64(r.signed.authInfoBytes), chainId: r.signed.chainId, accountNumber: r.signed.accountNumber.toString() }, signature: r.signature };
    },
    async signArbitrary(chainId, signer, data) {
      known(chainId); own(signer);
      const bytes = data.text !== undefined ? toUtf8(data.text) : fromBase64(data.bytes);
      const doc = makeSignDoc([{ type: "sign/MsgSignData", value: { signer, data: toBase64(bytes) } }], { gas: "0", amount: [] }, "", "", 0, 0);
      return (await amino.signAmino(signer, doc)).signature;
    },
  };
  await page.exposeFunction("__keplrBridge", async (op, argsJSON) => {
    control.calls.push(op);
    try {
      if (!Object.hasOwn(ops, op)) throw new Error(`unknown method ${op}`);
      return JSON.stringify({ value: (await ops[op](...JSON.parse(argsJSON))) ?? null });
    } catch (e) {
      return JSON.stringify({ error: String(e.message ?? e) });
    }
  });
  await page.evaluateOnNewDocument(pageSide);
  return control;
}

// The 20-byte account address (RIPEMD160(SHA256(pubkey))) Keplr's getKey returns.
function rawAddress(pubkey) {
  return ripemd160(sha256(pubkey));
}
