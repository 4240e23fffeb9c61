// CosmJS codecs for the x/streaming Msgs (proto package
// streamchain.streaming.v1): protobuf encoders for a Registry (direct
// signing) and AminoTypes converters (amino-JSON signing: Ledger, Keplr).
// Plain ESM with no build step, meant to be copied into a dapp:
//
//   const registry = new Registry([...defaultRegistryTypes, ...streamingTypes]);
//   const aminoTypes = new AminoTypes({ ...createDefaultAminoConverters(), ...createStreamingAminoConverters() });
//   const msg = { typeUrl: typeUrls.MsgSubscribe, value: { subscriber, broadcaster } };
//
// Message values use CosmJS's conventions: camelCase field names, uint64 as
// bigint, google.protobuf.Timestamp as { seconds: bigint, nanos: number }
// (see toTimestamp). The amino JSON must be byte for byte what the chain
// rebuilds from the protobuf bytes (x/tx aminojson), or the chain answers
// "signature verification failed" (code 4):
//   - snake_case field names; empty strings, zero uint64 and empty lists are
//     left out;
//   - uint64 as a decimal string;
//   - timestamps as RFC 3339 in UTC, whole seconds without a fraction and
//     otherwise with trailing zeros trimmed (Go's RFC3339Nano):
//     "2026-05-01T12:00:00Z", "2026-05-01T12:00:00.25Z" — not
//     Date.toISOString()'s "2026-05-01T12:00:00.000Z";
//   - MsgNewStream's start_time and end_time are always present (non-nullable,
//     amino.dont_omitempty); MsgEditStream's are left out when absent;
//   - a Coin as {"amount": "<integer>", "denom": "ustream"}; MsgSubscribe's
//     max_price is left out when absent (free broadcasters need none);
//   - a google.protobuf.Duration (MsgSetSubscriptionTerms's period) as a
//     decimal string of nanoseconds: an hour is "3600000000000", zero "0".
// Text is sent as given. Go escapes U+2028 and U+2029 in amino JSON and CosmJS
// does not, so text holding them can't be signed in amino-JSON mode; the
// chain refuses them in user text anyway.

import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { Duration } from "cosmjs-types/google/protobuf/duration";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";

const pkg = "streamchain.streaming.v1";

const STRING = "string";
const UINT64 = "uint64";
const STRINGS = "repeated string";
const TIMESTAMP = "timestamp"; // nullable: absent when undefined
const TIMESTAMP_REQUIRED = "timestamp, always present";
const COIN = "coin"; // nullable: absent when undefined
const COIN_REQUIRED = "coin, always present";
const DURATION_REQUIRED = "duration, always present";

// Field numbers and kinds from proto/streamchain/streaming/v1/tx.proto.
const messages = {
  MsgEditProfile: {
    aminoType: "streaming/MsgEditProfile",
    fields: [[1, "owner", STRING], [2, "name", STRING], [3, "surname", STRING], [4, "imgLink", STRING], [5, "timeZone", STRING]],
  },
  MsgNewStream: {
    aminoType: "streaming/MsgNewStream",
    fields: [
      [1, "broadcaster", STRING], [2, "title", STRING], [3, "description", STRING], [4, "imgLink", STRING],
      [5, "startTime", TIMESTAMP_REQUIRED], [6, "endTime", TIMESTAMP_REQUIRED],
    ],
  },
  MsgEditStream: {
    aminoType: "streaming/MsgEditStream",
    fields: [
      [1, "broadcaster", STRING], [2, "streamId", UINT64], [3, "updateMask", STRINGS],
      [4, "title", STRING], [5, "description", STRING], [6, "imgLink", STRING],
      [7, "startTime", TIMESTAMP], [8, "endTime", TIMESTAMP],
    ],
  },
  MsgDeleteStream: {
    aminoType: "streaming/MsgDeleteStream",
    fields: [[1, "broadcaster", STRING], [2, "streamId", UINT64]],
  },
  MsgSubscribe: {
    aminoType: "streaming/MsgSubscribe",
    fields: [[1, "subscriber", STRING], [2, "broadcaster", STRING], [3, "maxPrice", COIN]],
  },
  MsgUnsubscribe: {
    aminoType: "streaming/MsgUnsubscribe",
    fields: [[1, "subscriber", STRING], [2, "broadcaster", STRING]],
  },
  MsgSetSubscriptionTerms: {
    aminoType: "streaming/MsgSetSubscriptionTerms",
    fields: [[1, "broadcaster", STRING], [2, "price", COIN_REQUIRED], [3, "period", DURATION_REQUIRED]],
  },
  MsgTip: {
    aminoType: "streaming/MsgTip",
    fields: [[1, "sender", STRING], [2, "broadcaster", STRING], [3, "amount", COIN_REQUIRED], [4, "streamId", UINT64], [5, "memo", STRING]],
  },
  MsgBlock: {
    aminoType: "streaming/MsgBlock",
    fields: [[1, "broadcaster", STRING], [2, "account", STRING], [3, "reason", STRING]],
  },
  MsgUnblock: {
    aminoType: "streaming/MsgUnblock",
    fields: [[1, "broadcaster", STRING], [2, "account", STRING]],
  },
  // Responses, so that registry.decode reads a DeliverTxResponse's msgResponses.
  MsgEditProfileResponse: { fields: [] },
  MsgNewStreamResponse: { fields: [[1, "streamId", UINT64]] },
  MsgEditStreamResponse: { fields: [] },
  MsgDeleteStreamResponse: { fields: [] },
  MsgSubscribeResponse: { fields: [[1, "expiresAt", TIMESTAMP]] },
  MsgUnsubscribeResponse: { fields: [] },
  MsgSetSubscriptionTermsResponse: { fields: [] },
  MsgTipResponse: { fields: [] },
  MsgBlockResponse: { fields: [] },
  MsgUnblockResponse: { fields: [] },
};

