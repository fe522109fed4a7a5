// N4 and N3 over real loopback sockets: the SMF's PFCP port against the UPF node, with a gNB-side
// GTP-U endpoint; TS 23.502 4.3.2.2.1 steps 10 and 16, user-plane traffic through the N6
// responder, and 4.2.2.3.2 step 3a/3b with the usage report. The capture is checked by tshark.

import { describe, it, expect } from 'vitest';
import { Upf } from '../../nodes/upf/upf.ts';
import { SmfN4 } from '../../nodes/smf/n4.ts';
import { PfcpEndpoint } from '../../transport/udp/pfcp-endpoint.ts';
import { GtpuEndpoint } from '../../transport/udp/gtpu-endpoint.ts';
import { encodeGtpu, decodeGtpu, gPdu, pduSessionContainerOf } from '../../codecs/gtpu/index.ts';
import { ipv4Packet, IpProto } from '../../transport/capture/synth.ts';
import { internetChecksum } from '../../codecs/bytes/checksum.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

function ping(seq: number): Uint8Array {
  const icmp = new Uint8Array(24);
  icmp[0] = 8;
  icmp[7] = seq;
  const c = internetChecksum(icmp);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  return ipv4Packet('10.45.0.1', '10.45.255.254', IpProto.ICMP, icmp);
}

const until = async (cond: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('N4 + N3 between SMF, UPF and gNB over loopback', () => {
  it('establish, forward uplink to N6, buffer then deliver downlink, delete with the final usage report; leftovers dropped with an Error Indication', async () => {
    const { capture, path } = tempCapture('n4-n3');
    const upf = await Upf.start({ address: '127.0.23.57', pfcpPort: 8805, gtpuPort: 2152, tap: capture });
    const smfPfcp = await PfcpEndpoint.open({ address: '127.0.23.54', recoveryTimeStamp: 1, tap: capture });
    const fromUpf: Uint8Array[] = [];
    const gnb = await GtpuEndpoint.open({ address: '127.0.23.58', tap: capture, captureUserPlane: true, onPacket: (d) => fromUpf.push(Uint8Array.from(d)) });
    const n4 = new SmfN4({ endpoint: smfPfcp, upf: upf.pfcpEndpoint, smfAddress: '127.0.23.54', recoveryTimeStamp: 1 });
    const before = upf.ledger.snapshot();
    try {
      expect(await n4.associate()).toEqual({ type: 'ipv4', value: '127.0.23.57' });
      const s = await n4.establish({ cpSeid: 1n, ueAddress: '10.45.0.1', qfi: 9, ambrUplinkKbps: 1_000_000, ambrDownlinkKbps: 1_000_000, dnn: 'internet', step: '4.3.2.2.1 step 10a' });
      expect(s.upfN3Address).toBe('127.0.23.57');
      // uplink ping: forwarded to N6, whose reply is buffered (downlink FAR BUFF|NOCP, no gNB tunnel yet)
      gnb.send(upf.n3Endpoint, encodeGtpu(gPdu(s.upfN3Teid, ping(1), { pduType: 1, qfi: 9 })));
      await until(() => upf.datapath.bufferedPackets === 1);
      await n4.modify(s.upSeid, { gnbTeid: 0x99, gnbAddress: '127.0.23.58', downlink: 'forward' }, '4.3.2.2.1 step 16a');
      await until(() => fromUpf.length === 1);
      const dl = decodeGtpu(fromUpf[0]);
      expect(dl.header.teid).toBe(0x99);
      expect(pduSessionContainerOf(dl.header)).toMatchObject({ pduType: 0, qfi: 9 });
      gnb.send(upf.n3Endpoint, encodeGtpu(gPdu(s.upfN3Teid, ping(2), { pduType: 1, qfi: 9 })));
      await until(() => fromUpf.length === 2);
      const usage = await n4.delete(s.upSeid, '4.2.2.3.2 step 3a');
      // one URR (the session's), so one Usage Report in the Deletion Response
      expect(usage).toHaveLength(1);
      expect(usage?.[0]).toMatchObject({ urrId: 1, uplinkPackets: 2, downlinkPackets: 2, uplinkOctets: 2 * ping(1).length, downlinkOctets: 2 * ping(1).length });
      expect(await n4.delete(s.upSeid, '4.2.2.3.2 step 3a')).toBeUndefined(); // cause 65: already gone
      // a packet for the freed TEID: dropped, answered with an Error Indication
      gnb.send(upf.n3Endpoint, encodeGtpu(gPdu(s.upfN3Teid, ping(3), { pduType: 1, qfi: 9 })));
      await until(() => fromUpf.length === 3);
      expect(decodeGtpu(fromUpf[2])).toMatchObject({ type: 'Error Indication', teidDataI: s.upfN3Teid });
      expect(upf.ledger.snapshot()).toEqual({ ...before, 'PFCP associations': 1 });
    } finally {
      await Promise.all([upf.stop(), smfPfcp.close(), gnb.close()]);
      capture.close();
    }
    if (tsharkAvailable()) {
      const frames = dissect(path);
      expect(problems(frames)).toEqual([]);
      const names = frames.flatMap((f) => f.fields.get('pfcp.msg_type') ?? []);
      // 56/57: the buffered reply triggers a Downlink Data Report (downlink FAR BUFF|NOCP, TS 29.244
      // 5.2.4.1), answered by the SMF while it sends the modification (either may come first)
      expect(names.filter((n) => n !== '56' && n !== '57')).toEqual(['5', '6', '50', '51', '52', '53', '54', '55', '54', '55']);
      expect(names.filter((n) => n === '56' || n === '57')).toEqual(['56', '57']);
      expect(frames.some((f) => (f.fields.get('icmp.type') ?? []).includes('0'))).toBe(true);
      expect(frames.some((f) => (f.fields.get('gtp.message') ?? []).includes('0x1a'))).toBe(true);
      expect(frames.flatMap((f) => f.fields.get('frame.comment') ?? [])).toContain('N4 Session Release Response [TS 23.502 4.2.2.3.2 step 3b]');
    }
  });
});
