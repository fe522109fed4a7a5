// EAP packets carried base64 in SBI JSON bodies (TS 29.509 EapSession eapPayload, TS 29.526
// eapMessage) put back on a wire Wireshark dissects EAP from: each packet in an IEEE 802.1X EAPOL
// frame (version 2, type 0 EAP-Packet) inside Ethernet (ethertype 888E), in a classic pcap file
// (link type 1). Wireshark has no EAP dissector for JSON strings; this lets tshark judge the bytes.
import { writeFileSync } from 'node:fs';

/** Writes `eaps` as one EAPOL frame each to a pcap file at `path`. */
export function writeEapolPcap(path: string, eaps: Uint8Array[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = eaps.map((eap, i) => {
    const frame = Buffer.concat([
      Buffer.from('0180c200000302000000000188', 'hex'), // PAE group address, a local source, ethertype 88..
      Buffer.from([0x8e, 2, 0, eap.length >> 8, eap.length & 0xff]), // ..8E, EAPOL version 2, EAP-Packet, body length
      Buffer.from(eap),
    ]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(i + 1, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  writeFileSync(path, Buffer.concat([header, ...records]));
}