/** Type URLs by message name, e.g. typeUrls.MsgNewStream. */
export const typeUrls = Object.fromEntries(Object.keys(messages).map((name) => [name, `/${pkg}.${name}`]));

const snakeCase = (camel) => camel.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

function fieldSpecs(fields) {
  return fields.map(([no, name, kind]) => ({ no, name, kind, amino: snakeCase(name) }));
}

function defaultValue(kind) {
  switch (kind) {
    case STRING: return "";
    case UINT64: return 0n;
    case STRINGS: return [];
    case TIMESTAMP: return undefined;
    case TIMESTAMP_REQUIRED: return Timestamp.fromPartial({});
    case COIN: return undefined;
    case COIN_REQUIRED: return Coin.fromPartial({});
    case DURATION_REQUIRED: return Duration.fromPartial({});
  }
}

// Sub-messages by kind: the cosmjs-types codec and whether the field is
// written even when absent (non-nullable in the proto).
const subMessages = {
  [TIMESTAMP]: [Timestamp, false],
  [TIMESTAMP_REQUIRED]: [Timestamp, true],
  [COIN]: [Coin, false],
  [COIN_REQUIRED]: [Coin, true],
  [DURATION_REQUIRED]: [Duration, true],
};

// generatedType is what @cosmjs/proto-signing's Registry needs (the
// ts-proto shape): encode, decode and fromPartial.
function generatedType(specs) {
  return {
    encode(message, writer = BinaryWriter.create()) {
      for (const { no, name, kind } of specs) {
        const v = message[name];
        switch (kind) {
          case STRING:
            if (v !== undefined && v !== "") writer.uint32((no << 3) | 2).string(v);
            break;
          case UINT64:
            if (v !== undefined && BigInt(v) !== 0n) writer.uint32(no << 3).uint64(BigInt(v));
            break;
          case STRINGS:
            for (const s of v ?? []) writer.uint32((no << 3) | 2).string(s);
            break;
          default: {
            // A non-nullable sub-message is written even when zero, as the
            // Go client does: the chain's amino JSON needs it present.
            const [type, required] = subMessages[kind];
            if (v !== undefined && v !== null) type.encode(v, writer.uint32((no << 3) | 2).fork()).ldelim();
            else if (required) type.encode(type.fromPartial({}), writer.uint32((no << 3) | 2).fork()).ldelim();
          }
        }
      }
      return writer;
    },
    decode(input, length) {
      const reader = input instanceof BinaryReader ? input : new BinaryReader(input);
      const end = length === undefined ? reader.len : reader.pos + length;
      const message = this.fromPartial({});
      while (reader.pos < end) {
        const tag = reader.uint32();
        const spec = specs.find((s) => s.no === tag >>> 3);
        if (!spec) {
          reader.skipType(tag & 7);
          continue;
        }
        switch (spec.kind) {
          case STRING: message[spec.name] = reader.string(); break;
          case UINT64: message[spec.name] = reader.uint64(); break;
          case STRINGS: message[spec.name].push(reader.string()); break;
          default: message[spec.name] = subMessages[spec.kind][0].decode(reader, reader.uint32());
        }
      }
      return message;
    },
    fromPartial(object) {
      const message = {};
      for (const { name, kind } of specs) {
        const v = object[name];
        if (v === undefined || v === null) {
          message[name] = defaultValue(kind);
          continue;
        }
        switch (kind) {
          case STRING: message[name] = String(v); break;
          case UINT64: message[name] = BigInt(v); break;
          case STRINGS: message[name] = [...v]; break;
          default: message[name] = subMessages[kind][0].fromPartial(v);
        }
      }
      return message;
    },
  };
}

