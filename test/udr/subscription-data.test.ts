// The UDR's SessionManagementSubscriptionData (nodes/udr/subscription-data.ts smData, TS 29.503
// 6.1.6.2.8): built from a subscriber's S-NSSAIs, DNNs and subscribed QoS; subscribers provisioned
// alike share one frozen value, and one provisioned otherwise gets its own.

import { describe, it, expect } from 'vitest';
import { UdrStore } from '../../nodes/udr/store.ts';
import { smData } from '../../nodes/udr/subscription-data.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';

describe('UDR SessionManagementSubscriptionData', () => {
  it('one DnnConfiguration per DNN with the first matching QoS entry; shared by subscribers provisioned alike, not by others', () => {
    const s = new UdrStore(':memory:');
    const qos = [{ dnn: 'ims', fiveQi: 5, arpPriorityLevel: 1, ambrUplink: '1 Mbps', ambrDownlink: '2 Mbps' }, { fiveQi: 9, arpPriorityLevel: 8, ambrUplink: '1 Gbps', ambrDownlink: '1 Gbps' }];
    s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000000201', snssais: [{ sst: 1 }], dnns: ['internet', 'ims'], sessionQos: qos });
    s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000000202', snssais: [{ sst: 1 }], dnns: ['internet', 'ims'], sessionQos: qos });
    s.upsert({ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000000203', snssais: [{ sst: 1 }], dnns: ['internet', 'ims'], sessionQos: [qos[1]] });
    const a = smData(s.get('imsi-001010000000201')!);
    expect(a).toEqual([{
      singleNssai: { sst: 1 },
      dnnConfigurations: {
        internet: { pduSessionTypes: { defaultSessionType: 'IPV4', allowedSessionTypes: ['IPV4'] }, sscModes: { defaultSscMode: 'SSC_MODE_1', allowedSscModes: ['SSC_MODE_1'] }, '5gQosProfile': { '5qi': 9, arp: { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } }, sessionAmbr: { uplink: '1 Gbps', downlink: '1 Gbps' } },
        ims: { pduSessionTypes: { defaultSessionType: 'IPV4', allowedSessionTypes: ['IPV4'] }, sscModes: { defaultSscMode: 'SSC_MODE_1', allowedSscModes: ['SSC_MODE_1'] }, '5gQosProfile': { '5qi': 5, arp: { priorityLevel: 1, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } }, sessionAmbr: { uplink: '1 Mbps', downlink: '2 Mbps' } },
      },
    }]);
    expect(smData(s.get('imsi-001010000000202')!)).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a[0].dnnConfigurations)).toBe(true);
    const c = smData(s.get('imsi-001010000000203')!);
    expect(c).not.toBe(a);
    expect(c[0].dnnConfigurations!.ims['5gQosProfile']!['5qi']).toBe(9);
    s.close();
  });
});
