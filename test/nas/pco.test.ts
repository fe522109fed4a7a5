// The Extended protocol configuration options contents (TS 24.501 9.11.4.6 -> TS 24.008 10.5.6.3)
// wire5g writes for SNPN onboarding: the octets by hand from the table, and the decoder's refusals.
// Wireshark's framing of the same bytes (identifier, length, data) is judged end to end in
// test/scenario/snpn-onboarding.test.ts.
import { describe, it, expect } from 'vitest';
import { encodePco, decodePco, pvsIpv4Addresses, pvsInformation, pvsAddressContainers, PcoContainerId } from '../../codecs/nas/index.ts';
import { ipv6Bytes, ipv6Text } from '../../codecs/nas/pco.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('PCO / ePCO contents (TS 24.008 10.5.6.3)', () => {
  it('the PVS information request: octet 3 = 80 (ext, PPP), container 0036H of length 0', () => {
    expect(hex(encodePco([{ id: PcoContainerId.PVS_INFORMATION_REQUEST, contents: new Uint8Array(0) }]))).toBe('80003600');
  });

  it('PVS IPv4 addresses: one container 0036H of 4 octets each, read back', () => {
    const bytes = encodePco(pvsAddressContainers(['10.45.255.253', '192.0.2.7']));
    expect(hex(bytes)).toBe('80' + '0036040a2dfffd' + '003604c0000207');
    expect(pvsIpv4Addresses(decodePco(bytes))).toEqual(['10.45.255.253', '192.0.2.7']);
  });

  it('PVS IPv6 address (0037H, 16 octets) and PVS name (0038H, DNS labels): octets by hand, read back in kind order', () => {
    const bytes = encodePco(pvsAddressContainers(['pvs.dcs.example.org', '2001:db8::5', '10.45.255.253']));
    expect(hex(bytes)).toBe('80'
      + '003814' + '03707673' + '03646373' + '076578616d706c65' + '036f7267' // 20 octets: 3 pvs 3 dcs 7 example 3 org
      + '003710' + '20010db8000000000000000000000005'
      + '0036040a2dfffd');
    expect(pvsInformation(decodePco(bytes))).toEqual({ ipv4Addresses: ['10.45.255.253'], ipv6Addresses: ['2001:db8::5'], names: ['pvs.dcs.example.org'] });
    expect(PcoContainerId.PVS_IPV6_ADDRESS).toBe(0x37);
    expect(PcoContainerId.PVS_NAME).toBe(0x38);
  });

  it('IPv6 text both ways (RFC 4291 2.2 in, RFC 5952 out); a name whose label lengths overrun is no name', () => {
    for (const [t, out] of [['::', '::'], ['::1', '::1'], ['fd00:45::fc', 'fd00:45::fc'], ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8']]) expect(ipv6Text(ipv6Bytes(t))).toBe(out);
    for (const bad of ['1::2::3', '1:2:3', '12345::', 'g::1']) expect(() => ipv6Bytes(bad)).toThrow(RangeError);
    expect(pvsInformation([{ id: 0x38, contents: Uint8Array.of(5, 0x61) }, { id: 0x37, contents: new Uint8Array(4) }])).toEqual({ ipv4Addresses: [], ipv6Addresses: [], names: [] });
  });

  it('other containers pass through; a 0036H that is not 4 octets is no IPv4 address', () => {
    const bytes = Uint8Array.from([0x80, 0x00, 0x0d, 0x04, 8, 8, 8, 8, 0x00, 0x36, 0x00]);
    expect(decodePco(bytes).map((c) => [c.id, hex(c.contents)])).toEqual([[0x000d, '08080808'], [0x0036, '']]);
    expect(pvsIpv4Addresses(decodePco(bytes))).toEqual([]);
  });

  it('refuses an empty value, ext bit 0, another configuration protocol, a truncated header and a length beyond the end', () => {
    for (const [b, what] of [[[], /TRUNCATED/], [[0x00], /ext bit/], [[0x81], /configuration protocol 1/], [[0x80, 0x00, 0x36], /TRUNCATED/], [[0x80, 0x00, 0x36, 0x04, 1, 2], /BAD_LENGTH.*says 4 octets, 2 remain/]] as const) {
      expect(() => decodePco(Uint8Array.from(b))).toThrow(DecodeError);
      expect(() => decodePco(Uint8Array.from(b))).toThrow(what);
    }
  });
});
