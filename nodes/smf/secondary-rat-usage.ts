// Secondary RAT usage data (TS 23.502 4.3.4.3 step 5, TS 23.501 5.12.2): what the NG-RAN reports in
// the PDU Session Resource Release Response Transfer (TS 38.413 9.3.4, its extension
// id-SecondaryRATUsageInformation, the Secondary RAT Usage Information IE of 9.3.1) turned into the
// TS 29.571 SecondaryRatUsageInfo that the V-SMF passes to the H-SMF in VsmfUpdatedData.
//
// Only an NG-RAN node with dual connectivity (a secondary node of another RAT, or NR-U) has such
// usage; wire5g's gNB is one NR node without a secondary node, so its transfer never carries it.
// The V-SMF forwards it whenever a transfer does (test/smf/vsmf-release-extras.test.ts feeds one).

import { decodeNgapType, type Ngap } from '../../codecs/ngap/index.ts';
import type { components as SmfC } from '../common/sbi-types/TS29502_Nsmf_PDUSession.ts';

/** TS 29.571 SecondaryRatUsageInfo (the one declaration; nodes/smf/ports.ts uses it too). */
export type SecondaryRatUsageInfo = SmfC['schemas']['SecondaryRatUsageInfo'];
type VolumeTimedReport = SmfC['schemas']['VolumeTimedReport'];

/** id-SecondaryRATUsageInformation (TS 38.413 9.4, NGAP-Constants). */
const ID_SECONDARY_RAT_USAGE_INFORMATION = 144;

/** NGAP rATType (TS 38.413 9.3.1, Secondary RAT Usage Information) -> TS 29.571 RatType. */
const RAT_TYPE: Record<string, SmfC['schemas']['RatType']> = { nr: 'NR', eutra: 'EUTRA', 'nr-unlicensed': 'NR_U', 'e-utra-unlicensed': 'EUTRA_U' };

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970), RFC 5905 6. */
const NTP_TO_UNIX = 2_208_988_800;

/**
 * Start/End Timestamp (TS 38.413 Secondary RAT Usage Information: the first four octets of the RFC 5905 64-bit timestamp,
 * seconds since 1900) as a TS 29.571 DateTime. A value with the top bit clear is taken to be in
 * NTP era 1 (from 2036-02-07), as RFC 4330 3 suggests for 32-bit seconds.
 */
function dateTime(ts: Uint8Array): string {
  if (ts.length !== 4) throw new Error(`timestamp of ${ts.length} octets, not 4`);
  const s = ((ts[0] << 24) >>> 0) + (ts[1] << 16) + (ts[2] << 8) + ts[3];
  const era = s & 0x8000_0000 ? 0 : 2 ** 32;
  return new Date((s + era - NTP_TO_UNIX) * 1000).toISOString().replace('.000Z', 'Z');
}

function ratType(t: string): SmfC['schemas']['RatType'] {
  const r = RAT_TYPE[t];
  if (!r) throw new Error(`rATType ${t} has no TS 29.571 RatType`);
  return r;
}

/** VolumeTimedReport-Item -> TS 29.571 VolumeTimedReport (Int64 volumes; a count beyond 2^53 loses precision in JSON). */
function volume(v: Ngap.VolumeTimedReport_Item): VolumeTimedReport {
  return { startTimeStamp: dateTime(v.startTimeStamp), endTimeStamp: dateTime(v.endTimeStamp), downlinkVolume: Number(v.usageCountDL), uplinkVolume: Number(v.usageCountUL) };
}

/** SecondaryRATUsageInformation -> one SecondaryRatUsageInfo per secondary RAT type it reports. */
export function secondaryRatUsageInfo(i: Ngap.SecondaryRATUsageInformation): SecondaryRatUsageInfo[] {
  const byRat = new Map<string, SecondaryRatUsageInfo>();
  const of = (t: string) => {
    const r = ratType(t);
    let e = byRat.get(r);
    if (!e) byRat.set(r, (e = { secondaryRatType: r }));
    return e;
  };
  const pdu = i.pDUSessionUsageReport;
  if (pdu) (of(pdu.rATType).pduSessionUsageData ??= []).push(...pdu.pDUSessionTimedReportList.map(volume));
  for (const q of i.qosFlowsUsageReportList ?? []) {
    (of(q.rATType).qosFlowsUsageData ??= []).push(...q.qoSFlowsTimedReportList.map((v) => ({ qfi: q.qosFlowIdentifier, ...volume(v) })));
  }
  return [...byRat.values()];
}

/** TS 38.413 9.3.4 PDU Session Resource Release Response Transfer: its Secondary RAT Usage Information, if any. */
export function decodeReleaseResponseTransfer(n2: Uint8Array): { secondaryRatUsageInfo?: SecondaryRatUsageInfo[] } {
  const t = decodeNgapType('PDUSessionResourceReleaseResponseTransfer', n2);
  const ext = t['iE-Extensions']?.find((e) => e.id === ID_SECONDARY_RAT_USAGE_INFORMATION);
  if (!ext) return {};
  const info = secondaryRatUsageInfo(ext.value as Ngap.SecondaryRATUsageInformation);
  return info.length ? { secondaryRatUsageInfo: info } : {};
}
