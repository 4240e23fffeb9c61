// The devnet wallet: a demo key from signalingd's /devnet-wallet.json, held in
// the page. Its mnemonics are public; it exists only on a local devnet.
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { Secp256k1HdWallet, makeSignDoc } from "@cosmjs/amino";
import { toBase64, toUtf8 } from "@cosmjs/encoding";
import type { DevnetAccount, Wallet } from "./wallet.ts";

/** adr36Doc is the document Keplr's signArbitrary signs (ADR-036). */
export function adr36Doc(signer: string, data: string) {
  return makeSignDoc([{ type: "sign/MsgSignData", value: { signer, data: toBase64(toUtf8(data)) } }], { gas: "0", amount: [] }, "", "", 0, 0);
}

export async function devnetWallet(acc: DevnetAccount, prefix: string): Promise<Wallet> {
  const direct = await DirectSecp256k1HdWallet.fromMnemonic(acc.mnemonic, { prefix });
  const amino = await Secp256k1HdWallet.fromMnemonic(acc.mnemonic, { prefix });
  const [{ address }] = await direct.getAccounts();
  return {
    kind: "devnet",
    label: acc.name,
    address,
    signer: direct,
    signIn: async (message) => (await amino.signAmino(address, adr36Doc(address, message))).signature,
  };
}
