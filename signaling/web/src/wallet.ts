// Wallets: Keplr and the wallets with the same window.keplr interface (Leap,
// Cosmostation), and the devnet wallet (signalingd -devnet-wallet only).
import type { OfflineSigner } from "@cosmjs/proto-signing";
import { chainInfo } from "./api.ts";
import { AppProblem } from "./errors.ts";

/** The ADR-036 proof signalingd's sign-in wants (signaling/PROTOCOL.md §3). */
export interface StdSignature {
  pub_key: { type: string; value: string };
  signature: string;
}

export interface Wallet {
  kind: "keplr" | "devnet";
  /** The account's name in the wallet ("alice", the Keplr key's name). */
  label: string;
  address: string;
  signer: OfflineSigner;
  /** signArbitrary: signs the sign-in challenge text. */
  signIn(message: string): Promise<StdSignature>;
}

// The part of Keplr's documented interface the app uses.
interface Keplr {
  experimentalSuggestChain(info: unknown): Promise<void>;
  enable(chainIds: string | string[]): Promise<void>;
  getKey(chainId: string): Promise<{ name: string; bech32Address: string; isNanoLedger: boolean }>;
  getOfflineSignerAuto(chainId: string): Promise<OfflineSigner>;
  signArbitrary(chainId: string, signer: string, data: string | Uint8Array): Promise<StdSignature>;
}

declare global {
  interface Window {
    keplr?: Keplr;
  }
}

export function hasKeplr(): boolean {
  return typeof window.keplr !== "undefined";
}

/** connectKeplr: experimentalSuggestChain → enable → getOfflineSignerAuto. */
export async function connectKeplr(): Promise<Wallet> {
  const keplr = window.keplr;
  if (!keplr) throw new AppProblem("No Keplr-compatible wallet was found. Install Keplr (or Leap), reload the page, or use the devnet wallet.");
  const info = await chainInfo();
  await keplr.experimentalSuggestChain(info);
  await keplr.enable(info.chainId);
  const key = await keplr.getKey(info.chainId);
  // Auto: direct signing, or amino-JSON when the key is on a Ledger.
  const signer = await keplr.getOfflineSignerAuto(info.chainId);
  return {
    kind: "keplr",
    label: key.name,
    address: key.bech32Address,
    signer,
    signIn: (message) => keplr.signArbitrary(info.chainId, key.bech32Address, message),
  };
}

export interface DevnetAccount {
  name: string;
  mnemonic: string;
}

/** devnetAccounts lists the demo keys, or [] when signalingd serves none. */
export async function devnetAccounts(): Promise<DevnetAccount[]> {
  const r = await fetch("/devnet-wallet.json").catch(() => null);
  if (!r || !r.ok || !(r.headers.get("Content-Type") ?? "").includes("json")) return [];
  return (await r.json()) as DevnetAccount[];
}

/** connectDevnet opens a demo key (loaded on demand: it holds the HD wallet code). */
export async function connectDevnet(acc: DevnetAccount): Promise<Wallet> {
  const { devnetWallet } = await import("./devnet-wallet.ts");
  const info = await chainInfo();
  return devnetWallet(acc, info.bech32Config.bech32PrefixAccAddr);
}