/** [typeUrl, GeneratedType] pairs for new Registry([...defaultRegistryTypes, ...streamingTypes]). */
export const streamingTypes = Object.entries(messages).map(([name, { fields }]) => [typeUrls[name], generatedType(fieldSpecs(fields))]);

function toAmino(specs, value) {
  const out = {};
  for (const { name, kind, amino } of specs) {
    const v = value[name];
    switch (kind) {
      case STRING:
        if (v !== undefined && v !== "") out[amino] = v;
        break;
      case UINT64:
        if (v !== undefined && BigInt(v) !== 0n) out[amino] = BigInt(v).toString();
        break;
      case STRINGS:
        if (v !== undefined && v.length > 0) out[amino] = [...v];
        break;
      case TIMESTAMP:
        if (v !== undefined && v !== null) out[amino] = formatTimestamp(v);
        break;
      case TIMESTAMP_REQUIRED:
        out[amino] = formatTimestamp(v ?? Timestamp.fromPartial({}));
        break;
      case COIN:
        if (v !== undefined && v !== null) out[amino] = { amount: v.amount, denom: v.denom };
        break;
      case COIN_REQUIRED:
        out[amino] = { amount: v?.amount || "0", denom: v?.denom ?? "" };
        break;
      case DURATION_REQUIRED:
        out[amino] = formatDuration(v ?? Duration.fromPartial({}));
        break;
    }
  }
  return out;
}

function fromAmino(specs, json) {
  const value = {};
  for (const { name, kind, amino } of specs) {
    const v = json[amino];
    if (v === undefined || v === null) {
      value[name] = defaultValue(kind);
      continue;
    }
    switch (kind) {
      case STRING: value[name] = v; break;
      case UINT64: value[name] = BigInt(v); break;
      case STRINGS: value[name] = [...v]; break;
      case COIN:
      case COIN_REQUIRED: value[name] = Coin.fromPartial({ amount: v.amount, denom: v.denom }); break;
      case DURATION_REQUIRED: value[name] = parseDuration(v); break;
      default: value[name] = parseTimestamp(v);
    }
  }
  return value;
}

/** formatDuration writes a Duration as the chain's amino JSON does: nanoseconds, as a string. */
export function formatDuration({ seconds, nanos }) {
  return (BigInt(seconds ?? 0) * 1_000_000_000n + BigInt(nanos ?? 0)).toString();
}

/** parseDuration reads what formatDuration writes. */
export function parseDuration(text) {
  if (!/^-?\d+$/.test(text)) throw new Error(`duration ${JSON.stringify(text)} is not a number of nanoseconds`);
  const total = BigInt(text);
  return { seconds: total / 1_000_000_000n, nanos: Number(total % 1_000_000_000n) };
}

/** AminoConverters for new AminoTypes({ ...createDefaultAminoConverters(), ...createStreamingAminoConverters() }). */
export function createStreamingAminoConverters() {
  const converters = {};
  for (const [name, { aminoType, fields }] of Object.entries(messages)) {
    if (!aminoType) continue;
    const specs = fieldSpecs(fields);
    converters[typeUrls[name]] = {
      aminoType,
      toAmino: (value) => toAmino(specs, value),
      fromAmino: (json) => fromAmino(specs, json),
    };
  }
  return converters;
}

const pad = (n, width) => String(n).padStart(width, "0");

/**
 * formatTimestamp writes a Timestamp the way the chain's amino JSON does
 * (Go's time.RFC3339, or time.RFC3339Nano when nanos is not zero).
 */
export function formatTimestamp({ seconds, nanos }) {
  const s = BigInt(seconds ?? 0);
  const n = Number(nanos ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 999_999_999) throw new Error(`timestamp nanos ${nanos} out of range`);
  const d = new Date(Number(s) * 1000);
  const year = d.getUTCFullYear();
  if (Number.isNaN(year) || year < 1 || year > 9999) throw new Error(`timestamp seconds ${seconds} outside years 0001-9999`);
  let out = `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  if (n !== 0) out += "." + pad(n, 9).replace(/0+$/, "");
  return out + "Z";
}

/** parseTimestamp reads what formatTimestamp writes, and nothing else. */
export function parseTimestamp(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Error(`timestamp ${JSON.stringify(text)} is not RFC 3339 UTC`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // Date.UTC would map years 0-99 to 1900-1999
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const ts = { seconds: BigInt(date.getTime() / 1000), nanos: frac ? Number(frac.padEnd(9, "0")) : 0 };
  if (formatTimestamp(ts) !== text) throw new Error(`timestamp ${JSON.stringify(text)} is not in the chain's canonical form`);
  return ts;
}

/** toTimestamp converts a Date (millisecond precision) to a Timestamp. */
export function toTimestamp(date) {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
