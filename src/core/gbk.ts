/**
 * GBK encoding for `sign diagnose`: Chinese Windows tools and old .NET
 * helpers hash the string as GBK (case B10), and Node can decode GBK but
 * not encode it. The reverse table is built once from the decoder.
 */
let table: Map<string, number> | undefined;

function gbkTable(): Map<string, number> {
  if (table) return table;
  table = new Map();
  const decoder = new TextDecoder('gbk');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const char = decoder.decode(Uint8Array.of(lead, trail));
      if (char.length === 1 && char !== '\uFFFD' && !table.has(char)) {
        table.set(char, (lead << 8) | trail);
      }
    }
  }
  return table;
}

/** Encodes text as GBK; returns undefined if a character has no GBK form. */
export function encodeGbk(text: string): Buffer | undefined {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = gbkTable().get(char);
    if (pair === undefined) return undefined;
    bytes.push(pair >> 8, pair & 0xff);
  }
  return Buffer.from(bytes);
}
