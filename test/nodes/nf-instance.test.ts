// NF instance IDs are RFC 4122 version 5 UUIDs (TS 29.571 NfInstanceId). The expected values were
// computed by Python's uuid.uuid5(uuid.NAMESPACE_URL, name), an implementation we did not write.
import { describe, it, expect } from 'vitest';
import { uuidV5, nfInstanceId } from '../../nodes/common/nf-instance.ts';

describe('NF instance IDs (TS 29.571 NfInstanceId, RFC 4122 4.3)', () => {
  it('are the name-based UUIDs Python computes for the same names', () => {
    expect(uuidV5('www.example.com')).toBe('b63cdfa4-3df9-568e-97ae-006c5b8fd652');
    expect(nfInstanceId('AMF', '127.0.0.5')).toBe('6f590b32-bc80-5fbf-a83d-ecc89063100a');
  });

  it('differ by NF type and address, and are the same in every process', () => {
    const ids = new Set([nfInstanceId('AMF', '127.0.0.5'), nfInstanceId('SMF', '127.0.0.5'), nfInstanceId('AMF', '127.0.0.6')]);
    expect(ids.size).toBe(3);
    expect(nfInstanceId('amf', '127.0.0.5')).toBe(nfInstanceId('AMF', '127.0.0.5'));
  });
});
